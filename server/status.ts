// The public status page's data (GET /api/v1/status and /status/history): plain assembly from the live
// view, the maintenance windows, the open faults and the indicator engine, kept free of I/O so it can be
// tested by hand. Nothing here names a person or quotes a note: the page is public.
import type { Target } from "../config/schema.js";
import { reduce } from "../engine/faults.js";
import { type MaintenanceWindow, occurrences } from "../engine/maintenance.js";
import type { Interval } from "../engine/types.js";
import { addDays, localDate, monthPeriod, zonedTime } from "../engine/zone.js";
import type { PeriodFigures } from "./indicators.js";
import type { State } from "./live.js";
import type { FaultRecord } from "./store/faults.js";

const DAY = 86_400_000;
/** Announced maintenance: what runs now and what starts within this horizon. */
export const ANNOUNCE_MS = 30 * DAY;
export const HISTORY_DAYS = 90;

export type Overall = "up" | "partial" | "major" | "unknown";

export interface StatusTarget {
  id: string;
  name: string;
  state: State;
  /** A maintenance window covers it right now. */
  maintenance: boolean;
}

export interface StatusAnnouncement {
  id: string;
  reason: string;
  /** The current occurrence, or the next one (a recurring window shows one at a time). */
  start: number;
  end: number;
  active: boolean;
  recurring: boolean;
  /** Display names of the targets it covers (by id or through its groups). */
  targets: string[];
  groups: string[];
}

export interface StatusIncident {
  id: string;
  target: string;
  target_name: string;
  title: string;
  severity: string;
  since: number;
  acknowledged: boolean;
  /** The target is healthy again; the fault waits for a person to close it. */
  recovered: boolean;
}

export interface StatusView {
  site: { name: string; timezone: string };
  generated_at: number;
  overall: Overall;
  counts: { up: number; down: number; unknown: number; maintenance: number };
  groups: { id: string; targets: StatusTarget[] }[];
  maintenance: StatusAnnouncement[];
  incidents: StatusIncident[];
}

export interface StatusInput {
  site: { name: string; timezone: string };
  targets: readonly Target[];
  state: (t: Target) => State;
  windows: readonly MaintenanceWindow[];
  openFaults: readonly FaultRecord[];
  now: number;
}

/**
 * A window's occurrence that runs or will run: not cancelled before it started, and (when cancelled
 * while running) only until the cancellation.
 */
function shownOccurrences(w: MaintenanceWindow, range: Interval, tz: string): Interval[] {
  return occurrences(w, range, tz)
    .filter((o) => !o.cancelled)
    .map((o) => ({ start: o.start, end: Math.min(o.end, w.cancelledAt ?? o.end) }))
    .filter((o) => o.end > o.start && o.end > range.start);
}

function covers(w: MaintenanceWindow, t: Target): boolean {
  return w.targets ? w.targets.includes(t.id) : w.groups.includes(t.group);
}

/**
 * Banner: unknown when nothing is known, major when more than half of the targets that report (not in
 * maintenance) are down, partial when any is, up otherwise.
 */
export function overallOf(targets: readonly StatusTarget[]): Overall {
  const watched = targets.filter((t) => !t.maintenance);
  const down = watched.filter((t) => t.state === "down").length;
  const known = watched.filter((t) => t.state !== "unknown").length;
  if (down === 0) return known === 0 && watched.length > 0 ? "unknown" : "up";
  return down * 2 > known ? "major" : "partial";
}

export function statusView(i: StatusInput): StatusView {
  const tz = i.site.timezone;
  const now = i.now;
  const names = new Map(i.targets.map((t) => [t.id, t.name]));
  const active = i.windows.filter((w) => shownOccurrences(w, { start: now, end: now + 1 }, tz).length > 0);
  const groups = new Map<string, StatusTarget[]>();
  const all: StatusTarget[] = [];
  for (const t of i.targets) {
    const st: StatusTarget = {
      id: t.id,
      name: t.name,
      state: i.state(t),
      maintenance: active.some((w) => covers(w, t)),
    };
    all.push(st);
    const list = groups.get(t.group);
    if (list) list.push(st);
    else groups.set(t.group, [st]);
  }
  const maintenance: StatusAnnouncement[] = [];
  for (const w of i.windows) {
    const next = shownOccurrences(w, { start: now, end: now + ANNOUNCE_MS }, tz)[0];
    if (!next) continue;
    maintenance.push({
      id: w.id,
      reason: w.reason,
      start: next.start,
      end: next.end,
      active: next.start <= now,
      recurring: w.recurrence !== undefined,
      targets: i.targets.filter((t) => covers(w, t)).map((t) => t.name),
      groups: w.groups ? [...w.groups] : [],
    });
  }
  maintenance.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  const incidents: StatusIncident[] = i.openFaults
    .map((f) => {
      const s = reduce(f, now);
      return {
        id: f.id,
        target: f.target,
        target_name: names.get(f.target) ?? f.target,
        title: f.title,
        severity: s.severity,
        since: s.openedAt,
        acknowledged: !s.awaitingAck,
        recovered: s.recoveredAt !== undefined,
      };
    })
    .sort((a, b) => a.severity.localeCompare(b.severity) || b.since - a.since);
  return {
    site: { name: i.site.name, timezone: tz },
    generated_at: now,
    overall: overallOf(all),
    counts: {
      up: all.filter((t) => t.state === "up").length,
      down: all.filter((t) => t.state === "down").length,
      unknown: all.filter((t) => t.state === "unknown").length,
      maintenance: all.filter((t) => t.maintenance).length,
    },
    groups: [...groups].map(([id, targets]) => ({ id, targets })),
    maintenance,
    incidents,
  };
}

/** A cheap fingerprint of which windows run right now (the live feed's "maintenance" tick). */
export function activeMaintenanceKey(windows: readonly MaintenanceWindow[], now: number, tz: string): string {
  return windows
    .filter((w) => shownOccurrences(w, { start: now, end: now + 1 }, tz).length > 0)
    .map((w) => w.id)
    .sort()
    .join(",");
}

// ---------------------------------------------------------------------------------------------------
// History: 90 daily availability values per target and the indicators month to date.

/**
 * Which indicator's timeline stands for a target's availability on the status page: the first of these
 * it counts toward (response_time last: its own figure is a percentile, its timeline is reachability).
 */
const PREFERENCE = [
  "website_uptime",
  "ups_power_stability",
  "room_power_stability",
  "firewall_stability",
  "response_time",
] as const;

export interface HistoryTarget {
  id: string;
  name: string;
  group: string;
  /** Oldest first, HISTORY_DAYS local dates ending today; ratio null = no data that day. */
  days: { date: string; ratio: number | null }[];
  /** The mean of the days with data (each day weighs the same), null when none has. */
  ratio: number | null;
}

export interface HistoryIndicator {
  id: string;
  /** "ratio" (value and objective 0–1) or "seconds" (response time: value is the percentile). */
  unit: "ratio" | "seconds";
  value: number | null;
  objective: number;
  met: boolean | null;
}

export interface HistoryView {
  generated_at: number;
  month: string;
  /** First and last local date of the bars. */
  from: string;
  to: string;
  targets: HistoryTarget[];
  indicators: HistoryIndicator[];
}

/** The HISTORY_DAYS local dates ending with the day of `now` (oldest first). */
export function historyDates(now: number, tz: string, days = HISTORY_DAYS): string[] {
  const today = localDate(now, tz);
  return Array.from({ length: days }, (_, k) => addDays(today, k - days + 1));
}

/** date → ratio per target, from one PeriodFigures (the preferred indicator of each target). */
export function dailyByTarget(figures: PeriodFigures): Map<string, Map<string, number | null>> {
  const out = new Map<string, Map<string, number | null>>();
  const rank = new Map<string, number>();
  for (const ind of figures.indicators) {
    const r = PREFERENCE.indexOf(ind.id as (typeof PREFERENCE)[number]);
    if (r < 0) continue;
    for (const tf of ind.targets) {
      if ((rank.get(tf.target) ?? Number.POSITIVE_INFINITY) <= r) continue;
      rank.set(tf.target, r);
      out.set(tf.target, new Map(tf.daily.map((d) => [d.date, d.ratio])));
    }
  }
  return out;
}

export function historyIndicators(month: PeriodFigures): HistoryIndicator[] {
  return month.indicators.map((i) =>
    i.id === "response_time"
      ? {
          id: i.id,
          unit: "seconds",
          value: i.value === null ? null : i.value / 1000,
          objective: i.objective / 1000,
          met: i.met,
        }
      : { id: i.id, unit: "ratio", value: i.value, objective: i.objective, met: i.met },
  );
}

export interface HistoryDeps {
  targets: readonly Target[];
  tz: string;
  /** IndicatorService.compute. */
  compute: (period: Interval, now: number) => Promise<PeriodFigures>;
  clock?: () => number;
  /** How long an answer is reused (default 60 s). */
  ttlMs?: number;
  /** Days older than this many days before today are kept between refreshes (late results aside). */
  recentDays?: number;
  /** Kept days are all recomputed after this long (late results, imports). Default 1 h. */
  fullEveryMs?: number;
}

/**
 * GET /api/v1/status/history behind a cache: the answer is reused for `ttlMs`; each refresh recomputes
 * today and the `recentDays` before it and reuses the older days, which are recomputed in full once per
 * `fullEveryMs` (results from a draining agent spool or an import may still change them).
 */
export class StatusHistory {
  private answer: { at: number; view: HistoryView } | undefined;
  private inflight: Promise<HistoryView> | undefined;
  /** target → date → ratio, for days before the recent ones. */
  private kept = new Map<string, Map<string, number | null>>();
  private keptAt = 0;
  private keptFrom: string | undefined;

  constructor(private readonly d: HistoryDeps) {}

  get(): Promise<HistoryView> {
    const now = (this.d.clock ?? Date.now)();
    if (this.answer && now - this.answer.at < (this.d.ttlMs ?? 60_000))
      return Promise.resolve(this.answer.view);
    this.inflight ??= this.refresh(now).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async refresh(now: number): Promise<HistoryView> {
    const tz = this.d.tz;
    const dates = historyDates(now, tz);
    const first = dates[0] as string;
    const today = dates[dates.length - 1] as string;
    const recentFrom = addDays(today, -(this.d.recentDays ?? 2));
    const full =
      !this.keptFrom || now - this.keptAt >= (this.d.fullEveryMs ?? 3_600_000) || this.keptFrom > first;
    const from = full ? first : recentFrom;
    const figures = await this.d.compute({ start: zonedTime(from, 0, tz), end: now }, now);
    const fresh = dailyByTarget(figures);
    if (full) {
      this.kept = fresh;
      this.keptAt = now;
      this.keptFrom = first;
    }
    const month = today.slice(0, 7);
    const mp = monthPeriod(month, tz);
    const monthFigures = await this.d.compute({ start: mp.start, end: Math.min(mp.end, now) }, now);
    const targets = this.d.targets.map((t): HistoryTarget => {
      const recent = fresh.get(t.id);
      const old = this.kept.get(t.id);
      const days = dates.map((date) => ({
        date,
        ratio: (date >= from ? recent?.get(date) : old?.get(date)) ?? null,
      }));
      const known = days.map((x) => x.ratio).filter((r): r is number => r !== null);
      return {
        id: t.id,
        name: t.name,
        group: t.group,
        days,
        ratio: known.length ? known.reduce((a, b) => a + b, 0) / known.length : null,
      };
    });
    // Keep what was just computed for days that will turn old (today becomes yesterday …).
    for (const [id, m] of fresh) {
      let k = this.kept.get(id);
      if (!k) {
        k = new Map();
        this.kept.set(id, k);
      }
      for (const [date, r] of m) k.set(date, r);
    }
    const view: HistoryView = {
      generated_at: now,
      month,
      from: first,
      to: today,
      targets,
      indicators: historyIndicators(monthFigures),
    };
    this.answer = { at: now, view };
    return view;
  }
}
