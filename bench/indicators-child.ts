// The measured side of bench/indicators.ts, in a fresh process so its RSS holds only what the
// computation needs. argv[2]: JSON ChildArgs. Prints one JSON line (ChildReport) on stdout.
//   rollup: IndicatorService.compute over the month, from the runs table (as the server does it)
//   naive:  the same figures for a few targets from the raw results, sample by sample (no rollup)
import { readFileSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import { Config } from "../config/schema.js";
import { availability } from "../engine/availability.js";
import { WorkCalendar } from "../engine/calendar.js";
import { exclusionsFor } from "../engine/maintenance.js";
import { indicatorSpecs } from "../engine/mapping.js";
import { serviceIntervals } from "../engine/service-time.js";
import { combineTarget, quorum, streamTimeline } from "../engine/timeline.js";
import type { Flap, Interval, Run } from "../engine/types.js";
import { verdictOf } from "../engine/verdict.js";
import { websiteSampleShare, worstRolling7Days } from "../engine/website.js";
import { IndicatorService, type PeriodFigures } from "../server/indicators.js";
import { SqliteStore } from "../server/store/sqlite.js";

export interface ChildArgs {
  mode: "rollup" | "naive";
  db: string;
  naiveDb?: string;
  configFile: string;
  period: Interval;
  now: number;
  /** naive: the targets to compute. */
  targets?: string[];
  /** rollup: how many times to compute (the first one is the cold, official figure). */
  repeat?: number;
}

/** Per (indicator, target): the figures both approaches must agree on. */
export interface Summary {
  indicator: string;
  target: string;
  ratio: number | null;
  up: number;
  down: number;
  unknown: number;
  outages: number;
  flaps: number;
  samples?: [total: number, failed: number];
  worstWeek?: [start: number, failed: number, total: number] | null;
}

export interface Timing {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** RSS right before the computation (MB). */
  rssBeforeMb: number;
  /** max of process.memoryUsage.rss() sampled at every 8th rollup read, every raw read and at the end (MB). */
  rssSampledMaxMb: number;
  /** VmHWM after resetting it (clear_refs 5) right before the computation (MB). */
  vmHwmMb: number | null;
  heapUsedAfterMb: number;
  /** Longest time the event loop could not run anything else (timers, I/O) during the computation. */
  eventLoopMaxBlockMs: number;
}

export interface ChildReport {
  mode: "rollup" | "naive";
  openMs: number;
  runs: Timing[];
  /** rollup: time inside runs.load (SQL + row objects) and store.operations (raw response-time rows). */
  loadMs?: number;
  loadCalls?: number;
  runRowsLoaded?: number;
  operationsMs?: number;
  operationRows?: number;
  /** naive: rows read from the results table. */
  rawRows?: number;
  summaries: Summary[];
  overview?: {
    id: string;
    value: number | null;
    met: boolean | null;
    targets: number;
    notMet: number;
    lowCoverage: number;
    outages: number;
    flaps: number;
  }[];
  faults?: PeriodFigures["faults"];
  /** rollup: size of the figures as JSON (the API response body). */
  responseBytes?: number;
  /** Whole-process peak RSS (VmHWM before every reset and at the end), MB. */
  processHwmMb: number | null;
}

const MB = 1024 * 1024;
function status(field: "VmHWM" | "VmRSS"): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}
function resetHwm(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

let sampledMax = 0;
/** Whole-process peak: VmHWM read before each reset and at the end. */
let processPeakMb = 0;
const notePeak = () => {
  processPeakMb = Math.max(processPeakMb, status("VmHWM") ?? 0);
};
const sample = () => {
  sampledMax = Math.max(sampledMax, process.memoryUsage.rss());
};

async function measure(fn: () => Promise<void>): Promise<Timing> {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  notePeak();
  const reset = resetHwm();
  sampledMax = rssBefore;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  // The histogram's timer must be running before the computation, or a block is never seen.
  await new Promise((done) => setTimeout(done, 25));
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  // The histogram only records a delay once the loop runs again.
  await new Promise((done) => setTimeout(done, 20));
  loop.disable();
  sample();
  return {
    wallMs,
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    rssBeforeMb: rssBefore / MB,
    rssSampledMaxMb: sampledMax / MB,
    vmHwmMb: reset ? status("VmHWM") : null,
    heapUsedAfterMb: process.memoryUsage().heapUsed / MB,
    eventLoopMaxBlockMs: loop.max / 1e6,
  };
}

function summarize(f: PeriodFigures): Summary[] {
  return f.indicators.flatMap((ind) =>
    ind.targets.map((t) => ({
      indicator: ind.id,
      target: t.target,
      ratio: t.availability.ratio,
      up: t.availability.up,
      down: t.availability.down,
      unknown: t.availability.unknown,
      outages: t.availability.outages.length,
      flaps: t.availability.flaps.length,
      ...(t.website
        ? {
            samples: [t.website.samples.total, t.website.samples.failed] as [number, number],
            worstWeek: t.website.worstWeek
              ? ([t.website.worstWeek.start, t.website.worstWeek.failed, t.website.worstWeek.total] as [
                  number,
                  number,
                  number,
                ])
              : null,
          }
        : {}),
    })),
  );
}

async function rollup(a: ChildArgs): Promise<ChildReport> {
  const config = Config.parse(JSON.parse(readFileSync(a.configFile, "utf8")));
  const t0 = performance.now();
  const store = new SqliteStore(a.db, { synchronous: "normal" });
  const openMs = performance.now() - t0;
  const calendar = new WorkCalendar();
  const tz = config.site.timezone;
  // Instrument the two reads (instance properties shadow the prototype methods).
  let loadMs = 0;
  let loadCalls = 0;
  let runRowsLoaded = 0;
  const load = store.runs.load.bind(store.runs);
  store.runs.load = async (...args) => {
    if (loadCalls % 8 === 0) sample(); // reading /proc costs ~50 µs: not at every call
    const s = performance.now();
    const rows = await load(...args);
    loadMs += performance.now() - s;
    loadCalls++;
    runRowsLoaded += rows.length;
    return rows;
  };
  let operationsMs = 0;
  let operationRows = 0;
  const operations = store.operations.bind(store);
  store.operations = async (...args) => {
    sample();
    const s = performance.now();
    const rows = await operations(...args);
    operationsMs += performance.now() - s;
    operationRows += rows.length;
    return rows;
  };
  const service = new IndicatorService({
    config,
    specs: indicatorSpecs(config.targets),
    store,
    runs: store.runs,
    faults: store.faults,
    maintenance: store.maintenance,
    calendar,
    clock: { severities: config.severities, tz, calendar },
    flush: async () => {},
  });
  const runs: Timing[] = [];
  let figures: PeriodFigures | undefined;
  const first = { loadMs: 0, loadCalls: 0, runRowsLoaded: 0, operationsMs: 0, operationRows: 0 };
  for (let i = 0; i < (a.repeat ?? 1); i++) {
    figures = undefined;
    runs.push(
      await measure(async () => {
        figures = await service.compute(a.period, a.now);
      }),
    );
    if (i === 0) Object.assign(first, { loadMs, loadCalls, runRowsLoaded, operationsMs, operationRows });
  }
  const f = figures as unknown as PeriodFigures;
  await store.close();
  // What GET /api/v1/indicators would send for this period (sendJson spells +Infinity as "+Inf").
  const responseBytes = Buffer.byteLength(
    JSON.stringify(f, (_k, v) => (v === Number.POSITIVE_INFINITY ? "+Inf" : v)),
  );
  return {
    mode: "rollup",
    openMs,
    runs,
    ...first,
    summaries: summarize(f),
    overview: f.indicators.map((ind) => ({
      id: ind.id,
      value: ind.value,
      met: ind.met,
      targets: ind.targets.length,
      notMet: ind.targets.filter((t) => t.met === false).length,
      lowCoverage: ind.targets.filter((t) => t.lowCoverage).length,
      outages: ind.targets.reduce((s, t) => s + t.availability.outages.length, 0),
      flaps: ind.targets.reduce((s, t) => s + t.availability.flaps.length, 0),
    })),
    faults: f.faults,
    responseBytes,
    processHwmMb: null,
  };
}

/**
 * The naive way: for each target, read every raw result of the month (and the same lookback as the
 * service) from the results table, judge each one (parsing its values) and feed it to the engine as a
 * run of one sample — the same timeline, quorum, availability and website figures, without rollups.
 */
async function naive(a: ChildArgs): Promise<ChildReport> {
  const config = Config.parse(JSON.parse(readFileSync(a.configFile, "utf8")));
  const tz = config.site.timezone;
  const t0 = performance.now();
  const main = new SqliteStore(a.db, { synchronous: "normal" });
  const raw = new Database(a.naiveDb as string, { readonly: true });
  const openMs = performance.now() - t0;
  const calendar = new WorkCalendar();
  const windows = (await main.maintenance.all()).map((m) => m.window);
  const targets = new Map(config.targets.map((t) => [t.id, t]));
  const wanted = new Set(a.targets ?? []);
  const specs = indicatorSpecs(config.targets).filter((s) => wanted.has(s.target));
  const mains = {
    nominalVoltage: config.indicators.room_power_stability.nominal_voltage,
    tolerance: config.indicators.room_power_stability.tolerance,
  };
  const period = { start: a.period.start, end: Math.min(a.period.end, a.now) };
  const range = { start: period.start - 31 * 86_400_000, end: Math.min(period.end + 86_400_000, a.now) };
  const select = raw.prepare(
    "SELECT agent, check_id, ts, ok, vals FROM results WHERE target = ? AND ts >= ? AND ts < ? ORDER BY ts",
  );
  const summaries: Summary[] = [];
  let rawRows = 0;
  const timing = await measure(async () => {
    for (const spec of specs) {
      const target = targets.get(spec.target);
      if (!target) continue;
      const params = config.indicators[spec.indicator];
      const holds = new Map(spec.checks.map((c) => [c.id, c.hold]));
      const streams = new Map<string, Map<string, Run[]>>();
      for (const row of select.iterate(spec.target, range.start, range.end) as Iterable<{
        agent: string;
        check_id: string;
        ts: number;
        ok: number;
        vals: string;
      }>) {
        rawRows++;
        const hold = holds.get(row.check_id);
        if (hold === undefined) continue;
        const values = spec.via === "ok" ? {} : JSON.parse(row.vals);
        const verdict = verdictOf({ ok: row.ok === 1, values }, spec.via, mains);
        let byAgent = streams.get(row.check_id);
        if (!byAgent) {
          byAgent = new Map();
          streams.set(row.check_id, byAgent);
        }
        let runs = byAgent.get(row.agent);
        if (!runs) {
          runs = [];
          byAgent.set(row.agent, runs);
        }
        runs.push({ start: row.ts, last: row.ts, count: 1, verdict, hold });
      }
      sample();
      const flaps: Flap[] = [];
      const perCheck = spec.checks.map((c) =>
        quorum(
          [...(streams.get(c.id)?.entries() ?? [])].map(([agent, runs]) => {
            const t = streamTimeline({ check: c.id, agent, confirm: c.confirm, runs }, range);
            flaps.push(...t.flaps);
            return t.segments;
          }),
          range,
        ),
      );
      const segments = combineTarget(perCheck, spec.checks, spec.combine, range);
      const ast = serviceIntervals(target.service_time, period, tz, calendar);
      const ex = exclusionsFor(spec.target, spec.group, windows, period, tz, ast);
      const fig = availability({
        segments,
        ast,
        exclusions: ex.intervals,
        period,
        unknown: params.unknown,
        flaps,
      });
      const s: Summary = {
        indicator: spec.indicator,
        target: spec.target,
        ratio: fig.ratio,
        up: fig.up,
        down: fig.down,
        unknown: fig.unknown,
        outages: fig.outages.length,
        flaps: fig.flaps.length,
      };
      if (spec.indicator === "website_uptime") {
        const all = [...streams.values()].flatMap((m) => [...m.values()]);
        const share = websiteSampleShare(all, period);
        const week = worstRolling7Days(all, period, tz, config.indicators.website_uptime.veto_share);
        s.samples = [share.total, share.failed];
        s.worstWeek = week ? [week.start, week.failed, week.total] : null;
      }
      summaries.push(s);
    }
  });
  raw.close();
  await main.close();
  return { mode: "naive", openMs, runs: [timing], rawRows, summaries, processHwmMb: null };
}

const args = JSON.parse(process.argv[2] ?? "{}") as ChildArgs;
const report = args.mode === "naive" ? await naive(args) : await rollup(args);
notePeak();
report.processHwmMb = processPeakMb || null;
process.stdout.write(`${JSON.stringify(report)}\n`);
