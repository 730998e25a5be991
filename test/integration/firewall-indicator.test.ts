// firewall_stability through the server (indicators.md, the firewall row and precise rule 7): one
// device with SNMP + TCP checks, and an HA pair; results sent over the agent protocol, figures computed
// by hand below.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import type { Result } from "../../protocol/messages.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { type AgentClient, connectAgent } from "../peers/agent-client.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-fw-"));
let srv: RunningServer;
let agent: AgentClient;

const T0 = Date.parse("2026-11-02T00:00:00+08:00");
const HOUR = 3_600_000;
const min = (m: number) => T0 + m * 60_000;

const snmp = (id: string, member?: string) =>
  `{ id: ${id}, kind: snmp, address: "127.0.0.1:161", interval: 30s, timeout: 5s${member ? `, member: ${member}` : ""}, oids: { sys.uptime_seconds: 1.3.6.1.2.1.1.3.0 } }`;
const tcp = (id: string, member?: string) =>
  `{ id: ${id}, kind: tcp, address: "127.0.0.1:22", interval: 30s, timeout: 5s${member ? `, member: ${member}` : ""} }`;

beforeAll(async () => {
  const cfg = parseConfig(
    `server:
  listen: 127.0.0.1:0
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${join(dir, "s.db")}
  agents: [{ id: a1, token: agent-token }]
targets:
  - id: fw1
    name: 边界防火墙
    indicators: [{ id: firewall_stability }]
    checks: [${snmp("snmp")}, ${tcp("tcp")}]
  - id: pair
    name: 边界防火墙 HA
    indicators: [{ id: firewall_stability }]
    checks: [${snmp("a-snmp", "a")}, ${tcp("a-tcp", "a")}, ${snmp("b-snmp", "b")}, ${tcp("b-tcp", "b")}]`,
    "inline.yaml",
  );
  srv = await startServer(
    cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
    createLogger("silent"),
  );
  agent = await connectAgent(srv.port);
  // One hour of polls every 30 s (ticks 0 … 119), all six checks per tick.
  for (let i = 0; i < 120; i++) {
    const ts = T0 + i * 30_000;
    const m = i / 2; // minutes since T0
    const batch = [...single(ts, m), ...pair(ts, m)];
    expect((await agent.send(batch)).type).toBe("ack");
  }
});
afterAll(async () => {
  agent?.close();
  await srv?.close();
});

type Sent = Parameters<AgentClient["send"]>[0][number];
const res = (
  target: string,
  check: string,
  ts: number,
  ok: boolean,
  values: Result["values"] = {},
): Sent => ({
  target,
  check,
  kind: check.endsWith("tcp") ? "tcp" : "snmp",
  ts,
  ok,
  values,
});

/**
 * fw1: uptime 1000 s at T0; designated interface down at minutes [10, 15); rebooted 20 s before the poll
 * at minute 30; neither SNMP nor TCP answers at minutes 40, 40.5, 41; only SNMP silent at 50 … 51.5.
 */
function single(ts: number, m: number): Sent[] {
  const unreachable = m >= 40 && m < 41.5;
  const snmpSilent = unreachable || (m >= 50 && m < 52);
  const uptime = m < 30 ? 1000 + m * 60 : 20 + (m - 30) * 60;
  const oper = m >= 10 && m < 15 ? 2 : 1;
  return [
    res(
      "fw1",
      "snmp",
      ts,
      !snmpSilent,
      snmpSilent ? {} : { "sys.uptime_seconds": uptime, "if.uplink.oper_status": oper },
    ),
    res("fw1", "tcp", ts, !unreachable),
  ];
}

/** pair: a is master until it goes silent at minute 20 (back at 25 as backup); b is master from 20.5 on. */
function pair(ts: number, m: number): Sent[] {
  const aDown = m >= 20 && m < 25;
  const aRole = m < 20 ? 3 : 2;
  const bRole = m >= 20.5 ? 3 : 2;
  return [
    res(
      "pair",
      "a-snmp",
      ts,
      !aDown,
      aDown ? {} : { "sys.uptime_seconds": 5000 + m * 60, "vrrp.state": aRole },
    ),
    res("pair", "a-tcp", ts, !aDown),
    res("pair", "b-snmp", ts, true, { "sys.uptime_seconds": 7000 + m * 60, "vrrp.state": bRole }),
    res("pair", "b-tcp", ts, true),
  ];
}

interface Figures {
  indicators: {
    id: string;
    targets: {
      target: string;
      availability: {
        ast: number;
        down: number;
        unknown: number;
        ratio: number;
        outages: { start: number; end: number }[];
      };
    }[];
  }[];
}

async function figures(target: string) {
  const q = `from=${T0}&to=${T0 + HOUR}`;
  const body = (await (await fetch(`${srv.url}/api/v1/indicators?${q}`)).json()) as Figures;
  return body.indicators.find((i) => i.id === "firewall_stability")?.targets.find((t) => t.target === target)
    ?.availability;
}

describe("firewall_stability", () => {
  it("counts an interface down (despite TCP answering), a reboot and no answer at all, not SNMP alone", async () => {
    const a = await figures("fw1");
    // Interface down: failed state results 10:00 … 14:30 (10 ≥ confirm 3), DOWN from the first until
    // the first success at 15:00: 300 s, although TCP answered all along.
    // Reboot found at 30:00 (uptime 20 s after 2,770 s at 29:30): DOWN from the previous poll 29:30 to the
    // boot 30:00 − 20 s = 29:40: 10 s.
    // No answer: SNMP fails at 40:00, 40:30, 41:00 (confirm 3) and TCP too (confirm 2), both back at
    // 41:30: 90 s. SNMP silent 50:00 … 51:30 while TCP answers: up (reachable, state unknown).
    // Down = 300 + 10 + 90 = 400 s of 3,600 s; ratio = 3,200 / 3,600.
    expect(a).toMatchObject({ ast: HOUR, down: 400_000, unknown: 0 });
    expect(a?.ratio).toBe(3_200 / 3_600);
    expect(a?.outages.map((o) => [o.start, o.end])).toEqual([
      [min(10), min(15)],
      [min(29.5), min(29.5) + 10_000],
      [min(40), min(41.5)],
    ]);
  });

  it("counts an HA pair down only while no member is up and master", async () => {
    const a = await figures("pair");
    // a answers as master until 19:30 and fails from 20:00 (SNMP ×3 ≥ confirm 3, TCP ×2 ≥ 2): a is DOWN
    // [20:00, 25:00). b is up but backup (not active) until its first master poll at 20:30. So no member
    // is up and active during [20:00, 20:30): 30 s; from 25:00 a is a reachable backup, b master.
    expect(a).toMatchObject({ ast: HOUR, down: 30_000, unknown: 0 });
    expect(a?.outages.map((o) => [o.start, o.end])).toEqual([[min(20), min(20.5)]]);
  });

  it("opens a device_reboot fault at the poll that found the reboot", async () => {
    const body = (await (await fetch(`${srv.url}/api/v1/faults?target=fw1`)).json()) as {
      faults: { cause: string; severity: string; opened_at: number; recovered_at?: number }[];
    };
    const reboot = body.faults.find((f) => f.cause === "device_reboot");
    expect(reboot).toMatchObject({ severity: "P1", opened_at: min(30), recovered_at: min(30) });
    // The interface-down spell and the unreachable spell each opened a firewall_stability fault (the
    // second attaches to the first while it is still open: one open fault per target and cause).
    expect(body.faults.filter((f) => f.cause === "firewall_stability").length).toBeGreaterThanOrEqual(1);
  });
});
