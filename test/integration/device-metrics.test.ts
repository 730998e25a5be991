// Typed UPS and device metrics (server/device-metrics.ts) on a real server: SNMP results arrive through
// the agent protocol, /metrics is read back, linted by promtool and scraped by a real prometheus. Every
// expected figure is worked out by hand from the values sent.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { type AgentClient, connectAgent, type Outcome } from "../peers/agent-client.js";
import { eventually } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { type Prometheus, startPrometheus } from "../peers/prometheus.js";
import { peerPath, requirePeer } from "../peers/require-peer.js";

const hasPromtool = requirePeer("promtool", "prometheus");
const hasPrometheus = requirePeer("prometheus", "prometheus");

const dir = mkdtempSync(join(tmpdir(), "opswatch-device-metrics-"));
let port = 0;
let srv: RunningServer | undefined;
let agent: AgentClient | undefined;
let prom: Prometheus | undefined;

// Checks every 60 s: a result stays fresh for 2 × 60 s + 10 s = 130 s.
const config = () =>
  parseConfig(
    `server:
  listen: 127.0.0.1:${port}
  database: ${join(dir, "s.db")}
  agents: [{ id: a1, token: agent-token }, { id: a2, token: other-token }]
targets:
  - id: ups-1
    name: UPS
    checks: [{ id: snmp, kind: snmp, address: 127.0.0.1:1, interval: 60s, profile: ups-rfc1628 }]
  - id: ups-2
    name: UPS 2
    checks: [{ id: snmp, kind: snmp, address: 127.0.0.1:1, interval: 60s, profile: ups-rfc1628 }]
  - id: fw-1
    name: Firewall pair
    group: firewall
    checks:
      - id: snmp-a
        kind: snmp
        address: 127.0.0.1:1
        interval: 60s
        profile: [system, if-mib, vrrp, host-resources]
        member: fw-a
        interfaces: [{ match: GigabitEthernet1/0/1, name: uplink }]
      - { id: snmp-b, kind: snmp, address: 127.0.0.1:2, interval: 60s, profile: [system, vrrp], member: fw-b }
      - { id: tcp, kind: tcp, address: 127.0.0.1:3, interval: 60s }`,
    "inline.yaml",
  );

async function start(): Promise<void> {
  const cfg = config();
  srv = await startServer(
    cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
    createLogger("silent"),
  );
  agent = await connectAgent(srv.port);
}

async function stop(): Promise<void> {
  agent?.close();
  await srv?.close();
}

beforeAll(async () => {
  port = await freePort("tcp");
  // Prometheus warms up (first sample after ~6 s) while the other tests run.
  [prom] = await Promise.all([hasPrometheus ? startPrometheus([`127.0.0.1:${port}`]) : undefined, start()]);
});
afterAll(async () => {
  await prom?.stop();
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

const now = Date.now();
const snmp = (target: string, check: string, ts: number, values: Outcome["values"], ms = 20): Outcome => ({
  target,
  check,
  kind: "snmp",
  ts,
  ok: true,
  values,
  duration_ms: ms,
});

async function send(...results: Outcome[]): Promise<void> {
  const reply = await agent?.send(results);
  expect(reply).toMatchObject({ type: "ack", committed: results.length, rejected: [] });
}

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition (comments skipped). */
function parse(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(): Promise<{ text: string; series: Series[] }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { text, series: parse(text) };
}

/** The value of the one series with exactly these labels; undefined when absent. */
function value(series: Series[], name: string, labels: Record<string, string>): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  const found = series.filter(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want,
  );
  expect(found.length, `${name}${want}`).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

/** The other values of every poll of fw-1's member fw-a. */
const FW = {
  "if.uplink.oper_status": 2,
  "if.uplink.in_bps": 8000,
  "if.uplink.out_bps": 16000,
  "if.mgmt.oper_status": 1, // not designated in the config: no series
  "vrrp.state": 3,
  "fw.cpu_percent": 45,
  "fw.mem_percent": 62.5,
};

const a1 = (target: string, check: string, extra: Record<string, string> = {}) => ({
  target,
  check,
  agent: "a1",
  ...extra,
});

describe("typed metrics from SNMP values", () => {
  it("UPS values in base units, NUT flags as a state set, the two power verdicts as 0/1", async () => {
    await send(
      snmp("ups-1", "snmp", now - 60_000, {
        "battery.charge": 87,
        "battery.runtime": 1800,
        "battery.voltage": 54.6,
        "input.voltage": 221.5,
        "input.frequency": 50,
        "output.voltage": 220,
        "ups.load": 23,
        "ups.status": "OB LB",
        "ups.load_powered": true,
        "ups.mains_normal": false,
        "input.line_bads": 4,
        "ups.model": "Smart-UPS 3000",
      }),
      // Ten minutes old: stale (older than 130 s), so it says nothing.
      snmp("ups-2", "snmp", now - 600_000, { "battery.charge": 50, "ups.status": "OL" }),
    );
    const { series } = await scrape();
    const ups = a1("ups-1", "snmp");
    expect(value(series, "opswatch_ups_battery_charge_ratio", ups)).toBe(0.87); // 87 % / 100
    expect(value(series, "opswatch_ups_battery_runtime_seconds", ups)).toBe(1800);
    expect(value(series, "opswatch_ups_battery_voltage_volts", ups)).toBe(54.6);
    expect(value(series, "opswatch_ups_input_voltage_volts", ups)).toBe(221.5);
    expect(value(series, "opswatch_ups_input_frequency_hertz", ups)).toBe(50);
    expect(value(series, "opswatch_ups_output_voltage_volts", ups)).toBe(220);
    expect(value(series, "opswatch_ups_load_ratio", ups)).toBe(0.23); // 23 % / 100
    expect(value(series, "opswatch_ups_load_powered", ups)).toBe(1); // true
    expect(value(series, "opswatch_ups_mains_normal", ups)).toBe(0); // false
    expect(value(series, "opswatch_ups_input_line_bads_total", ups)).toBe(4);
    // "OB LB": those two flags 1, the seven others 0.
    const flags = Object.fromEntries(
      series
        .filter((s) => s.name === "opswatch_ups_status" && s.labels.target === "ups-1")
        .map((s) => [s.labels.flag, s.value]),
    );
    expect(flags).toEqual({ OL: 0, OB: 1, LB: 1, BYPASS: 0, OFF: 0, OVER: 0, TRIM: 0, BOOST: 0, RB: 0 });
    // ups-2's only result is stale; strings (ups.model) never become series.
    expect(series.filter((s) => s.name.startsWith("opswatch_ups_") && s.labels.target === "ups-2")).toEqual(
      [],
    );
    expect(series.some((s) => s.name.startsWith("opswatch_ups_model"))).toBe(false);
  });

  it("firewall: designated interfaces only, traffic, CPU / memory ratios, HA roles per member", async () => {
    await send(
      snmp("fw-1", "snmp-a", now - 60_000, { "sys.uptime_seconds": 1000, ...FW }, 12),
      snmp("fw-1", "snmp-b", now - 60_000, { "sys.uptime_seconds": 42949670, "vrrp.state": 2 }, 8),
    );
    const { series } = await scrape();
    const a = a1("fw-1", "snmp-a");
    expect(value(series, "opswatch_interface_up", { ...a, interface: "uplink" })).toBe(0); // down(2)
    expect(series.filter((s) => s.labels.interface === "mgmt")).toEqual([]);
    expect(
      value(series, "opswatch_interface_traffic_bytes_per_second", {
        ...a,
        interface: "uplink",
        direction: "in",
      }),
    ).toBe(1000); // 8000 bit/s ÷ 8
    expect(
      value(series, "opswatch_interface_traffic_bytes_per_second", {
        ...a,
        interface: "uplink",
        direction: "out",
      }),
    ).toBe(2000); // 16000 bit/s ÷ 8
    expect(value(series, "opswatch_device_cpu_ratio", a)).toBe(0.45); // 45 / 100
    expect(value(series, "opswatch_device_memory_ratio", a)).toBe(0.625); // 62.5 / 100
    expect(value(series, "opswatch_device_uptime_seconds", a)).toBe(1000);
    // vrrp.state 3 on member fw-a (master), 2 on fw-b (backup).
    const roles = series
      .filter((s) => s.name === "opswatch_ha_role")
      .map((s) => `${s.labels.check} ${s.labels.member} ${s.labels.role}=${s.value}`)
      .sort();
    expect(roles).toEqual([
      "snmp-a fw-a backup=0",
      "snmp-a fw-a initialize=0",
      "snmp-a fw-a master=1",
      "snmp-b fw-b backup=1",
      "snmp-b fw-b initialize=0",
      "snmp-b fw-b master=0",
    ]);
  });

  it("reboots counted at ingest: uptime going back is one, the 497-day wrap and replays are none", async () => {
    // snmp-a: 1000 s, then 10 s later 5 s: a reboot. snmp-b: 42,949,670 s, then 10 s later 3 s: the
    // TimeTicks counter wraps at 2^32 cs = 42,949,672.96 s, and 42,949,670 + 10 − 42,949,672.96 = 7.04 s
    // lies within the 10.1 s tolerance of 3 s: not a reboot.
    await send(
      snmp("fw-1", "snmp-a", now - 50_000, { "sys.uptime_seconds": 5, ...FW }, 30),
      snmp("fw-1", "snmp-b", now - 50_000, { "sys.uptime_seconds": 3 }, 8),
    );
    expect(await agent?.replay()).toMatchObject({ type: "ack", committed: 0, duplicates: 2 });
    const { series } = await scrape();
    expect(value(series, "opswatch_device_reboots_total", a1("fw-1", "snmp-a"))).toBe(1);
    expect(value(series, "opswatch_device_reboots_total", a1("fw-1", "snmp-b"))).toBe(0);
    // At 0 from the start for every SNMP check and agent, so the first reboot is an increase.
    expect(
      value(series, "opswatch_device_reboots_total", { target: "fw-1", check: "snmp-a", agent: "a2" }),
    ).toBe(0);
    expect(value(series, "opswatch_device_reboots_total", a1("ups-1", "snmp"))).toBe(0);
    expect(
      series.filter((s) => s.name === "opswatch_device_reboots_total" && s.labels.check === "tcp"),
    ).toEqual([]);
    // Poll durations of snmp-a: 12 ms and 30 ms (the replay is not counted again): count 2, sum 0.042 s,
    // one at or under 25 ms, both at or under 50 ms.
    const h = a1("fw-1", "snmp-a");
    expect(value(series, "opswatch_snmp_poll_duration_seconds_count", h)).toBe(2);
    expect(value(series, "opswatch_snmp_poll_duration_seconds_sum", h)).toBeCloseTo(0.042, 9);
    expect(value(series, "opswatch_snmp_poll_duration_seconds_bucket", { ...h, le: "0.01" })).toBe(0);
    expect(value(series, "opswatch_snmp_poll_duration_seconds_bucket", { ...h, le: "0.025" })).toBe(1);
    expect(value(series, "opswatch_snmp_poll_duration_seconds_bucket", { ...h, le: "0.05" })).toBe(2);
  });

  it.skipIf(!hasPromtool)("promtool check metrics accepts the exposition (names, types, help)", async () => {
    const { text } = await scrape();
    const mine = text
      .split("\n")
      .filter((l) => /^(# (HELP|TYPE) )?opswatch_(ups|device|interface|ha|snmp)_/.test(l))
      .join("\n");
    expect(mine).toContain("# TYPE opswatch_device_reboots_total counter");
    expect(mine).toContain("# TYPE opswatch_ups_input_line_bads_total counter");
    const out = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const p = spawn(peerPath("promtool") as string, ["check", "metrics"]);
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (out += d));
      p.on("error", reject);
      p.on("close", (code) => resolve({ code, out }));
      p.stdin.end(`${mine}\n`);
    });
    expect(out.out).toBe("");
    expect(out.code).toBe(0);
  });

  it("a reboot while the server was down is found from the stored uptime", async () => {
    // Restart on the same database: the newest stored uptime of snmp-a is 5 s (ts now − 50 s). 10 s
    // later it reads 2 s: 5 + 10 = 15 expected, so a reboot — counted by the new process from 0.
    // snmp-b: 3 s, then 13 s: no reboot.
    await stop();
    await start();
    await send(
      snmp("fw-1", "snmp-a", now - 40_000, { "sys.uptime_seconds": 2, ...FW }),
      snmp("fw-1", "snmp-b", now - 40_000, { "sys.uptime_seconds": 13 }),
    );
    const { series } = await scrape();
    expect(value(series, "opswatch_device_reboots_total", a1("fw-1", "snmp-a"))).toBe(1);
    expect(value(series, "opswatch_device_reboots_total", a1("fw-1", "snmp-b"))).toBe(0);
    // The live view came back from the store: the UPS gauges are there without a new result.
    expect(value(series, "opswatch_ups_battery_charge_ratio", a1("ups-1", "snmp"))).toBe(0.87);
  });

  it.skipIf(!hasPrometheus)(
    "a real prometheus scrapes them and the alert expressions evaluate on them",
    async () => {
      await eventually(
        async () => ((await prom?.query("opswatch_ups_battery_charge_ratio")) ?? []).length > 0,
        20_000,
        "a scrape",
      );
      expect(await prom?.query('opswatch_ups_battery_charge_ratio{target="ups-1"}')).toEqual([
        {
          metric: {
            __name__: "opswatch_ups_battery_charge_ratio",
            target: "ups-1",
            check: "snmp",
            agent: "a1",
            job: "opswatch",
            instance: `127.0.0.1:${port}`,
          },
          value: [expect.any(Number), "0.87"],
        },
      ]);
      // UpsBatteryLow's expression: LB present (charge 87 % is fine) → 1 for ups-1.
      const low = await prom?.query(
        'max without (flag) (opswatch_ups_status{flag="LB"} or opswatch_ups_battery_charge_ratio < bool 0.3) == 1',
      );
      expect(low?.map((r) => [r.metric.target, r.value[1]])).toEqual([["ups-1", "1"]]);
      // FirewallInterfaceDown's: uplink of fw-a is down, and fw-1 is a firewall (group firewall).
      const down = await prom?.query(
        'opswatch_interface_up == 0 and on (job, instance, target) probe_success{group=~"(?i).*firewall.*"}',
      );
      expect(down?.map((r) => [r.metric.target, r.metric.interface])).toEqual([["fw-1", "uplink"]]);
    },
  );
});
