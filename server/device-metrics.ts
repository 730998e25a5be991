// Typed UPS and network-device metrics from the values of SNMP results (docs/snmp.md names them), in
// base units with Prometheus naming. Gauges are rebuilt from the live view on each scrape, like the
// probe gauges, so a device whose results go stale drops out; reboots and poll durations are counted
// as results are committed. Labels are bounded by the config: targets, checks, agents, the
// designated interfaces' `name`s, and fixed sets (NUT flags, HA roles, directions).
import { Counter, Histogram, type Registry } from "prom-client";
import type { Check } from "../config/schema.js";
import { rebootBetween, type UptimeSample } from "../engine/reboots.js";
import type { Result, Values } from "../protocol/messages.js";
import { type GaugeDef, gaugeFamily } from "./gauge-family.js";
import type { LiveView } from "./live.js";

/** NUT `ups.status` tokens exported as a state set: one series per flag, 1 when present. */
export const UPS_FLAGS = ["OL", "OB", "LB", "BYPASS", "OFF", "OVER", "TRIM", "BOOST", "RB"] as const;

/** vrrpOperState numbering (VRRP-MIB) → `role` label of opswatch_ha_role. */
export const HA_ROLES: Readonly<Record<number, string>> = { 1: "initialize", 2: "backup", 3: "master" };

/** Every gauge derived from result values; all also carry target, check and agent. */
const GAUGES = {
  opswatch_ups_battery_charge_ratio: { help: "Battery charge (battery.charge), 0-1", labels: [] },
  opswatch_ups_battery_runtime_seconds: {
    help: "Estimated runtime on battery at the present load (battery.runtime)",
    labels: [],
  },
  opswatch_ups_battery_voltage_volts: { help: "Battery voltage (battery.voltage)", labels: [] },
  opswatch_ups_input_voltage_volts: { help: "Input voltage of the first line (input.voltage)", labels: [] },
  opswatch_ups_input_frequency_hertz: { help: "Input frequency (input.frequency)", labels: [] },
  opswatch_ups_output_voltage_volts: { help: "Output voltage (output.voltage)", labels: [] },
  opswatch_ups_load_ratio: { help: "Output load (ups.load), 0-1 of the rated power", labels: [] },
  opswatch_ups_status: {
    help: "NUT status flags (ups.status) as a state set: 1 when the flag is present, else 0",
    labels: ["flag"],
  },
  opswatch_ups_load_powered: {
    help: "1 when the UPS powers its load, 0 when not (ups_power_stability rule, ups.load_powered)",
    labels: [],
  },
  opswatch_ups_mains_normal: {
    help: "1 when mains power is normal, 0 when not (room_power_stability rule, ups.mains_normal)",
    labels: [],
  },
  opswatch_device_uptime_seconds: { help: "Device uptime from sysUpTime.0 (sys.uptime_seconds)", labels: [] },
  opswatch_device_cpu_ratio: { help: "Device CPU use (fw.cpu_percent), 0-1", labels: [] },
  opswatch_device_memory_ratio: { help: "Device memory use (fw.mem_percent), 0-1", labels: [] },
  opswatch_interface_up: {
    help: "1 when a designated interface's ifOperStatus is up(1), else 0 (if.<name>.oper_status)",
    labels: ["interface"],
  },
  opswatch_interface_traffic_bytes_per_second: {
    help: "Traffic of a designated interface from ifHCIn/OutOctets between two polls (if.<name>.in_bps / out_bps ÷ 8)",
    labels: ["interface", "direction"],
  },
  opswatch_ha_role: {
    help: "HA role from vrrpOperState (vrrp.state) as a state set: 1 for the current role, else 0",
    labels: ["member", "role"],
  },
} as const satisfies Record<string, GaugeDef>;

export type DeviceGauge = keyof typeof GAUGES;

export interface DeviceSample {
  metric: DeviceGauge;
  /** Labels besides target, check and agent. */
  labels: Record<string, string>;
  value: number;
}

/** A number from a numeric or boolean value; undefined for strings and absent values. */
function num(v: Values[string] | undefined): number | undefined {
  if (typeof v === "boolean") return v ? 1 : 0;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Value name → gauge, with the divisor to base units (percent → ratio). */
const SCALARS: readonly [string, DeviceGauge, number][] = [
  ["battery.charge", "opswatch_ups_battery_charge_ratio", 100],
  ["battery.runtime", "opswatch_ups_battery_runtime_seconds", 1],
  ["battery.voltage", "opswatch_ups_battery_voltage_volts", 1],
  ["input.voltage", "opswatch_ups_input_voltage_volts", 1],
  ["input.frequency", "opswatch_ups_input_frequency_hertz", 1],
  ["output.voltage", "opswatch_ups_output_voltage_volts", 1],
  ["ups.load", "opswatch_ups_load_ratio", 100],
  ["ups.load_powered", "opswatch_ups_load_powered", 1],
  ["ups.mains_normal", "opswatch_ups_mains_normal", 1],
  ["sys.uptime_seconds", "opswatch_device_uptime_seconds", 1],
  ["fw.cpu_percent", "opswatch_device_cpu_ratio", 100],
  ["fw.mem_percent", "opswatch_device_memory_ratio", 100],
];

/**
 * The typed samples one SNMP result's values give. Pure. `interfaces` are the designated interface
 * names of the check's config: values of other interfaces are ignored (bounded labels).
 */
export function deviceSamples(values: Values, interfaces: readonly string[], member: string): DeviceSample[] {
  const out: DeviceSample[] = [];
  for (const [name, metric, divisor] of SCALARS) {
    const v = num(values[name]);
    // Divided, not multiplied by 0.01: 87 / 100 is 0.87, 87 * 0.01 is 0.8700000000000001.
    if (v !== undefined) out.push({ metric, labels: {}, value: v / divisor });
  }
  const status = values["ups.status"];
  if (typeof status === "string") {
    const present = new Set(status.split(/\s+/));
    for (const flag of UPS_FLAGS)
      out.push({ metric: "opswatch_ups_status", labels: { flag }, value: present.has(flag) ? 1 : 0 });
  }
  for (const name of interfaces) {
    const oper = num(values[`if.${name}.oper_status`]);
    if (oper !== undefined)
      out.push({ metric: "opswatch_interface_up", labels: { interface: name }, value: oper === 1 ? 1 : 0 });
    for (const direction of ["in", "out"]) {
      const bps = num(values[`if.${name}.${direction}_bps`]);
      // Bytes, the base unit (Prometheus naming): bits are a display choice (× 8 in the dashboard).
      if (bps !== undefined)
        out.push({
          metric: "opswatch_interface_traffic_bytes_per_second",
          labels: { interface: name, direction },
          value: bps / 8,
        });
    }
  }
  const vrrp = num(values["vrrp.state"]);
  if (vrrp !== undefined)
    for (const [n, role] of Object.entries(HA_ROLES))
      out.push({ metric: "opswatch_ha_role", labels: { member, role }, value: vrrp === Number(n) ? 1 : 0 });
  return out;
}

/** The designated interface names of a check (config `interfaces[].name`). */
function interfaceNames(check: Check): string[] {
  return check.kind === "snmp" ? check.interfaces.map((i) => i.name) : [];
}

const key = (target: string, check: string, agent: string) => `${target}\0${check}\0${agent}`;

export class DeviceMetrics {
  private readonly reboots: Counter<"target" | "check" | "agent">;
  private readonly pollSeconds: Histogram<"target" | "check" | "agent">;
  /** The previous sys.uptime_seconds of each (target, check, agent), in commit order. */
  private readonly uptimes = new Map<string, UptimeSample>();

  constructor(
    registry: Registry,
    private readonly live: LiveView,
    knownAgents: readonly string[],
    now: () => number,
  ) {
    const base = ["target", "check", "agent"];
    // rebuild() also refreshes lineBads, registered after the gauges, so it too is read fresh.
    const gauges = gaugeFamily<DeviceGauge>(registry, GAUGES, () => rebuild());
    // A device counter, exported as the counter it is: rate() and increase() handle its resets.
    const lineBads = new Counter({
      name: "opswatch_ups_input_line_bads_total",
      help: "The UPS's count of input out-of-tolerance events (upsInputLineBads, input.line_bads)",
      labelNames: base,
      registers: [registry],
    });
    const rebuild = () => {
      const t = now();
      for (const g of gauges.values()) g.reset();
      lineBads.reset();
      for (const target of live.targets)
        for (const check of target.checks) {
          if (check.kind !== "snmp") continue;
          const interfaces = interfaceNames(check);
          const member = check.member ?? check.id;
          for (const a of live.agentsOf(target.id, check.id, t)) {
            if (!a.fresh || a.last.kind !== "snmp") continue;
            const labels = { target: target.id, check: check.id, agent: a.agent };
            for (const s of deviceSamples(a.last.values, interfaces, member))
              gauges.get(s.metric)?.set({ ...labels, ...s.labels }, s.value);
            const bads = num(a.last.values["input.line_bads"]);
            if (bads !== undefined && bads >= 0) lineBads.inc(labels, bads);
          }
        }
    };

    this.reboots = new Counter({
      name: "opswatch_device_reboots_total",
      help: "Reboots seen at ingest: sys.uptime_seconds went backwards between two polls, not by the 497-day wrap",
      labelNames: base,
      registers: [registry],
    });
    this.pollSeconds = new Histogram({
      name: "opswatch_snmp_poll_duration_seconds",
      help: "How long each SNMP poll took (the whole poll, retries included), as the agent measured it",
      labelNames: base,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    // At 0 from the start, so the first reboot is an increase Prometheus can see.
    for (const target of live.targets)
      for (const check of target.checks) {
        if (check.kind !== "snmp") continue;
        for (const agent of check.agents ?? knownAgents)
          this.reboots.inc({ target: target.id, check: check.id, agent }, 0);
        // The newest stored uptime of each agent: a reboot while the server was down is still found.
        for (const a of live.agentsOf(target.id, check.id, now())) this.rememberUptime(a.last);
      }
  }

  /**
   * Committed results, new ones only (no duplicates), in commit order: an agent sends its results in
   * poll order, so consecutive uptimes of one (target, check, agent) are consecutive polls.
   */
  observe(results: readonly Result[]): void {
    for (const r of results) {
      if (r.kind !== "snmp" || !this.live.isConfigured(r.target, r.check)) continue;
      const labels = { target: r.target, check: r.check, agent: r.agent };
      this.pollSeconds.observe(labels, r.duration_ms / 1000);
      const prev = this.uptimes.get(key(r.target, r.check, r.agent));
      const cur = this.rememberUptime(r);
      if (prev && cur && rebootBetween(prev, cur)) this.reboots.inc(labels);
    }
  }

  private rememberUptime(r: Result): UptimeSample | undefined {
    const uptime = num(r.values["sys.uptime_seconds"]);
    if (uptime === undefined) return undefined;
    const sample = { ts: r.ts, uptime };
    this.uptimes.set(key(r.target, r.check, r.agent), sample);
    return sample;
  }
}
