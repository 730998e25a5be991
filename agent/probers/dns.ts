// DNS check (blackbox_exporter's dns prober): one query to a resolver or an authoritative server, over
// UDP (one retry; again over TCP when the answer is truncated) or TCP, its rcode and answers judged
// against the check's expectations.
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import { getServers } from "node:dns";
import { readFile } from "node:fs/promises";
import net from "node:net";
import dnsPacket from "dns-packet";
import { type DnsCheck, DnsRcode, DnsServer } from "../../config/schema.js";
import { describeNetError, elapsedMs } from "./tcp.js";
import type { ProbeOutcome, Prober } from "./types.js";

type Server = { host: string; port: number };
type Response = dnsPacket.DecodedPacket;
type Answer = dnsPacket.Answer;
interface Query {
  id: number;
  name: string;
  type: DnsCheck["type"];
  /** The encoded message, without TCP's length prefix. */
  bytes: Buffer;
}

/** A failed exchange, already in operator words. */
class DnsFailure extends Error {}

/** dns.answers is a value: at most 1024 characters. */
const ANSWERS_CHARS = 1024;
/** How much of the answers a failed expectation quotes. */
const QUOTED_CHARS = 200;
const DNS_HEADER_BYTES = 12;

/** The first `nameserver` of resolv.conf text: the server glibc asks first. */
export function firstNameserver(resolvConf: string): string | undefined {
  return /^[ \t]*nameserver[ \t]+(\S+)/m.exec(resolvConf)?.[1];
}

/** The system resolver, read at each probe: resolv.conf changes with DHCP and VPNs. */
async function systemResolver(): Promise<Server> {
  const conf = await readFile("/etc/resolv.conf", "utf8").catch(() => "");
  const first = firstNameserver(conf);
  if (first !== undefined) return { host: first, port: 53 };
  // No resolv.conf (not Linux): Node's resolvers; none at all: glibc's default, the local host.
  return DnsServer.parse(getServers()[0] ?? "127.0.0.1");
}

/** The name a query asks for: a PTR query for an IP address asks for its in-addr.arpa / ip6.arpa name. */
export function queryName(name: string, type: DnsCheck["type"]): string {
  if (type === "PTR" && net.isIPv4(name)) return `${name.split(".").reverse().join(".")}.in-addr.arpa`;
  if (type === "PTR" && net.isIPv6(name)) return `${ipv6Nibbles(name).reverse().join(".")}.ip6.arpa`;
  return name.replace(/\.$/, "");
}

/** The 32 hex digits of an IPv6 address ("fd00::1" → f d 0 0 0 … 1). */
function ipv6Nibbles(ip: string): string[] {
  // The URL parser writes any form (embedded IPv4 included) as hex groups with at most one "::".
  const canonical = new URL(`http://[${ip}]`).hostname.slice(1, -1);
  const [head = "", tail] = canonical.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const filled =
    tail === undefined
      ? groups(head)
      : [...groups(head), ...Array(8 - groups(head).length - groups(tail).length).fill("0"), ...groups(tail)];
  return filled.flatMap((g) => g.padStart(4, "0").split(""));
}

function encodeQuery(name: string, type: DnsCheck["type"]): Query {
  const id = randomInt(0, 0x10000);
  const bytes = dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: "IN" }],
  });
  return { id, name, type, bytes };
}

/**
 * The server's answer to `query`, or undefined for a message with another id (over UDP, a late answer
 * to an earlier query: ignored). Throws DnsFailure for a message that is not a DNS answer to it.
 */
function decodeAnswer(msg: Buffer, query: Query, from: string): Response | undefined {
  const malformed = (why: string) => new DnsFailure(`malformed DNS response from ${from}: ${why}`);
  if (msg.length < DNS_HEADER_BYTES) throw malformed(`${msg.length} bytes, shorter than a DNS header`);
  if (msg.readUInt16BE(0) !== query.id) return undefined;
  let response: Response;
  try {
    response = dnsPacket.decode(msg);
  } catch (err) {
    throw malformed(`${msg.length} bytes: ${(err as Error).message}`);
  }
  const question = response.questions?.[0];
  // Error answers (FORMERR, REFUSED…) may omit the question; when present it must be ours.
  const ours =
    question === undefined ||
    (question.name.toLowerCase() === query.name.toLowerCase() && question.type === query.type);
  if (!response.flag_qr || !ours) throw malformed(`not an answer to ${query.name} ${query.type}`);
  return response;
}

function label({ host, port }: Server, protocol: "udp" | "tcp"): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}/${protocol}`;
}

/**
 * Runs one exchange: `start` sets it up and returns its cleanup; it settles with the answer or a
 * DnsFailure. An abort settles it with `waiting()` (what was still awaited) as the failure.
 */
function exchange(
  signal: AbortSignal,
  waiting: () => string,
  start: (settle: (result: Response | DnsFailure) => void) => () => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let cleanup: (() => void) | undefined;
    const settle = (result: Response | DnsFailure) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      cleanup?.();
      if (result instanceof DnsFailure) reject(result);
      else resolve(result);
    };
    const onAbort = () => settle(new DnsFailure(waiting()));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    cleanup = start(settle);
    if (settled) cleanup();
  });
}

/** UDP: the query, sent again after `retryAfterMs` without an answer. */
function udpExchange(
  server: Server,
  query: Query,
  retryAfterMs: number,
  signal: AbortSignal,
): Promise<Response> {
  const from = label(server, "udp");
  let sent = 0;
  return exchange(
    signal,
    () => `no answer from ${from} (${sent} ${sent === 1 ? "query" : "queries"} sent)`,
    (settle) => {
      // Connected: the kernel drops datagrams from anyone else and reports ICMP port unreachable.
      const socket = dgram.createSocket(net.isIPv6(server.host) ? "udp6" : "udp4");
      let retry: NodeJS.Timeout | undefined;
      const send = () => {
        sent++;
        socket.send(query.bytes);
      };
      socket.on("error", (err) => settle(new DnsFailure(`${from}: ${describeNetError(err)}`)));
      socket.on("message", (msg) => {
        try {
          const response = decodeAnswer(msg, query, from);
          if (response !== undefined) settle(response);
        } catch (err) {
          settle(err as DnsFailure);
        }
      });
      socket.connect(server.port, server.host, () => {
        send();
        retry = setTimeout(send, retryAfterMs);
      });
      return () => {
        clearTimeout(retry);
        socket.close();
      };
    },
  );
}

/** TCP (RFC 1035 4.2.2): the message behind a two-byte length, on a new connection. */
function tcpExchange(server: Server, query: Query, signal: AbortSignal): Promise<Response> {
  const from = label(server, "tcp");
  let connected = false;
  return exchange(
    signal,
    () => (connected ? `no answer from ${from}` : `no connection to ${from}`),
    (settle) => {
      const socket = net.connect({ host: server.host, port: server.port });
      let received = Buffer.alloc(0);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.bytes.length);
      socket.once("connect", () => {
        connected = true;
        socket.write(Buffer.concat([length, query.bytes]));
      });
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
        try {
          const response = decodeAnswer(received.subarray(2, 2 + received.readUInt16BE(0)), query, from);
          settle(response ?? new DnsFailure(`malformed DNS response from ${from}: not the query's id`));
        } catch (err) {
          settle(err as DnsFailure);
        }
      });
      socket.once("end", () =>
        settle(
          new DnsFailure(
            `${from} closed the connection after ${received.length} bytes, before a whole answer`,
          ),
        ),
      );
      socket.on("error", (err) => settle(new DnsFailure(`${from}: ${describeNetError(err)}`)));
      return () => socket.destroy();
    },
  );
}

/** One answer record as text: its data ("10.0.0.1", MX "10 mail.example.com"), prefixed by its type
 * when the query asked for another ("CNAME www.example.com" in the answers to an A query). */
export function answerText(answer: Answer, queried: DnsCheck["type"]): string {
  const text = rdataText(answer);
  return answer.type === queried ? text : `${answer.type} ${text}`;
}

function rdataText(answer: Answer): string {
  switch (answer.type) {
    case "MX":
      return `${answer.data.preference ?? 0} ${answer.data.exchange}`;
    case "SRV":
      return `${answer.data.priority ?? 0} ${answer.data.weight ?? 0} ${answer.data.port} ${answer.data.target}`;
    case "SOA": {
      const d = answer.data;
      return [d.mname, d.rname, d.serial, d.refresh, d.retry, d.expire, d.minimum].join(" ");
    }
    case "TXT": // One logical string, as SPF and DKIM read split records.
      return (Array.isArray(answer.data) ? answer.data : [answer.data]).map(String).join("");
    case "OPT":
      return "";
    default:
      return typeof answer.data === "string"
        ? answer.data
        : Buffer.isBuffer(answer.data)
          ? answer.data.toString("hex")
          : JSON.stringify(answer.data);
  }
}

/** Cuts `text` to `max` characters, marking the cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The rcode and answers of `response` against the check's expectations. */
export function judge(
  check: Pick<DnsCheck, "type" | "expect_rcode" | "expect_answers">,
  response: Response,
  lookupMs: number,
): ProbeOutcome {
  const code = (response.flags ?? 0) & 0x0f;
  const rcode = DnsRcode.options[code] ?? `RCODE${code}`;
  const answers = (response.answers ?? []).map((a) => answerText(a, check.type)).sort();
  const values = {
    "dns.lookup_ms": lookupMs,
    "dns.rcode": rcode,
    "dns.answer_count": answers.length,
    "dns.answers": clip(answers.join(","), ANSWERS_CHARS),
  };
  if (rcode !== check.expect_rcode)
    return { ok: false, error: `rcode ${rcode}, expected ${check.expect_rcode}`, values };
  const unmatched = check.expect_answers.find((re) => !answers.some((a) => new RegExp(re).test(a)));
  if (unmatched === undefined) return { ok: true, values };
  const got = answers.length === 0 ? "no answers" : `answers: ${clip(answers.join(", "), QUOTED_CHARS)}`;
  return { ok: false, error: `no answer matches ${unmatched} (${got})`, values };
}

export class DnsProber implements Prober<DnsCheck> {
  readonly kind = "dns";

  async probe(check: DnsCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    const server = check.server ?? (await systemResolver());
    const query = encodeQuery(queryName(check.name, check.type), check.type);
    const started = performance.now();
    try {
      let response =
        check.protocol === "udp"
          ? await udpExchange(server, query, check.timeout / 2, signal)
          : await tcpExchange(server, query, signal);
      // A truncated answer is incomplete: ask again over TCP, as resolvers do.
      if (response.flag_tc && check.protocol === "udp") response = await tcpExchange(server, query, signal);
      return judge(check, response, elapsedMs(started));
    } catch (err) {
      if (!(err instanceof DnsFailure)) throw err;
      const error = signal.aborted ? `timeout after ${check.timeout} ms: ${err.message}` : err.message;
      return { ok: false, error, values: {} };
    }
  }
}
