// TCP check: the port accepts a connection (blackbox_exporter's tcp_connect without TLS); optionally
// writes `send` and matches the first line the server sends against `expect` (its query_response).
import net from "node:net";
import type { TcpCheck } from "../../config/schema.js";
import type { Values } from "../../protocol/messages.js";
import type { ProbeOutcome, Prober } from "./types.js";

const socketWords: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "DNS lookup failed",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

/**
 * A Node socket/DNS/TLS error in operator words, keeping the code for searching logs:
 * "connection refused (ECONNREFUSED)". Also used by the HTTP prober (fetch hides it in error.cause).
 */
export function describeNetError(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: Array<{ code?: string }> };
  // Happy-eyeballs connects fail with an AggregateError whose code sits on the attempts.
  const code = e.code ?? e.errors?.[0]?.code;
  if (code === undefined) return e.message ?? String(err);
  if (code in socketWords) return `${socketWords[code]} (${code})`;
  if (/CERT|SELF_SIGNED|TLS/.test(code)) return `TLS certificate error (${code})`;
  return `${e.message ?? "network error"} (${code})`;
}

/** Milliseconds since `since` (a performance.now() reading), to 0.1 ms. */
export function elapsedMs(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

/** How much is read looking for the first line; a banner longer than this counts as one line. */
const BANNER_READ_BYTES = 4096;
/** The longest banner kept as the tcp.banner value and quoted in errors. */
const BANNER_CHARS = 200;

/** The first line of what a server sent, without its line end; control characters shown as ".". */
export function firstLine(data: Buffer): string {
  const end = data.indexOf(0x0a);
  const line = (end === -1 ? data : data.subarray(0, end)).toString("utf8").replace(/\r$/, "");
  return Array.from(line, (c) => ((c < " " && c !== "\t") || c === "\x7f" ? "." : c)).join("");
}

/** Judges the server's first line against the check's `expect` regex. */
export function judgeBanner(expect: string, data: Buffer, connectMs: number): ProbeOutcome {
  const line = firstLine(data);
  const banner = line.slice(0, BANNER_CHARS);
  const values = { "tcp.connect_ms": connectMs, "tcp.banner": banner };
  if (new RegExp(expect).test(line)) return { ok: true, values };
  return { ok: false, error: `banner does not match /${expect}/: got ${JSON.stringify(banner)}`, values };
}

export class TcpProber implements Prober<TcpCheck> {
  readonly kind = "tcp";

  probe(check: TcpCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const started = performance.now();
      const socket = net.connect({ host: check.address.host, port: check.address.port });
      let connectMs: number | undefined;
      let received = Buffer.alloc(0);
      const finish = (outcome: ProbeOutcome) => {
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        resolve(outcome);
      };
      const connected = (): Values => (connectMs === undefined ? {} : { "tcp.connect_ms": connectMs });
      const onAbort = () => {
        const got = received.length
          ? `got ${JSON.stringify(firstLine(received).slice(0, BANNER_CHARS))}`
          : "got nothing";
        const waiting =
          connectMs === undefined || check.expect === undefined
            ? ""
            : ` waiting for a line matching /${check.expect}/ (${got})`;
        finish({ ok: false, error: `timeout after ${check.timeout} ms${waiting}`, values: connected() });
      };
      socket.once("connect", () => {
        connectMs = elapsedMs(started);
        const { send, expect } = check;
        if (expect !== undefined) {
          if (send !== undefined) socket.write(send);
          return;
        }
        // Without `expect` the check is done once `send` (if any) is handed to the kernel.
        if (send === undefined) finish({ ok: true, values: connected() });
        else socket.write(send, () => finish({ ok: true, values: connected() }));
      });
      socket.on("data", (chunk: Buffer) => {
        if (check.expect === undefined) return;
        received = Buffer.concat([received, chunk]).subarray(0, BANNER_READ_BYTES);
        if (received.includes(0x0a) || received.length === BANNER_READ_BYTES)
          finish(judgeBanner(check.expect, received, connectMs as number));
      });
      socket.once("end", () => {
        if (check.expect === undefined) return;
        if (received.length > 0) finish(judgeBanner(check.expect, received, connectMs as number));
        else
          finish({
            ok: false,
            error: `connection closed by the server before it sent anything (expected /${check.expect}/)`,
            values: connected(),
          });
      });
      // `on`, not `once`: a second error event without a listener would crash the process.
      socket.on("error", (err) => finish({ ok: false, error: describeNetError(err), values: connected() }));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
