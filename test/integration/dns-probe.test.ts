// The DNS prober against a real Debian dnsmasq on loopback, and against small UDP servers that never
// answer or answer garbage.
import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsProber } from "../../agent/probers/dns.js";
import { Check, type DnsCheck } from "../../config/schema.js";
import { type Dnsmasq, startDnsmasq } from "../peers/dnsmasq.js";
import { freePort } from "../peers/ports.js";
import { requirePeer } from "../peers/require-peer.js";

const prober = new DnsProber();

const dnsCheck = (fields: Record<string, unknown>) =>
  Check.parse({ id: "dns", kind: "dns", timeout: "2s", ...fields }) as DnsCheck;

/** Probes as the scheduler does: the check's timeout bounds it. */
const probe = (check: DnsCheck) => prober.probe(check, AbortSignal.timeout(check.timeout));

const big = Array.from({ length: 40 }, (_, i) => `10.5.0.${i + 1} big.test.internal`);

describe.skipIf(!requirePeer("dnsmasq", "dnsmasq-base"))("DNS prober against dnsmasq", () => {
  let dnsmasq: Dnsmasq;
  const at = (fields: Record<string, unknown>) =>
    dnsCheck({ server: `127.0.0.1:${dnsmasq.port}`, ...fields });

  beforeAll(async () => {
    dnsmasq = await startDnsmasq({
      domain: "test.internal",
      hosts: [
        "10.1.2.3 www.test.internal",
        "10.1.2.4 www.test.internal",
        "fd00::1 www.test.internal",
        ...big,
      ],
      args: [
        "--mx-host=test.internal,mail.test.internal,10",
        "--cname=portal.test.internal,www.test.internal",
        "--txt-record=test.internal,v=spf1 -all",
        "--srv-host=_sip._udp.test.internal,sip.test.internal,5060,0,5",
      ],
    });
  });
  afterAll(() => dnsmasq?.stop());

  it("answers A from the hosts file with every value", async () => {
    const out = await probe(at({ name: "www.test.internal", expect_answers: ["^10\\.1\\.2\\.3$"] }));
    expect(out.ok).toBe(true);
    expect(out.values).toMatchObject({
      "dns.rcode": "NOERROR",
      "dns.answer_count": 2,
      "dns.answers": "10.1.2.3,10.1.2.4",
    });
    expect(out.values["dns.lookup_ms"]).toBeGreaterThan(0);
    expect(out.values["dns.lookup_ms"]).toBeLessThan(2000);
  });

  it("answers AAAA, over UDP and over TCP", async () => {
    for (const protocol of ["udp", "tcp"]) {
      const out = await probe(at({ name: "www.test.internal.", type: "AAAA", protocol }));
      expect(out).toMatchObject({ ok: true, values: { "dns.answers": "fd00::1", "dns.answer_count": 1 } });
    }
  });

  it("fails NXDOMAIN for an unknown name, unless NXDOMAIN is expected", async () => {
    const out = await probe(at({ name: "nope.test.internal" }));
    expect(out).toMatchObject({
      ok: false,
      error: "rcode NXDOMAIN, expected NOERROR",
      values: { "dns.rcode": "NXDOMAIN", "dns.answer_count": 0, "dns.answers": "" },
    });
    const expected = await probe(at({ name: "nope.test.internal", expect_rcode: "NXDOMAIN" }));
    expect(expected.ok).toBe(true);
    // Outside its domain dnsmasq (no upstream) refuses.
    const refused = await probe(at({ name: "www.example.com" }));
    expect(refused.error).toBe("rcode REFUSED, expected NOERROR");
  });

  it("names the expected answer that nothing matched, and what came back", async () => {
    const out = await probe(at({ name: "www.test.internal", expect_answers: ["^10\\.1\\.", "^10\\.2\\."] }));
    expect(out).toMatchObject({
      ok: false,
      error: "no answer matches ^10\\.2\\. (answers: 10.1.2.3, 10.1.2.4)",
      values: { "dns.rcode": "NOERROR", "dns.answer_count": 2 },
    });
    const none = await probe(at({ name: "www.test.internal", type: "MX", expect_answers: ["mail"] }));
    expect(none.error).toBe("no answer matches mail (no answers)");
  });

  it("writes MX, SRV, TXT, PTR answers as text, and a CNAME on the way typed", async () => {
    const answers = async (name: string, type: string) =>
      (await probe(at({ name, type }))).values["dns.answers"];
    expect(await answers("test.internal", "MX")).toBe("10 mail.test.internal");
    expect(await answers("_sip._udp.test.internal", "SRV")).toBe("0 5 5060 sip.test.internal");
    expect(await answers("test.internal", "TXT")).toBe("v=spf1 -all");
    // 10.1.2.3 → 3.2.1.10.in-addr.arpa, answered from the hosts file.
    expect(await answers("10.1.2.3", "PTR")).toBe("www.test.internal");
    // Sorted: "1…" < "C…".
    expect(await answers("portal.test.internal", "A")).toBe("10.1.2.3,10.1.2.4,CNAME www.test.internal");
  });

  it("asks again over TCP when the UDP answer is truncated", async () => {
    // 40 A records: 12 (header) + 23 (question) + 40 × 16 (compressed A records) = 675 bytes > 512.
    const out = await probe(at({ name: "big.test.internal" }));
    expect(out.ok).toBe(true);
    expect(out.values["dns.answer_count"]).toBe(40);
  });
});

describe("DNS prober against broken servers", () => {
  /** A UDP server on loopback that hands each query to `reply` (which may answer nothing). */
  async function udpServer(reply: (query: Buffer) => Buffer | undefined) {
    const socket = dgram.createSocket("udp4");
    const queries: Buffer[] = [];
    socket.on("message", (msg, peer) => {
      queries.push(msg);
      const answer = reply(msg);
      if (answer) socket.send(answer, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return { port: socket.address().port, queries, close: () => socket.close() };
  }

  it("gives up at the check's timeout on a silent server, after one retry", async () => {
    const silent = await udpServer(() => undefined);
    try {
      const started = performance.now();
      const out = await probe(
        dnsCheck({ name: "www.test.internal", server: `127.0.0.1:${silent.port}`, timeout: "600ms" }),
      );
      const elapsed = performance.now() - started;
      expect(out).toEqual({
        ok: false,
        error: `timeout after 600 ms: no answer from 127.0.0.1:${silent.port}/udp (2 queries sent)`,
        values: {},
      });
      // Sent at 0 and at 300 ms (half the timeout); aborted at 600 ms.
      expect(silent.queries).toHaveLength(2);
      expect(elapsed).toBeGreaterThanOrEqual(590);
      expect(elapsed).toBeLessThan(1000);
    } finally {
      silent.close();
    }
  });

  it("reports a malformed answer instead of waiting", async () => {
    // The query's id, then a header that promises one question and one answer, and nothing more.
    const garbage = await udpServer((q) =>
      Buffer.concat([q.subarray(0, 2), Buffer.from([0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0])]),
    );
    const short = await udpServer((q) => q.subarray(0, 5));
    try {
      const out = await probe(dnsCheck({ name: "www.test.internal", server: `127.0.0.1:${garbage.port}` }));
      expect(out.ok).toBe(false);
      expect(out.error).toMatch(
        new RegExp(`^malformed DNS response from 127\\.0\\.0\\.1:${garbage.port}/udp: 12 bytes: `),
      );
      const tiny = await probe(dnsCheck({ name: "www.test.internal", server: `127.0.0.1:${short.port}` }));
      expect(tiny.error).toBe(
        `malformed DNS response from 127.0.0.1:${short.port}/udp: 5 bytes, shorter than a DNS header`,
      );
    } finally {
      garbage.close();
      short.close();
    }
  });

  it("says the port is closed (ICMP port unreachable) without waiting for the timeout", async () => {
    const port = await freePort("udp");
    const started = performance.now();
    const out = await probe(
      dnsCheck({ name: "www.test.internal", server: `127.0.0.1:${port}`, timeout: "5s" }),
    );
    expect(out.error).toBe(`127.0.0.1:${port}/udp: connection refused (ECONNREFUSED)`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
