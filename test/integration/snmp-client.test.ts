// The SNMP engine against Debian snmpd (v1, v2c, v3 USM), plus UDP stand-ins for what snmpd cannot
// play: a device that never answers, a slow link, a device that sends garbage.
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnmpClient, type SnmpDevice, SnmpFailure, type V3Options } from "../../agent/snmp/client.js";
import { requirePeer } from "../peers/require-peer.js";
import { type Snmpd, startSnmpd } from "../peers/snmpd.js";

const hasSnmpd = requirePeer("snmpd", "snmpd");
const hasSnmpwalk = requirePeer("snmpwalk", "snmp");

const sysUpTime = "1.3.6.1.2.1.1.3.0";
const sysName = "1.3.6.1.2.1.1.5.0";
const ifDescr = "1.3.6.1.2.1.2.2.1.2";
const ifEntry = "1.3.6.1.2.1.2.2.1";
const upsBatteryCharge = "1.3.6.1.2.1.33.1.2.4.0";
const missing = "1.3.6.1.2.1.33.1.2.7.0"; // upsBatteryTemperature: not served

const sha = {
  user: "opswatch",
  level: "authPriv",
  auth_protocol: "sha",
  auth_key: "authpass123",
  priv_protocol: "aes",
  priv_key: "privpass123",
} satisfies V3Options;
const sha256 = {
  user: "opswatch256",
  level: "authPriv",
  auth_protocol: "sha256",
  auth_key: "authpass256",
  priv_protocol: "aes256b",
  priv_key: "privpass256",
} satisfies V3Options;

function device(port: number, fields: Partial<SnmpDevice> = {}): SnmpDevice {
  return {
    host: "127.0.0.1",
    port,
    version: "2c",
    community: "public",
    timeout: 1000,
    retries: 1,
    maxRepetitions: 20,
    ...fields,
  };
}
const v3Device = (port: number, v3: V3Options, fields: Partial<SnmpDevice> = {}) =>
  device(port, { version: "3", v3, ...fields });
const signal = () => AbortSignal.timeout(5000);

/** Awaits a rejection and returns it as an SnmpFailure (fails the test on success or another error). */
async function failure(promise: Promise<unknown>): Promise<SnmpFailure> {
  const err = await promise.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SnmpFailure);
  return err as SnmpFailure;
}

/** Requests in flight through relays, across all of them. */
interface Gauge {
  now: number;
  peak: number;
}

/**
 * A UDP stand-in on 127.0.0.1 that counts requests and then: forwards them to `target` after `delayMs`
 * (a slow link; the answer goes back to the asker), answers garbage, or does nothing (a dead device).
 */
async function udpPeer(
  behaviour: { relayTo: number; delayMs: number; gauge?: Gauge } | "garbage" | "silent",
): Promise<{ port: number; requests: () => number; close: () => Promise<void> }> {
  const front = dgram.createSocket("udp4");
  const back = dgram.createSocket("udp4");
  let requests = 0;
  let asker: dgram.RemoteInfo | undefined;
  front.on("message", (msg, rinfo) => {
    requests++;
    if (behaviour === "garbage") front.send(Buffer.from("not an SNMP message"), rinfo.port, rinfo.address);
    if (typeof behaviour !== "object") return;
    asker = rinfo;
    if (behaviour.gauge) behaviour.gauge.peak = Math.max(behaviour.gauge.peak, ++behaviour.gauge.now);
    setTimeout(() => back.send(msg, behaviour.relayTo, "127.0.0.1"), behaviour.delayMs);
  });
  back.on("message", (msg) => {
    if (typeof behaviour === "object" && behaviour.gauge) behaviour.gauge.now--;
    if (asker) front.send(msg, asker.port, asker.address);
  });
  await new Promise<void>((resolve) => front.bind(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => back.bind(0, "127.0.0.1", resolve));
  return {
    port: front.address().port,
    requests: () => requests,
    close: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => back.close(() => resolve()));
    },
  };
}

/** Net-SNMP's own walk of a subtree: numeric OIDs, no leading dot, in order. */
async function snmpwalkOids(port: number, root: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)("snmpwalk", [
    "-v2c",
    "-c",
    "public",
    "-On",
    "-Oq",
    `127.0.0.1:${port}`,
    root,
  ]);
  return stdout
    .trim()
    .split("\n")
    .map((line) => (line.split(" ")[0] as string).replace(/^\./, ""));
}

describe.skipIf(!hasSnmpd)("SnmpClient against Debian snmpd", () => {
  let snmpd: Snmpd;
  const client = new SnmpClient();
  beforeAll(async () => {
    snmpd = await startSnmpd({
      overrides: [{ oid: `.${upsBatteryCharge}`, type: "integer", value: 87 }],
      extraConfig: "sysName 1号UPS 机房A",
      users: [
        {
          name: sha.user,
          level: "authPriv",
          auth: { protocol: "SHA", key: sha.auth_key },
          priv: { protocol: "AES", key: sha.priv_key },
        },
        {
          name: sha256.user,
          level: "authPriv",
          auth: { protocol: "SHA-256", key: sha256.auth_key },
          priv: { protocol: "AES-256", key: sha256.priv_key },
        },
      ],
    });
  });
  afterAll(async () => {
    client.close();
    await snmpd?.stop();
  });

  describe("v2c", () => {
    it("GETs values of every kind in the order asked, a missing one as noSuchObject", async () => {
      const results = await client.get(
        device(snmpd.port),
        [upsBatteryCharge, `.${ifDescr}.1`, missing, sysName, sysUpTime],
        signal(),
      );
      expect(results.slice(0, 4)).toEqual([
        { oid: upsBatteryCharge, value: 87 },
        { oid: `${ifDescr}.1`, value: "lo" },
        { oid: missing, error: "noSuchObject" },
        { oid: sysName, value: "1号UPS 机房A" },
      ]);
      expect(results[4]).toEqual({ oid: sysUpTime, value: expect.any(Number) }); // centiseconds
    });

    it.skipIf(!hasSnmpwalk)(
      "walks ifEntry in GETBULK rounds of 2, exactly as snmpwalk, never past the subtree",
      async () => {
        const link = await udpPeer({ relayTo: snmpd.port, delayMs: 0 });
        try {
          const rows = await client.walk(device(link.port, { maxRepetitions: 2 }), ifEntry, signal());
          const expected = await snmpwalkOids(snmpd.port, ifEntry);
          expect(rows.map((r) => r.oid)).toEqual(expected);
          expect(rows.every((r) => r.oid.startsWith(`${ifEntry}.`) && r.error === undefined)).toBe(true);
          expect(rows).toContainEqual({ oid: `${ifDescr}.1`, value: "lo" });
          // R rows, 2 per GETBULK: floor(R/2) full rounds, then one whose first row past the subtree (R even)
          // or whose second row (R odd) ends the walk: floor(R/2) + 1 requests. ifEntry has 22 columns per
          // interface, so R = 22 × interfaces is even: e.g. 4 interfaces → 88 rows → 45 requests.
          expect(link.requests()).toBe(Math.floor(rows.length / 2) + 1);
          expect(rows.length).toBeGreaterThanOrEqual(22);
        } finally {
          await link.close();
        }
      },
    );

    it("walks to the end of the MIB view and returns nothing past it", async () => {
      expect(await client.walk(device(snmpd.port), "2", signal())).toEqual([]);
    });

    it("times out on a wrong community, naming it as a likely cause", async () => {
      const started = Date.now();
      const err = await failure(
        client.get(device(snmpd.port, { community: "wrong", timeout: 300 }), [sysName], signal()),
      );
      expect(err.reason).toBe("timeout");
      expect(err.message).toBe(
        `timeout: no answer from 127.0.0.1:${snmpd.port} in 300 ms (device down, or wrong community: SNMP agents drop those silently)`,
      );
      expect(Date.now() - started).toBeLessThan(300 + 200);
    });
  });

  describe("v1", () => {
    it("walks ifDescr with GETNEXT, one row per request", async () => {
      const link = await udpPeer({ relayTo: snmpd.port, delayMs: 0 });
      try {
        const v1 = await client.walk(device(link.port, { version: "1" }), ifDescr, signal());
        const v2 = await client.walk(device(snmpd.port), ifDescr, signal());
        expect(v1).toEqual(v2);
        expect(v1[0]).toEqual({ oid: `${ifDescr}.1`, value: "lo" });
        expect(link.requests()).toBe(v1.length + 1); // + the GETNEXT that leaves the subtree
      } finally {
        await link.close();
      }
    });

    it("GETs around missing OIDs (v1 fails the whole request on each): noSuchObject like v2c", async () => {
      const link = await udpPeer({ relayTo: snmpd.port, delayMs: 0 });
      try {
        const results = await client.get(
          device(link.port, { version: "1" }),
          [missing, upsBatteryCharge, "1.3.6.1.2.1.33.1.2.8.0"],
          signal(),
        );
        expect(results).toEqual([
          { oid: missing, error: "noSuchObject" },
          { oid: upsBatteryCharge, value: 87 },
          { oid: "1.3.6.1.2.1.33.1.2.8.0", error: "noSuchObject" },
        ]);
        expect(link.requests()).toBe(3); // 3 OIDs → noSuchName (index 1) → 2 OIDs → noSuchName (index 2) → 1 OID
      } finally {
        await link.close();
      }
    });

    it("walks past the end of the MIB view (v1 says noSuchName) to nothing", async () => {
      expect(await client.walk(device(snmpd.port, { version: "1" }), "2", signal())).toEqual([]);
    });
  });

  describe("v3 (USM)", () => {
    it.each([
      ["SHA + AES-128", sha],
      ["SHA-256 + AES-256", sha256],
    ])("authPriv with %s: GET and GETBULK walk", async (_, v3) => {
      const dev = v3Device(snmpd.port, v3, { maxRepetitions: 2 });
      expect(await client.get(dev, [sysName, upsBatteryCharge], signal())).toEqual([
        { oid: sysName, value: "1号UPS 机房A" },
        { oid: upsBatteryCharge, value: 87 },
      ]);
      const rows = await client.walk(dev, ifDescr, signal());
      expect(rows).toEqual(await client.walk(device(snmpd.port), ifDescr, signal()));
    });

    it("reports a wrong authentication key by name (the agent's usmStatsWrongDigests report)", async () => {
      const err = await failure(
        client.get(v3Device(snmpd.port, { ...sha, auth_key: "wrongpass1" }), [sysName], signal()),
      );
      expect(err.reason).toBe("auth_failure");
      expect(err.message).toBe(
        `authentication failure: 127.0.0.1:${snmpd.port} rejected the key of user "opswatch" (usmStatsWrongDigests: wrong auth_key or auth_protocol)`,
      );
    });

    it("reports an unknown user by name (usmStatsUnknownUserNames)", async () => {
      const err = await failure(
        client.get(v3Device(snmpd.port, { ...sha, user: "nobody" }), [sysName], signal()),
      );
      expect(err.reason).toBe("unknown_user");
      expect(err.message).toBe(
        `unknown user: 127.0.0.1:${snmpd.port} has no SNMPv3 user "nobody" (usmStatsUnknownUserNames)`,
      );
    });

    it("times out on a wrong privacy key (agents drop what they cannot decrypt), naming the key", async () => {
      const dev = v3Device(snmpd.port, { ...sha, priv_key: "wrongpriv1" }, { timeout: 400 });
      for (const _ of [1, 2]) {
        // the second poll reuses the session: the engine stays known, the silence means the same
        const started = Date.now();
        const err = await failure(client.get(dev, [sysName], signal()));
        expect(Date.now() - started).toBeLessThan(400 + 200);
        expect(err.reason).toBe("timeout");
        expect(err.message).toBe(
          `timeout: no answer from 127.0.0.1:${snmpd.port} in 400 ms (the device answered SNMPv3 engine discovery but not the request: likely wrong v3 privacy key or protocol (priv_key, priv_protocol); SNMP agents drop those silently)`,
        );
      }
    });

    it("keeps polling across an agent restart (engine boots +1: net-snmp resynchronises its time)", async () => {
      const dev = v3Device(snmpd.port, sha);
      expect((await client.get(dev, [sysName], signal()))[0]?.value).toBe("1号UPS 机房A");
      await snmpd.restart();
      expect((await client.get(dev, [sysName], signal()))[0]?.value).toBe("1号UPS 机房A");
    });
  });

  describe("timeouts, aborts and the concurrency bound", () => {
    it("times out on a dead device within its bound while polls of a good one finish on time", async () => {
      const dead = await udpPeer("silent");
      try {
        const started = Date.now();
        const deadPolls = [1, 2, 3, 4, 5].map(async () => {
          const err = await failure(
            client.get(device(dead.port, { timeout: 400, retries: 1 }), [sysName], signal()),
          );
          return { err, ms: Date.now() - started };
        });
        const goodPolls = Array.from({ length: 20 }, async () => {
          await client.get(device(snmpd.port), [sysName], signal());
          return Date.now() - started;
        });
        for (const ms of await Promise.all(goodPolls)) expect(ms).toBeLessThan(250);
        for (const { err, ms } of await Promise.all(deadPolls)) {
          expect(err.reason).toBe("timeout");
          expect(ms).toBeGreaterThanOrEqual(395);
          expect(ms).toBeLessThan(400 + 200);
        }
        expect(dead.requests()).toBe(5 * 2); // 1 + 1 retry each, 200 ms apart
      } finally {
        await dead.close();
      }
    });

    it("bounds a v3 request to a dead device by its timeout, engine discovery included", async () => {
      const dead = await udpPeer("silent");
      try {
        const started = Date.now();
        const err = await failure(
          client.get(v3Device(dead.port, sha, { timeout: 400, retries: 0 }), [sysName], signal()),
        );
        expect(Date.now() - started).toBeLessThan(400 + 200);
        expect(err.reason).toBe("timeout");
        expect(err.message).toBe(
          `timeout: no answer from 127.0.0.1:${dead.port} in 400 ms (device down, or wrong v3 privacy key or protocol (priv_key, priv_protocol): SNMP agents drop those silently)`,
        );
      } finally {
        await dead.close();
      }
    });

    it("rejects promptly on abort and forgets the request (no retry goes out afterwards)", async () => {
      const dead = await udpPeer("silent");
      try {
        const aborter = new AbortController();
        setTimeout(() => aborter.abort(new Error("poll cancelled")), 50);
        const started = Date.now();
        // 4 attempts of 500 ms: a leaked request would send its retry at 500 ms
        const err = await failure(
          client.get(device(dead.port, { timeout: 2000, retries: 3 }), [sysName], aborter.signal),
        );
        expect(Date.now() - started).toBeLessThan(50 + 100);
        expect(err.reason).toBe("aborted");
        expect(err.message).toBe(`aborted: request to 127.0.0.1:${dead.port} cancelled (poll cancelled)`);
        await new Promise((r) => setTimeout(r, 700));
        expect(dead.requests()).toBe(1);
      } finally {
        await dead.close();
      }
    });

    it("aborts every request of a poll on one signal together, without a listener warning", async () => {
      const dead = await udpPeer("silent");
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on("warning", onWarning);
      try {
        const aborter = new AbortController();
        const polls = Array.from({ length: 20 }, (_, i) =>
          failure(
            client.walk(device(dead.port, { timeout: 2000 }), `1.3.6.1.2.1.2.2.1.${i + 1}`, aborter.signal),
          ),
        );
        await new Promise((r) => setTimeout(r, 30));
        aborter.abort(new Error("agent stopping"));
        const reasons = (await Promise.all(polls)).map((e) => e.reason);
        expect(reasons).toEqual(Array(20).fill("aborted"));
        await new Promise((r) => setImmediate(r));
        expect(warnings).toEqual([]); // Node warns at 11 listeners on one EventTarget
      } finally {
        process.off("warning", onWarning);
        await dead.close();
      }
    });

    it("reads the signal's own timeout as a timeout", async () => {
      const dead = await udpPeer("silent");
      try {
        const err = await failure(
          client.get(device(dead.port, { timeout: 5000 }), [sysName], AbortSignal.timeout(100)),
        );
        expect(err.reason).toBe("timeout");
        expect(err.message).toMatch(
          new RegExp(
            `^timeout: no answer from 127\\.0\\.0\\.1:${dead.port} in \\d+ ms \\(device down, or wrong community`,
          ),
        );
      } finally {
        await dead.close();
      }
    });

    it("never has more than maxConcurrent requests in flight across devices", async () => {
      const limited = new SnmpClient({ maxConcurrent: 2 });
      const gauge: Gauge = { now: 0, peak: 0 };
      const links = await Promise.all(
        Array.from({ length: 10 }, () => udpPeer({ relayTo: snmpd.port, delayMs: 100, gauge })),
      );
      try {
        const started = Date.now();
        const polls = await Promise.all(
          links.map((l) => limited.get(device(l.port), [upsBatteryCharge], signal())),
        );
        expect(polls).toEqual(Array(10).fill([{ oid: upsBatteryCharge, value: 87 }]));
        expect(gauge.peak).toBe(2);
        // 10 devices, 2 at a time, 100 ms each: 5 rounds ≥ 500 ms
        expect(Date.now() - started).toBeGreaterThanOrEqual(500 - 10);
      } finally {
        limited.close();
        await Promise.all(links.map((l) => l.close()));
      }
    });

    it("times out a request that never got a slot, saying so", async () => {
      const limited = new SnmpClient({ maxConcurrent: 1 });
      const dead = await udpPeer("silent");
      try {
        const blocking = failure(
          limited.get(device(dead.port, { timeout: 600, retries: 0 }), [sysName], signal()),
        );
        const err = await failure(limited.get(device(snmpd.port), [sysName], AbortSignal.timeout(100)));
        expect(err.reason).toBe("timeout");
        expect(err.message).toMatch(
          new RegExp(
            `^timeout: the request to 127\\.0\\.0\\.1:${snmpd.port} waited \\d+ ms for one of the 1 concurrent SNMP request slots and was never sent`,
          ),
        );
        expect((await blocking).reason).toBe("timeout");
        // the slot is free again
        expect(await limited.get(device(snmpd.port), [upsBatteryCharge], signal())).toEqual([
          { oid: upsBatteryCharge, value: 87 },
        ]);
      } finally {
        limited.close();
        await dead.close();
      }
    });

    it("close() aborts requests in flight and in line; the client then opens fresh sessions", async () => {
      const own = new SnmpClient({ maxConcurrent: 1 });
      const dead = await udpPeer("silent");
      try {
        const inFlight = failure(own.get(device(dead.port, { timeout: 5000 }), [sysName], signal()));
        const inLine = failure(own.get(device(snmpd.port), [sysName], signal()));
        await new Promise((r) => setTimeout(r, 20));
        const started = Date.now();
        own.close();
        for (const err of await Promise.all([inFlight, inLine])) {
          expect(err.reason).toBe("aborted");
          expect(err.message).toMatch(/cancelled \(SNMP client closed\)$/);
        }
        expect(Date.now() - started).toBeLessThan(100);
        expect(await own.get(device(snmpd.port), [upsBatteryCharge], signal())).toEqual([
          { oid: upsBatteryCharge, value: 87 },
        ]);
      } finally {
        own.close();
        await dead.close();
      }
    });

    it("fails a request answered with garbage at once (net-snmp's session error) and recovers on a new session", async () => {
      const garbage = await udpPeer("garbage");
      try {
        for (const _ of [1, 2]) {
          const started = Date.now();
          const err = await failure(client.get(device(garbage.port, { timeout: 2000 }), [sysName], signal()));
          expect(Date.now() - started).toBeLessThan(500);
          expect(err.reason).toBe("request_failed");
          expect(err.message).toMatch(
            new RegExp(`^undecodable response from 127\\.0\\.0\\.1:${garbage.port}: `),
          );
        }
      } finally {
        await garbage.close();
      }
    });
  });
});
