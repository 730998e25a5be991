// Synthetic month of monitoring for the indicator benchmark (bench/indicators.ts): the config of N
// targets and, per (target, check, agent), the result stream an agent would have produced, with
// outages, flaps, silences, poll timeouts, mains events. Deterministic for a given seed.
//
// A stream is kept compact (timestamps + one status code per result) and turned either into verdict
// samples (for encodeRuns) or into raw results (for the naive comparison and the response-time rows).
import type { Via } from "../config/indicators.js";
import type { Verdict } from "../engine/types.js";
import { verdictOf } from "../engine/verdict.js";
import type { Result } from "../protocol/messages.js";

export type Kind = "web" | "rt" | "ups" | "fw";

/** What one result said, as one byte. */
export const Code = {
  ok: 0,
  /** HTTP/TCP/SNMP failure (the probe did not succeed). */
  fail: 1,
  /** UPS SNMP poll without an answer: a monitoring gap for the power indicators. */
  timeout: 2,
  /** UPS on battery: upsOutputSource battery(5), alarm OnBattery, input voltage 0. */
  onBattery: 3,
  /** Input voltage sag below nominal − 15 %, still on mains. */
  sag: 4,
  /** Load unpowered: upsOutputSource none(2), alarm UpsOutputOff. */
  unpowered: 5,
  /** On bypass(4): an event, not instability. */
  bypass: 6,
} as const;

/** Verdict of each code per `via` (checked against engine/verdict.ts by checkVerdictTable). */
const VERDICTS: Record<Via, readonly Verdict[]> = {
  ok: ["ok", "fail", "fail", "fail", "fail", "fail", "fail"],
  load_powered: ["ok", "fail", "none", "ok", "ok", "fail", "ok"],
  mains_normal: ["ok", "fail", "none", "fail", "fail", "ok", "ok"],
};
export const verdictOfCode = (code: number, via: Via): Verdict => VERDICTS[via][code] as Verdict;

export interface TargetMeta {
  id: string;
  kind: Kind;
  agents: string[];
  /** check id → interval (ms) */
  checks: { id: string; interval: number }[];
}

export interface BenchConfig {
  /** Raw config (input of Config.parse). */
  raw: Record<string, unknown>;
  targets: TargetMeta[];
}

const pad = (i: number) => String(i + 1).padStart(4, "0");

/** How many targets of each kind for a total of n: ~2 % response time (≤ 20), then 40/30/30 % web/UPS/firewall. */
export function mix(n: number): Record<Kind, number> {
  const rt = Math.min(20, Math.max(n >= 10 ? 1 : 0, Math.round(n * 0.02)));
  const rest = n - rt;
  const web = Math.round(rest * 0.4);
  const ups = Math.round(rest * 0.3);
  return { rt, web, ups, fw: rest - web - ups };
}

export function benchConfig(n: number, intervalMs: number): BenchConfig {
  const m = mix(n);
  const iv = `${intervalMs}ms`;
  const targets: Record<string, unknown>[] = [];
  const meta: TargetMeta[] = [];
  for (let i = 0; i < m.web; i++) {
    const id = `web-${pad(i)}`;
    // Every 7th portal is staffed only in office hours (working days of the official calendar).
    const office = i % 7 === 3;
    targets.push({
      id,
      name: `门户网站 ${i + 1}`,
      group: "web",
      checks: [
        {
          id: "home",
          kind: "http",
          url: `https://portal-${i + 1}.example.gov.cn/`,
          interval: iv,
          timeout: "10s",
          keyword: "人民政府",
          agents: ["agent-a", "agent-b"],
        },
      ],
      indicators: [{ id: "website_uptime" }],
      ...(office ? { service_time: { days: "working", hours: ["08:30-12:00", "14:00-17:30"] } } : {}),
    });
    meta.push({
      id,
      kind: "web",
      agents: ["agent-a", "agent-b"],
      checks: [{ id: "home", interval: intervalMs }],
    });
  }
  for (let i = 0; i < m.rt; i++) {
    const id = `rt-${pad(i)}`;
    targets.push({
      id,
      name: `业务系统 ${i + 1}`,
      group: "rt",
      checks: [
        {
          id: "login",
          kind: "http",
          url: `https://app-${i + 1}.example.gov.cn/login`,
          interval: "60s",
          timeout: "10s",
          agents: ["agent-a"],
        },
      ],
      indicators: [{ id: "response_time" }],
    });
    meta.push({ id, kind: "rt", agents: ["agent-a"], checks: [{ id: "login", interval: 60_000 }] });
  }
  for (let i = 0; i < m.ups; i++) {
    const id = `ups-${pad(i)}`;
    targets.push({
      id,
      name: `${i + 1}号UPS`,
      group: "ups",
      checks: [
        {
          id: "snmp",
          kind: "snmp",
          address: `10.1.${i >> 8}.${i & 255}:161`,
          interval: iv,
          timeout: "10s",
          agents: ["agent-a"],
          oids: {
            "ups.output_source": "1.3.6.1.2.1.33.1.4.1.0",
            "input.voltage": "1.3.6.1.2.1.33.1.3.3.1.3.1",
          },
        },
      ],
      indicators: [{ id: "ups_power_stability" }, { id: "room_power_stability" }],
    });
    meta.push({ id, kind: "ups", agents: ["agent-a"], checks: [{ id: "snmp", interval: intervalMs }] });
  }
  for (let i = 0; i < m.fw; i++) {
    const id = `fw-${pad(i)}`;
    targets.push({
      id,
      name: `边界防火墙 ${i + 1}`,
      group: "fw",
      checks: [
        {
          id: "sysuptime",
          kind: "snmp",
          address: `10.2.${i >> 8}.${i & 255}:161`,
          interval: iv,
          timeout: "10s",
          agents: ["agent-a"],
          oids: { "sys.uptime": "1.3.6.1.2.1.1.3.0" },
        },
        {
          id: "tcp443",
          kind: "tcp",
          address: `10.2.${i >> 8}.${i & 255}:443`,
          interval: iv,
          timeout: "10s",
          agents: ["agent-a"],
        },
      ],
      indicators: [{ id: "firewall_stability" }],
    });
    meta.push({
      id,
      kind: "fw",
      agents: ["agent-a"],
      checks: [
        { id: "sysuptime", interval: intervalMs },
        { id: "tcp443", interval: intervalMs },
      ],
    });
  }
  return { raw: { log_level: "warn", targets }, targets: meta };
}

// ---------- randomness ----------

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(r: () => number, mean: number): number {
  let k = 0;
  for (let p = Math.exp(-mean), s = r(); s > p; s *= r()) k++;
  return k;
}

/** Log-uniform duration between lo and hi (ms). */
const between = (r: () => number, lo: number, hi: number) => Math.round(lo * (hi / lo) ** r());

const MIN = 60_000;
const HOUR = 3_600_000;

interface Episode {
  start: number;
  end: number;
  code: number;
}

/** `count` episodes spread uniformly over the range, each lasting between lo and hi. */
function episodes(
  r: () => number,
  range: { start: number; end: number },
  count: number,
  lo: number,
  hi: number,
  code: number,
): Episode[] {
  const out: Episode[] = [];
  for (let i = 0; i < count; i++) {
    const start = range.start + Math.floor(r() * (range.end - range.start));
    out.push({ start, end: start + between(r, lo, hi), code });
  }
  return out;
}

export interface StreamData {
  target: string;
  kind: Kind;
  check: string;
  agent: string;
  interval: number;
  /** Result timestamps (ms), ascending. */
  ts: Float64Array;
  codes: Uint8Array;
  /** Response-time targets only: operation duration (ms). */
  durations?: Float32Array;
}

/**
 * The streams of one target over `range` (a month with a day either side). The scenario mixes what a
 * real month shows: target outages seen by every agent (some by one agent only: a local network
 * problem, which quorum must not count), isolated failed probes (flaps), agents silent for minutes to
 * hours (UNKNOWN), UPS poll timeouts, mains failures on battery, sags, rare load-unpowered events,
 * firewall reboots, and a few flaky targets that flap all month.
 */
export function targetStreams(
  t: TargetMeta,
  range: { start: number; end: number },
  seed: number,
): StreamData[] {
  const r = rng(seed);
  const shared: Episode[] = []; // seen by every stream of the target
  const perAgentExtra = new Map<string, Episode[]>();
  let noise = 0.001; // per-result probability of an isolated failure
  let timeoutNoise = 0;
  const flaky = r() < 0.06;
  if (flaky) noise = 0.02;
  switch (t.kind) {
    case "web":
    case "rt": {
      for (const e of episodes(
        r,
        range,
        poisson(r, t.kind === "web" ? 1.2 : 0.5),
        MIN,
        4 * HOUR,
        Code.fail,
      )) {
        // 30 % of outages are seen by one agent only (its own network path).
        if (t.agents.length > 1 && r() < 0.3) {
          const a = t.agents[Math.floor(r() * t.agents.length)] as string;
          perAgentExtra.set(a, [...(perAgentExtra.get(a) ?? []), e]);
        } else shared.push(e);
      }
      break;
    }
    case "ups": {
      noise = 0;
      timeoutNoise = 0.003;
      if (r() < 0.4) shared.push(...episodes(r, range, 1 + poisson(r, 1), 20_000, 30 * MIN, Code.onBattery));
      shared.push(...episodes(r, range, poisson(r, 0.5), 30_000, 2 * MIN, Code.sag));
      if (r() < 0.03) shared.push(...episodes(r, range, 1, 2 * MIN, 15 * MIN, Code.unpowered));
      if (r() < 0.05) shared.push(...episodes(r, range, 1, 10 * MIN, HOUR, Code.bypass));
      // SNMP card not answering for a while.
      shared.push(...episodes(r, range, poisson(r, 0.3), 5 * MIN, HOUR, Code.timeout));
      break;
    }
    case "fw": {
      noise = flaky ? 0.02 : 0.0005;
      timeoutNoise = 0.004; // SNMP timeouts (a failure for firewall_stability) on the sysuptime check
      if (r() < 0.15) shared.push(...episodes(r, range, 1, 3 * MIN, 8 * MIN, Code.fail)); // reboot
      break;
    }
  }
  shared.sort((a, b) => a.start - b.start);
  const out: StreamData[] = [];
  for (const agent of t.agents) {
    // The agent's own silences (host restart, network): no results at all.
    const silences = episodes(
      r,
      range,
      poisson(r, t.kind === "ups" || t.kind === "fw" ? 0.3 : 0.8),
      5 * MIN,
      3 * HOUR,
      0,
    ).sort((a, b) => a.start - b.start);
    const events = [...shared, ...(perAgentExtra.get(agent) ?? [])].sort((a, b) => a.start - b.start);
    for (const check of t.checks) {
      const n = Math.ceil((range.end - range.start) / check.interval);
      const ts = new Float64Array(n);
      const codes = new Uint8Array(n);
      const durations = t.kind === "rt" ? new Float32Array(n) : undefined;
      const phase = Math.floor(r() * check.interval);
      const snmpTimeouts =
        t.kind === "ups" || (t.kind === "fw" && check.id === "sysuptime") ? timeoutNoise : 0;
      // Office-hour slowness of response-time targets: 09:00–10:00 local is busy.
      const slowFactor = 1 + r() * 3;
      let len = 0;
      let si = 0;
      let ei = 0;
      let burst = 0;
      for (let k = 0; k < n; k++) {
        const at = range.start + phase + k * check.interval + Math.floor(r() * 400);
        if (at >= range.end) break;
        while (si < silences.length && (silences[si] as Episode).end <= at) si++;
        const s = silences[si];
        if (s && s.start <= at) continue;
        while (ei < events.length && (events[ei] as Episode).end <= at) ei++;
        let code: number = Code.ok;
        for (let j = ei; j < events.length && (events[j] as Episode).start <= at; j++)
          if ((events[j] as Episode).end > at) code = Math.max(code, (events[j] as Episode).code);
        if (code === Code.ok) {
          if (burst > 0) {
            code = Code.fail;
            burst--;
          } else if (noise > 0 && r() < noise) {
            code = Code.fail;
            burst = r() < 0.2 ? 1 : 0; // sometimes two in a row: confirmed on one agent only
          } else if (snmpTimeouts > 0 && r() < snmpTimeouts)
            code = t.kind === "ups" ? Code.timeout : Code.fail;
        }
        // A firewall's TCP check answers while only SNMP times out; an outage (reboot) fails both.
        ts[len] = at;
        codes[len] = code;
        if (durations) {
          const hourOfDay = Math.floor(((at + 8 * HOUR) % 86_400_000) / HOUR);
          const busy = hourOfDay === 9 ? slowFactor : 1;
          durations[len] = Math.min(9_999, 450 * busy * Math.exp(0.6 * gauss(r)));
        }
        len++;
      }
      out.push({
        target: t.id,
        kind: t.kind,
        check: check.id,
        agent,
        interval: check.interval,
        ts: ts.subarray(0, len),
        codes: codes.subarray(0, len),
        ...(durations ? { durations: durations.subarray(0, len) } : {}),
      });
    }
  }
  return out;
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** The raw result an agent would have sent for one code (values as the SNMP profiles name them). */
export function rawResult(s: StreamData, i: number, seq: number): Result {
  const code = s.codes[i] as number;
  const ts = s.ts[i] as number;
  const base = { v: 1 as const, agent: s.agent, seq, target: s.target, check: s.check, ts };
  if (s.kind === "ups") {
    const volts = 215 + ((seq * 7919) % 100) / 10; // 215.0 … 224.9 V
    switch (code) {
      case Code.timeout:
        return { ...base, kind: "snmp", duration_ms: 10_000, ok: false, error: "timeout", values: {} };
      case Code.onBattery:
        return {
          ...base,
          kind: "snmp",
          duration_ms: 40,
          ok: true,
          values: { "ups.output_source": 5, "ups.alarms": "OnBattery", "input.voltage": 0 },
        };
      case Code.sag:
        return {
          ...base,
          kind: "snmp",
          duration_ms: 40,
          ok: true,
          values: { "ups.output_source": 3, "ups.alarms": "", "input.voltage": 180.5 },
        };
      case Code.unpowered:
        return {
          ...base,
          kind: "snmp",
          duration_ms: 40,
          ok: true,
          values: { "ups.output_source": 2, "ups.alarms": "UpsOutputOff", "input.voltage": volts },
        };
      case Code.bypass:
        return {
          ...base,
          kind: "snmp",
          duration_ms: 40,
          ok: true,
          values: { "ups.output_source": 4, "ups.alarms": "OnBypass", "input.voltage": volts },
        };
      default:
        return {
          ...base,
          kind: "snmp",
          duration_ms: 40,
          ok: true,
          values: { "ups.output_source": 3, "ups.alarms": "", "input.voltage": volts },
        };
    }
  }
  const kind = s.kind === "fw" ? (s.check === "tcp443" ? "tcp" : "snmp") : "http";
  const ok = code === Code.ok;
  const duration_ms = s.durations ? (s.durations[i] as number) : ok ? 120 : 10_000;
  const values: Result["values"] =
    kind === "http"
      ? ok
        ? { "http.status": 200 }
        : {}
      : kind === "snmp" && ok
        ? { "sys.uptime": 1_000_000 + seq }
        : {};
  return { ...base, kind, duration_ms, ok, ...(ok ? {} : { error: "timeout" }), values };
}

/** Throws unless the code → verdict table agrees with engine/verdict.ts on the raw results. */
export function checkVerdictTable(mains: { nominalVoltage: number; tolerance: number }): void {
  const probe = (kind: Kind, check: string, code: number): StreamData => ({
    target: "x",
    kind,
    check,
    agent: "a",
    interval: 30_000,
    ts: Float64Array.of(0),
    codes: Uint8Array.of(code),
  });
  const cases: [Kind, string, Via, number[]][] = [
    ["ups", "snmp", "load_powered", [0, 2, 3, 4, 5, 6]],
    ["ups", "snmp", "mains_normal", [0, 2, 3, 4, 5, 6]],
    ["web", "home", "ok", [0, 1]],
    ["fw", "sysuptime", "ok", [0, 1]],
    ["fw", "tcp443", "ok", [0, 1]],
  ];
  for (const [kind, check, via, codes] of cases)
    for (const code of codes) {
      const want = verdictOf(rawResult(probe(kind, check, code), 0, 1), via, mains);
      if (want !== verdictOfCode(code, via))
        throw new Error(`verdict table: ${kind} code ${code} via ${via} is ${want}`);
    }
}
