// The official figures for any period, computed from the rollups exactly as indicators.md defines
// them (engine/ does the arithmetic; this file only gathers the inputs).
import type { Config, Target } from "../config/schema.js";
import { aggregate } from "../engine/aggregate.js";
import { availability, isMet } from "../engine/availability.js";
import type { WorkCalendar } from "../engine/calendar.js";
import { faultRates, type FaultClock, mtta, mttr, type Rate } from "../engine/faults.js";
import { intersect, subtract } from "../engine/intervals.js";
import { exclusionsFor, type ExclusionEntry, type MaintenanceWindow } from "../engine/maintenance.js";
import type { IndicatorSpec } from "../engine/mapping.js";
import { responseTimeFigures, type ResponseTimeFigures } from "../engine/response-time.js";
import { serviceIntervals } from "../engine/service-time.js";
import { combineChecks, quorum, streamTimeline } from "../engine/timeline.js";
import type { AvailabilityFigures, Flap, Interval, Run } from "../engine/types.js";
import { websiteSampleShare, worstRolling7Days, type SampleShare, type WorstWeek } from "../engine/website.js";
import type { SqliteFaultStore } from "./store/faults.js";
import type { SqliteMaintenanceStore } from "./store/maintenance.js";
import type { RunRow, SqliteRunStore } from "./store/runs.js";
import type { SqliteStore } from "./store/sqlite.js";

/** How far back runs are read so an outage or failure run that began before the period is seen whole. */
const LOOKBACK_MS = 31 * 86_400_000;
const DAY = 86_400_000;

export interface TargetFigures {
  target: string;
  name: string;
  group: string;
  availability: AvailabilityFigures;
  met: boolean | null;
  lowCoverage: boolean;
  exclusions: ExclusionEntry[];
  website?: { samples: SampleShare; worstWeek: WorstWeek | null };
  responseTime?: ResponseTimeFigures;
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
}

export interface IndicatorDeps {
  config: Config;
  specs: readonly IndicatorSpec[];
  store: SqliteStore;
  runs: SqliteRunStore;
  faults: SqliteFaultStore;
  maintenance: SqliteMaintenanceStore;
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
    for (const id of ["website_uptime", "response_time", "ups_power_stability", "room_power_stability", "firewall_stability"] as const) {
      const params = ind[id];
      const targets: TargetFigures[] = [];
      for (const spec of this.d.specs.filter((s) => s.indicator === id))
        targets.push(await this.target(spec, period, now, windows));
      if (id === "response_time") {
        const rt = targets.map((t) => t.responseTime);
        const p = rt.map((r) => r?.p95 ?? null).filter((x): x is number => x !== null);
        const met = rt.some((r) => r?.met === false) ? false : rt.every((r) => r?.met === true) && rt.length ? true : null;
        out.push({ id, objective: ind.response_time.limit_ms, value: p.length ? Math.max(...p) : null, met, targets });
        continue;
      }
      const value = aggregate(targets.map((t) => t.availability.ratio), params.aggregate);
      out.push({ id, objective: params.objective, value, met: isMet(value, params.objective), targets });
    }
    const faults = await this.d.faults.list({ from: period.start, to: period.end, limit: 100_000 });
    const rates = faultRates(faults, period, now, this.d.clock);
    out.push(
      { id: "fault_response_rate", objective: ind.fault_response_rate.objective, value: rates.response.ratio, met: isMet(rates.response.ratio, ind.fault_response_rate.objective), targets: [] },
      { id: "fault_completion_rate", objective: ind.fault_completion_rate.objective, value: rates.completion.ratio, met: isMet(rates.completion.ratio, ind.fault_completion_rate.objective), targets: [] },
    );
    return {
      period,
      computedAt: now,
      indicators: out,
      faults: { response: rates.response, completion: rates.completion, mttaMs: mtta(rates.judgements), mttrMs: mttr(rates.judgements) },
    };
  }

  private async target(spec: IndicatorSpec, period: Interval, now: number, windows: MaintenanceWindow[]): Promise<TargetFigures> {
    const tz = this.d.config.site.timezone;
    const target = this.targets.get(spec.target) as Target;
    const params = this.d.config.indicators[spec.indicator];
    // Runs far enough back for carried-in state and raw outage starts, and past the period for raw ends.
    const range = { start: period.start - LOOKBACK_MS, end: Math.min(period.end + DAY, now) };
    const rows = await this.d.runs.load(spec.target, spec.indicator, range.start, range.end);
    const streams = groupStreams(rows);
    const flaps: Flap[] = [];
    const perCheck = spec.checks.map((c) => {
      const agents = [...(streams.get(c.id)?.entries() ?? [])].map(([agent, runs]) => {
        const t = streamTimeline({ check: c.id, agent, confirm: c.confirm, runs }, range);
        flaps.push(...t.flaps);
        return t.segments;
      });
      return quorum(agents, range);
    });
    const segments = combineChecks(perCheck, spec.combine, range);
    const ast = serviceIntervals(target.service_time, period, tz, this.d.calendar);
    const ex = exclusionsFor(spec.target, spec.group, windows, period, tz, ast);
    const figures = availability({ segments, ast, exclusions: ex.intervals, period, unknown: params.unknown, flaps });
    const result: TargetFigures = {
      target: spec.target,
      name: target.name,
      group: spec.group,
      availability: figures,
      met: isMet(figures.ratio, params.objective),
      lowCoverage: figures.coverage !== null && figures.coverage < params.coverage_warning,
      exclusions: ex.report,
    };
    if (spec.indicator === "website_uptime") {
      const all = [...streams.values()].flatMap((byAgent) => [...byAgent.values()]);
      const veto = this.d.config.indicators.website_uptime.veto_share;
      result.website = { samples: websiteSampleShare(all, period), worstWeek: worstRolling7Days(all, period, tz, veto) };
    }
    if (spec.indicator === "response_time") {
      const rt = this.d.config.indicators.response_time;
      const samples = await this.d.store.operations(spec.target, spec.checks.map((c) => c.id), period.start, period.end);
      const included = subtract(intersect(ast, [period]), ex.intervals);
      result.responseTime = responseTimeFigures(samples, included, rt.limit_ms, rt.percentile);
      result.met = result.responseTime.met;
    }
    return result;
  }
}

/** check → agent → runs (in time order, as stored). */
function groupStreams(rows: readonly RunRow[]): Map<string, Map<string, Run[]>> {
  const out = new Map<string, Map<string, Run[]>>();
  for (const r of rows) {
    let byAgent = out.get(r.check);
    if (!byAgent) {
      byAgent = new Map();
      out.set(r.check, byAgent);
    }
    const runs = byAgent.get(r.agent) ?? [];
    runs.push({ start: r.start, last: r.last, count: r.count, verdict: r.verdict, hold: r.hold });
    byAgent.set(r.agent, runs);
  }
  return out;
}
