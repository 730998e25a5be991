// ICMP checks through the real system ping (Debian iputils-ping) on loopback.
import { describe, expect, it } from "vitest";
import { describePingFailure, IcmpProber, parsePing } from "../../agent/probers/icmp.js";
import { Check, type IcmpCheck } from "../../config/schema.js";
import { requirePeer } from "../peers/require-peer.js";

const hasPing = requirePeer("ping", "iputils-ping");
const icmp = (fields: Record<string, unknown>) =>
  Check.parse({ id: "ping", kind: "icmp", timeout: "3s", ...fields }) as IcmpCheck;
const probe = (c: IcmpCheck, prober = new IcmpProber()) => prober.probe(c, AbortSignal.timeout(c.timeout));

describe.runIf(hasPing)("IcmpProber against loopback", () => {
  it("gets every echo answered on 127.0.0.1 with loss and round-trip values", async () => {
    const out = await probe(icmp({ host: "127.0.0.1", count: 2 }));
    expect(out.ok, out.error).toBe(true);
    expect(out.values).toMatchObject({ "icmp.sent": 2, "icmp.received": 2, "icmp.loss_ratio": 0 });
    expect(out.values["icmp.rtt_ms"]).toBeGreaterThan(0);
    expect(out.values["icmp.rtt_max_ms"]).toBeGreaterThanOrEqual(out.values["icmp.rtt_ms"] as number);
  });

  it("pings IPv6 ::1 with ip: 6", async () => {
    const out = await probe(icmp({ host: "::1", ip: "6", count: 1 }));
    expect(out.ok, out.error).toBe(true);
    expect(out.values["icmp.received"]).toBe(1);
  });

  it("says when the host name does not resolve", async () => {
    const out = await probe(icmp({ host: "no-such-host.invalid", count: 1 }));
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^host name not found/);
  });

  it("says when ping is missing", async () => {
    const out = await probe(icmp({ host: "127.0.0.1", count: 1 }), new IcmpProber("/nonexistent/ping"));
    expect(out).toMatchObject({ ok: false, error: expect.stringContaining("iputils-ping") });
  });
});

describe("ping output", () => {
  it("parses the summary of a partly answered run", () => {
    const text = [
      "--- 10.1.1.1 ping statistics ---",
      "3 packets transmitted, 2 received, 33.3333% packet loss, time 402ms",
      "rtt min/avg/max/mdev = 0.053/0.799/1.546/0.746 ms",
    ].join("\n");
    expect(parsePing(text)).toEqual({
      transmitted: 3,
      received: 2,
      rtt: { min: 0.053, avg: 0.799, max: 1.546 },
    });
    expect(parsePing("3 packets transmitted, 0 received, 100% packet loss, time 2030ms")).toEqual({
      transmitted: 3,
      received: 0,
    });
  });

  it("explains a ping without its capability (stderr of iputils ping run as nobody without cap_net_raw)", () => {
    const stderr = [
      "/tmp/pingnocap: socktype: SOCK_RAW",
      "/tmp/pingnocap: socket: Operation not permitted",
      "/tmp/pingnocap: => missing cap_net_raw+p capability or setuid?",
    ].join("\n");
    expect(describePingFailure(stderr)).toMatch(
      /^ICMP not permitted .*setcap cap_net_raw\+ep .*ping_group_range/,
    );
  });
});
