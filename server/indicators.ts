// The official figures for any period, computed from the rollups exactly as indicators.md defines
// them (engine/ does the arithmetic; this file only gathers the inputs).
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { TimeIndicator } from "../config/indicators.js";
import type { Config, Target } from "../config/schema.js";
import { aggregate } from "../engine/aggregate.js";
import { availability, isMet } from "../engine/availability.js";
import type { WorkCalendar } from "../engine/calendar.js";
import { type FaultClock, faultRates, mtta, mttr, type Rate } from "../engine/faults.js";
import type { InspectionRate } from "../engine/inspections.js";
import { intersect, subtract } from "../engine/intervals.js";
import { type ExclusionEntry, exclusionsFor, type MaintenanceWindow } from "../engine/maintenance.js";
import type { IndicatorSpec } from "../engine/mapping.js";
import { findReboots } from "../engine/reboots.js";
import { type ResponseTimeFigures, responseTimeFigures } from "../engine/response-time.js";
import { serviceIntervals } from "../engine/service-time.js";
import { combineTarget, overlayDown, quorum, streamTimeline } from "../engine/timeline.js";
import type { AvailabilityFigures, Flap, Interval, Run, Segment } from "../engine/types.js";
import {
  type SampleShare,
  type WorstWeek,
  websiteSampleShare,
  worstRolling7Days,
} from "../engine/website.js";
import { addDays, datesIn, zonedTime } from "../engine/zone.js";
import { inspectionFigures } from "./inspections.js";
import type { RunRow } from "./store/runs.js";
import type { FaultStore, MaintenanceStore, RunStore, Store } from "./store/store.js";

/** How far back runs are read so an outage or failure run that began before the period is seen whole. */
const LOOKBACK_MS = 31 * 86_400_000;
const DAY = 86_400_000;
/**
 * Runs are first read only this far back (plus the longest hold); the month of LOOKBACK_MS is read only
 * for a target whose figures it could change (see IndicatorService.timeline): reading it always doubles
 * the work of a monthly report.
 */
const SHORT_LOOKBACK_MS = DAY;

export interface TargetFigures {
  target: string;
  name: string;
  group: string;
  availability: AvailabilityFigures;
  met: boolean | null;
  lowCoverage: boolean;
  exclusions: ExclusionEntry[];
  /**
   * The ratio of each local day of the period (null = n/a: no service time or nothing known that day),
   * from the same segments, service time and exclusions as the period figure.
   */
  daily: DailyRatio[];
  website?: { samples: SampleShare; worstWeek: WorstWeek | null };
  responseTime?: ResponseTimeFigures;
}

export interface DailyRatio {
  /** Local date YYYY-MM-DD (site zone). */
  date: string;
  ratio: number | null;
}

export interface IndicatorFigures {
  id: string;
  objective: number;
  /** Group figure (aggregate over targets; for response_time the worst percentile in ms). */
  value: number | null;
  met: boolean | null;
  targets: TargetFigures[];
}

export interface PeriodFigures {
  period: Interval;
  computedAt: number;
  indicators: IndicatorFigures[];
  faults: { response: Rate; completion: Rate; mttaMs: number | null; mttrMs: number | null };
  /** Inspection runs scheduled in the period (missed ones included) and the item pass share. */
  inspections: InspectionRate;
}

export interface IndicatorDeps {
  config: Config;
  specs: readonly IndicatorSpec[];
  store: Store;
  runs: RunStore;
  faults: FaultStore;
  maintenance: MaintenanceStore;
  calendar: WorkCalendar;
  clock: FaultClock;
  /** Saves rollups still in memory, so figures include the latest results. */
  flush: () => Promise<void>;
}

export class IndicatorService {
  private readonly targets: Map<string, Target>;

  constructor(private readonly d: IndicatorDeps) {
    this.targets = new Map(d.config.targets.map((t) => [t.id, t]));
  }

  /** Figures for [period.start, min(period.end, now)): a month to date ends now. */
  async compute(requested: Interval, now: number): Promise<PeriodFigures> {
    await this.d.flush();
    const period = { start: requested.start, end: Math.min(requested.end, now) };
    const windows = (await this.d.maintenance.all()).map((m) => m.window);
    const ind = this.d.config.indicators;
    const out: IndicatorFigures[] = [];
    for (const id of TimeIndicator.options) {
      const params = ind[id];
      const targets: TargetFigures[] = [];
      for (const spec of this.d.specs.filter((s) => s.indicator === id))
        targets.push(await this.target(spec, period, now, windows));
      if (id === "response_time") {
        const rt = targets.map((t) => t.responseTime);
        const p = rt.map((r) => r?.p95 ?? null).filter((x): x is number => x !== null);
        const met = rt.some((r) => r?.met === false)
          ? false
          : rt.every((r) => r?.met === true) && rt.length
            ? true
            : null;
        out.push({
          id,
          objective: ind.response_time.limit_ms,
          value: p.length ? Math.max(...p) : null,
          met,
          targets,
        });
        continue;
      }
      const value = aggregate(
        targets.map((t) => t.availability.ratio),
        params.aggregate,
      );
      out.push({ id, objective: params.objective, value, met: isMet(value, params.objective), targets });
    }
    const faults = await this.d.faults.list({ from: period.start, to: period.end, limit: 100_000 });
    const rates = faultRates(faults, period, now, this.d.clock);
    out.push(
      {
        id: "fault_response_rate",
        objective: ind.fault_response_rate.objective,
        value: rates.response.ratio,
        met: isMet(rates.response.ratio, ind.fault_response_rate.objective),
        targets: [],
      },
      {
        id: "fault_completion_rate",
        objective: ind.fault_completion_rate.objective,
        value: rates.completion.ratio,
        met: isMet(rates.completion.ratio, ind.fault_completion_rate.objective),
        targets: [],
      },
    );
    // inspection_pass_rate: compliant ÷ judged runs scheduled in the period (a missed run counts, rule 17)
    const inspections = await inspectionFigures(
      this.d.store.inspections,
      this.d.faults,
      period,
      now,
      this.d.config.site.timezone,
    );
    const ip = ind.inspection_pass_rate.objective;
    out.push({
      id: "inspection_pass_rate",
      objective: ip,
      value: inspections.ratio,
      met: isMet(inspections.ratio, ip),
      targets: [],
    });
    return {
      period,
      computedAt: now,
      indicators: out,
      faults: {
        response: rates.response,
        completion: rates.completion,
        mttaMs: mtta(rates.judgements),
        mttrMs: mttr(rates.judgements),
      },
      inspections,
    };
  }

  private async target(
    spec: IndicatorSpec,
    period: Interval,
    now: number,
    windows: MaintenanceWindow[],
  ): Promise<TargetFigures> {
    // A turn for the event loop between targets: the figures of 1,000 targets take seconds of CPU, which
    // would otherwise stall ingest, the API and /metrics for as long (bench/indicators.ts measures it).
    await yieldToLoop();
    const tz = this.d.config.site.timezone;
    const target = this.targets.get(spec.target) as Target;
    const params = this.d.config.indicators[spec.indicator];
    // Runs far enough back for carried-in state and raw outage starts, and past the period for raw ends.
    const end = Math.min(period.end + DAY, now);
    const longStart = period.start - LOOKBACK_MS;
    const maxHold = Math.max(0, ...spec.checks.map((c) => c.hold));
    const shortStart = period.start - SHORT_LOOKBACK_MS - maxHold;
    let line = await this.timeline(spec, { start: Math.max(shortStart, longStart), end }, maxHold);
    if (line.truncated && shortStart > longStart)
      line = await this.timeline(spec, { start: longStart, end }, maxHold);
    const { streams, flaps, segments } = line;
    // Service time and maintenance are the same for every target with the same hours and windows.
    const memo = this.memo(windows);
    const stKey = `${period.start}-${period.end}\0${JSON.stringify(target.service_time)}`;
    let ast = memo.ast.get(stKey);
    if (!ast) {
      ast = serviceIntervals(target.service_time, period, tz, this.d.calendar);
      memo.ast.set(stKey, ast);
    }
    const applying = windows
      .filter((w) => (w.targets ? w.targets.includes(spec.target) : w.groups.includes(spec.group)))
      .map((w) => w.id);
    const exKey = `${stKey}\0${applying.join(",")}`;
    let ex = memo.exclusions.get(exKey);
    if (!ex) {
      ex = exclusionsFor(spec.target, spec.group, windows, period, tz, ast);
      memo.exclusions.set(exKey, ex);
    }
    const figures = availability({
      segments,
      ast,
      exclusions: ex.intervals,
      period,
      unknown: params.unknown,
      flaps,
    });
    const result: TargetFigures = {
      target: spec.target,
      name: target.name,
      group: spec.group,
      availability: figures,
      met: isMet(figures.ratio, params.objective),
      lowCoverage: figures.coverage !== null && figures.coverage < params.coverage_warning,
      exclusions: ex.report,
      daily: dailyRatios(segments, ast, ex.intervals, period, tz, params.unknown),
    };
    if (spec.indicator === "website_uptime") {
      const all = [...streams.values()].flatMap((byAgent) => [...byAgent.values()]);
      const veto = this.d.config.indicators.website_uptime.veto_share;
      result.website = {
        samples: websiteSampleShare(all, period),
        worstWeek: worstRolling7Days(all, period, tz, veto),
      };
    }
    if (spec.indicator === "response_time") {
      const rt = this.d.config.indicators.response_time;
      const samples = await this.d.store.operations(
        spec.target,
        spec.checks.map((c) => c.id),
        period.start,
        period.end,
      );
      const included = subtract(intersect(ast, [period]), ex.intervals);
      result.responseTime = responseTimeFigures(samples, included, rt.limit_ms, rt.percentile);
      result.met = result.responseTime.met;
    }
    return result;
  }

  /**
   * The target's timeline over `range` from its runs. `truncated` says that runs before the range could
   * change something from `range.start + maxHold` on — the figures, flaps or the raw start of an outage
   * — so the caller reads further back: a stream whose first run is not a success (failures before it
   * may count toward its confirmation), or a DOWN spell that reaches back to within a hold of the range
   * start. Otherwise every stream starts with a success, after which earlier runs change nothing, and
   * they reach at most a hold into the range.
   */
  private async timeline(spec: IndicatorSpec, range: Interval, maxHold: number) {
    const rows = await this.d.runs.load(spec.target, spec.indicator, range.start, range.end);
    const streams = groupStreams(rows);
    const reboots = await this.reboots(spec, range);
    const flaps: Flap[] = [];
    let truncated = false;
    const perCheck = spec.checks.map((c) => {
      const agents = [...(streams.get(c.id)?.entries() ?? [])].map(([agent, runs]) => {
        if (runs[0] && runs[0].verdict !== "ok") truncated = true;
        const t = streamTimeline({ check: c.id, agent, confirm: c.confirm, runs }, range);
        flaps.push(...t.flaps);
        const down = c.role === "state" ? reboots.get(`${c.source}\0${agent}`) : undefined;
        return down ? overlayDown(t.segments, down, range) : t.segments;
      });
      return quorum(agents, range);
    });
    const segments = combineTarget(perCheck, spec.checks, spec.combine, range);
    if (segments.some((s) => s.state === "down" && s.start <= range.start + maxHold)) truncated = true;
    return { streams, flaps, segments, truncated };
  }

  /**
   * Rule 7: an unplanned reboot counts as DOWN from the poll before it to the boot time. Found in the raw
   * results (sys.uptime_seconds) of the state streams' checks, per (check, agent), so an auditor can
   * recompute it; no rollup holds it.
   */
  private async reboots(spec: IndicatorSpec, range: Interval): Promise<Map<string, Interval[]>> {
    const out = new Map<string, Interval[]>();
    const checks = spec.checks.filter((c) => c.role === "state").map((c) => c.source);
    if (checks.length === 0) return out;
    const samples = new Map<string, { ts: number; uptime: number }[]>();
    for (const u of await this.d.store.uptimes(spec.target, checks, range.start, range.end)) {
      const k = `${u.check}\0${u.agent}`;
      const list = samples.get(k);
      if (list) list.push(u);
      else samples.set(k, [u]);
    }
    for (const [k, list] of samples) out.set(k, findReboots(list));
    return out;
  }

  /** Per computation (one maintenance list each): service intervals and exclusions already computed. */
  private readonly memos = new WeakMap<
    readonly MaintenanceWindow[],
    { ast: Map<string, Interval[]>; exclusions: Map<string, ReturnType<typeof exclusionsFor>> }
  >();
  private memo(windows: readonly MaintenanceWindow[]) {
    let m = this.memos.get(windows);
    if (!m) {
      m = { ast: new Map(), exclusions: new Map() };
      this.memos.set(windows, m);
    }
    return m;
  }
}

/** check → agent → runs (in time order, as stored; a RunRow is a Run). */
function groupStreams(rows: readonly RunRow[]): Map<string, Map<string, Run[]>> {
  const out = new Map<string, Map<string, Run[]>>();
  for (const r of rows) {
    let byAgent = out.get(r.check);
    if (!byAgent) {
      byAgent = new Map();
      out.set(r.check, byAgent);
    }
    let runs = byAgent.get(r.agent);
    if (!runs) {
      runs = [];
      byAgent.set(r.agent, runs);
    }
    runs.push(r);
  }
  return out;
}

/**
 * availability() of each local day of the period over the same inputs as the period figure (the day's
 * part of the segments only, so a month costs about one pass over them); days cut to the period.
 */
export function dailyRatios(
  segments: readonly Segment[],
  ast: readonly Interval[],
  exclusions: readonly Interval[],
  period: Interval,
  tz: string,
  unknown: "exclude" | "count_as_down",
): DailyRatio[] {
  const sorted = [...segments].sort((a, b) => a.start - b.start);
  const out: DailyRatio[] = [];
  let i = 0;
  for (const date of datesIn(period.start, period.end, tz)) {
    const start = Math.max(zonedTime(date, 0, tz), period.start);
    const end = Math.min(zonedTime(addDays(date, 1), 0, tz), period.end);
    if (end <= start) continue;
    while (i < sorted.length && (sorted[i] as Segment).end <= start) i++;
    const day: Segment[] = [];
    for (let j = i; j < sorted.length && (sorted[j] as Segment).start < end; j++)
      if ((sorted[j] as Segment).end > start) day.push(sorted[j] as Segment);
    const f = availability({ segments: day, ast, exclusions, period: { start, end }, unknown, flaps: [] });
    out.push({ date, ratio: f.ratio });
  }
  return out;
}
