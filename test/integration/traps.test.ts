// The agent's SNMP trap receiver against Debian's snmptrap (package snmp): first the receiver with a real
// spool, then the whole way (snmptrap → agent → spool → server → API and /metrics) with a real snmpd as
// the UPS the trap makes the agent poll. net-snmp's receiver runs in this process, so snmptrap is only
// ever run with async execFile (execFileSync would block the receiver).
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import snmp from "net-snmp";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningAgent, startAgent } from "../../agent/agent.js";
import { Spool } from "../../agent/spool.js";
import { TrapReceiver, type TrapStats } from "../../agent/traps/receiver.js";
import { parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import type { Result } from "../../protocol/messages.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { eventually } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { requirePeer } from "../peers/require-peer.js";
import { type Snmpd, startSnmpd } from "../peers/snmpd.js";

const hasSnmptrap = requirePeer("snmptrap", "snmp");
const hasSnmpd = requirePeer("snmpd", "snmpd");
const run = promisify(execFile);
const silent = createLogger("silent");
const dir = mkdtempSync(join(tmpdir(), "opswatch-traps-"));

const ON_BATTERY = "1.3.6.1.2.1.33.2.1";
const ALARM_ADDED = "1.3.6.1.2.1.33.2.3";
const COLD_START = "1.3.6.1.6.3.1.1.5.1";
const ENGINE_ID = "0x8000B98380AABBCCDDEEFF0011";
const USER = [
  "-u",
  "trapuser",
  "-l",
  "authPriv",
  "-a",
  "SHA",
  "-A",
  "authpass123",
  "-x",
  "AES",
  "-X",
  "privpass123",
];

/** One snmptrap run: fire and forget, so the test then waits for the receiver to have handled it. */
const snmptrap = (args: string[]) => run("snmptrap", args);
const v2c = (port: number, community: string, oid: string, ...varbinds: string[]) =>
  snmptrap(["-v2c", "-c", community, `127.0.0.1:${port}`, "", oid, ...varbinds]);

interface Harness {
  port: number;
  receiver: TrapReceiver;
  spool: Spool;
  polls: string[];
  events(): Result[];
  /** Resolves once the receiver's counters satisfy `ready` (UDP gives no other signal). */
  until(ready: (s: TrapStats) => boolean, what: string): Promise<TrapStats>;
}

let open: Harness[] = [];
afterEach(async () => {
  for (const h of open) {
    await h.receiver.close();
    h.spool.close();
  }
  open = [];
});

/** A receiver on a free loopback port whose events go to a real spool; 127.0.0.1 is UPS "ups-1". */
async function harness(logger = silent): Promise<Harness> {
  const port = await freePort("udp");
  const spool = new Spool(join(mkdtempSync(join(dir, "spool-")), "spool.db"));
  const polls: string[] = [];
  const receiver = await TrapReceiver.start({
    agent: "a1",
    config: {
      listen: { host: "127.0.0.1", port },
      communities: ["public"],
      users: [
        {
          user: "trapuser",
          level: "authPriv",
          auth_protocol: "sha",
          auth_key: "authpass123",
          priv_protocol: "aes",
          priv_key: "privpass123",
        },
      ],
      engine_id: ENGINE_ID,
      dedup_window: 300_000,
    },
    sources: new Map([["127.0.0.1", ["ups-1"]]]),
    onEvent: (r) => spool.append(r),
    onPoll: (t) => polls.push(t),
    logger,
  });
  const h: Harness = {
    port,
    receiver,
    spool,
    polls,
    events: () => spool.read(0, 1000).map((r) => JSON.parse(r.json) as Result),
    until: (ready, what) => eventually(async () => ready(receiver.stats()) && receiver.stats(), 5000, what),
  };
  open.push(h);
  return h;
}

const rejected = (s: TrapStats) => Object.values(s.rejected).reduce((a, b) => a + b, 0);

describe.skipIf(!hasSnmptrap)("trap receiver with Debian snmptrap", () => {
  it("turns a v2c onBattery trap into a spooled event and asks for a poll of the UPS", async () => {
    const h = await harness();
    await v2c(h.port, "public", ON_BATTERY, "1.3.6.1.2.1.33.1.2.3.0", "i", "42");
    await h.until((s) => s.events === 1, "the event");
    const [event] = h.events();
    expect(event).toMatchObject({
      seq: 1,
      agent: "a1",
      target: "ups-1",
      check: "trap",
      kind: "trap",
      ok: true,
      values: {
        "trap.name": "upsTrapOnBattery",
        "trap.oid": ON_BATTERY,
        "trap.source": "127.0.0.1",
        "trap.version": "2c",
        "trap.count": 1,
        "trap.varbinds": "1.3.6.1.2.1.33.1.2.3.0=42", // upsEstimatedMinutesRemaining
      },
    });
    expect(h.polls).toEqual(["ups-1"]);
  });

  it("reads the alarm of a UPS alarm trap and the interface of a v1 linkDown", async () => {
    const h = await harness();
    // upsAlarmDescr.7 = upsAlarmOnBattery (well-known alarm 2)
    await v2c(
      h.port,
      "public",
      ALARM_ADDED,
      "1.3.6.1.2.1.33.1.6.2.1.1.7",
      "i",
      "7",
      "1.3.6.1.2.1.33.1.6.2.1.2.7",
      "o",
      "1.3.6.1.2.1.33.1.6.3.2",
    );
    // v1: enterprise, agent-addr, generic 2 (linkDown), specific 0, uptime "" (now), then ifIndex/ifName
    await snmptrap([
      "-v1",
      "-c",
      "public",
      `127.0.0.1:${h.port}`,
      "1.3.6.1.4.1.8072.3.2.10",
      "127.0.0.1",
      "2",
      "0",
      "",
      "1.3.6.1.2.1.2.2.1.1.3",
      "i",
      "3",
      "1.3.6.1.2.1.31.1.1.1.1.3",
      "s",
      "GE1/0/3",
    ]);
    await h.until((s) => s.events === 2, "two events");
    const [alarm, link] = h.events().map((e) => e.values);
    expect(alarm).toMatchObject({ "trap.name": "upsTrapAlarmEntryAdded", "trap.alarm": "OnBattery" });
    expect(link).toMatchObject({
      "trap.name": "linkDown",
      "trap.oid": "1.3.6.1.6.3.1.1.5.3",
      "trap.version": "1",
      "trap.if_index": 3,
      "trap.if_name": "GE1/0/3",
    });
  });

  it("accepts a v3 authPriv trap of a configured user (engine id fixed in config)", async () => {
    const h = await harness();
    await snmptrap(["-v3", "-e", ENGINE_ID, ...USER, `127.0.0.1:${h.port}`, "", ON_BATTERY]);
    await h.until((s) => s.events === 1, "the v3 event");
    expect(h.events()[0]?.values).toMatchObject({ "trap.name": "upsTrapOnBattery", "trap.version": "3" });
  });

  it("folds a burst of 20 identical onBattery traps into one event", async () => {
    const h = await harness();
    await Promise.all(Array.from({ length: 20 }, () => v2c(h.port, "public", ON_BATTERY)));
    const stats = await h.until((s) => s.received === 20, "20 traps received");
    // 1 event + 19 folded = 20 received
    expect(stats).toMatchObject({ received: 20, events: 1, folded: 19 });
    expect(h.events()).toHaveLength(1);
    expect(h.events()[0]?.values["trap.count"]).toBe(1);
    expect(h.polls).toEqual(["ups-1"]); // one poll for the burst, not 20
    // a different trap from the same UPS is still an event of its own
    await v2c(h.port, "public", COLD_START);
    await h.until((s) => s.events === 2, "the coldStart event");
    expect(h.events()[1]?.values["trap.name"]).toBe("coldStart");
  });

  it("rejects and counts unauthenticated traps, then keeps receiving", async () => {
    const log: string[] = [];
    const h = await harness(pino({ level: "warn" }, { write: (line: string) => log.push(line) }));
    await v2c(h.port, "wrong-community", ON_BATTERY);
    await snmptrap([
      "-v3",
      "-e",
      ENGINE_ID,
      ...USER.with(1, "nobody"),
      `127.0.0.1:${h.port}`,
      "",
      ON_BATTERY,
    ]);
    await snmptrap([
      "-v3",
      "-e",
      ENGINE_ID,
      ...USER.with(7, "wrongpass123"),
      `127.0.0.1:${h.port}`,
      "",
      ON_BATTERY,
    ]);
    // v3 noAuthNoPriv with an empty user name: net-snmp lets it through, the receiver must not
    const anonymous = snmp.createV3Session(
      "127.0.0.1",
      { name: "", level: snmp.SecurityLevel.noAuthNoPriv },
      { trapPort: h.port },
    );
    anonymous.on("error", () => {});
    await new Promise<void>((resolve) => anonymous.trap(snmp.TrapType.ColdStart, () => resolve()));
    anonymous.close();
    const stats = await h.until((s) => rejected(s) === 4, "4 rejections");
    expect(stats.rejected).toEqual({ community: 1, user: 2, auth: 1, malformed: 0, unexpected: 0 });
    expect(stats.received).toBe(0);
    expect(h.events()).toEqual([]);
    expect(h.polls).toEqual([]);
    // one warn line per sender and reason, naming the reason but never the community that was tried
    expect(log.map((l) => JSON.parse(l).reason).sort()).toEqual(["auth", "community", "user"]);
    expect(log.join("")).not.toContain("wrong-community");
    await v2c(h.port, "public", ON_BATTERY);
    await h.until((s) => s.events === 1, "a good trap after the bad ones");
  });

  it("counts, but does not forward, a trap from an address no SNMP check polls", async () => {
    const h = await harness();
    await snmptrap(["--clientaddr=127.0.0.2", "-v2c", "-c", "public", `127.0.0.1:${h.port}`, "", COLD_START]);
    const stats = await h.until((s) => s.unknown_source === 1, "the unknown source");
    expect(stats).toMatchObject({ received: 1, events: 0 });
    expect(h.events()).toEqual([]);
    expect(h.polls).toEqual([]);
  });

  it("says which address it cannot listen on", async () => {
    const h = await harness();
    const again = TrapReceiver.start({
      agent: "a1",
      config: {
        listen: { host: "127.0.0.1", port: h.port },
        communities: ["public"],
        users: [],
        dedup_window: 1000,
      },
      sources: new Map(),
      onEvent: () => {},
      onPoll: () => {},
      logger: silent,
    });
    await expect(again).rejects.toThrow(`trap receiver cannot listen on 127.0.0.1:${h.port}`);
  });
});

describe.skipIf(!hasSnmptrap || !hasSnmpd)("a trap through agent and server", () => {
  const UPS = "1.3.6.1.2.1.33.1";
  let snmpd: Snmpd;
  let server: RunningServer;
  let agent: RunningAgent;
  let trapPort: number;
  let api: string;

  beforeAll(async () => {
    snmpd = await startSnmpd({ overrides: [{ oid: `${UPS}.2.4.0`, type: "integer", value: 87 }] });
    const [serverPort, port] = [await freePort("tcp"), await freePort("udp")];
    trapPort = port;
    api = `http://127.0.0.1:${serverPort}`;
    const cfg = parseConfig(
      `server:
  listen: 127.0.0.1:${serverPort}
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${dir}/server.db
  agents: [{ id: a1, token: agent-token }]
agent:
  id: a1
  server: ws://127.0.0.1:${serverPort}/ws/agent
  token: agent-token
  spool: ${dir}/agent-spool.db
  batch_delay: 20ms
  traps:
    listen: 127.0.0.1:${trapPort}
    communities: [public]
targets:
  - id: ups-1
    name: 1号UPS
    indicators: [{ id: ups_power_stability }]
    checks:
      # 24 h: the first regular poll falls at a random moment within a day, so a poll within seconds
      # of the trap is the trap's (chance of a regular one in a 5 s window: 5 / 86,400 ≈ 0.006 %)
      - { id: snmp, kind: snmp, address: "127.0.0.1:${snmpd.port}", interval: 24h, timeout: 2s, oids: { battery.charge: ${UPS}.2.4.0 } }`,
      "traps.yaml",
    );
    server = await startServer(cfg as typeof cfg & { server: NonNullable<typeof cfg.server> }, silent);
    agent = await startAgent(cfg as typeof cfg & { agent: NonNullable<typeof cfg.agent> }, silent);
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.close();
    await snmpd?.stop();
  });

  const results = async () =>
    ((await (await fetch(`${api}/api/v1/targets/ups-1/results`)).json()) as { results: Result[] }).results;

  it("stores and lists the event, polls the UPS at once, and counts the trap on /metrics only", async () => {
    expect(await results()).toEqual([]);
    const sent = Date.now();
    await v2c(trapPort, "public", ON_BATTERY);
    const stored = await eventually(
      async () => {
        const all = await results();
        return all.some((r) => r.kind === "trap") && all.some((r) => r.kind === "snmp") && all;
      },
      5000,
      "the trap event and the poll it triggered",
    );
    const event = stored.find((r) => r.kind === "trap");
    expect(event).toMatchObject({
      agent: "a1",
      target: "ups-1",
      check: "trap",
      values: { "trap.name": "upsTrapOnBattery", "trap.source": "127.0.0.1", "trap.count": 1 },
    });
    // The poll the trap triggered: started within 5 s of the trap, against a 24 h interval. (What it
    // reads is the SNMP engine's business, tested in its own files.)
    const poll = stored.find((r) => r.kind === "snmp");
    expect(poll?.check).toBe("snmp");
    expect((poll?.ts ?? Infinity) - sent).toBeLessThan(5000);

    // Live state and probe gauges know only the SNMP check; the event is in no indicator stream.
    const targets = (await (await fetch(`${api}/api/v1/targets`)).json()) as {
      targets: { id: string; state: string; checks: { id: string }[] }[];
    };
    expect(targets.targets[0]).toMatchObject({
      id: "ups-1",
      state: poll?.ok ? "up" : "down",
      checks: [{ id: "snmp" }],
    });
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^opswatch_snmp_traps_received_total\{kind="upsTrapOnBattery"\} 1$/m);
    expect(metrics).toMatch(/^opswatch_snmp_traps_received_total\{kind="coldStart"\} 0$/m);
    expect(metrics).not.toMatch(/check="trap"/);
    // ups_power_stability saw one sample (the poll), whatever its verdict: 1 result, not 2
    const samples = [
      ...metrics.matchAll(
        /^opswatch_indicator_samples_total\{indicator="ups_power_stability"[^}]*\} (\d+)$/gm,
      ),
    ].reduce((n, m) => n + Number(m[1]), 0);
    expect(samples).toBe(1);
  });
});
