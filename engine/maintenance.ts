// Planned maintenance windows and what they exclude from AST. Only an occurrence recorded strictly
// before it starts is planned: announcing maintenance after an outage began must not erase the outage.
import { clip, intersect, measure, normalize } from "./intervals.js";
import type { Interval } from "./types.js";
import { addDays, localDate, weekday, zonedTime } from "./zone.js";

export interface Recurrence {
  every: "day" | "week" | "month";
  /** For "week": local weekdays, 0 Sunday … 6 Saturday (required). */
  weekdays?: number[];
  /** For "month": day of the month 1–31 (required); months without that day have no occurrence. */
  dayOfMonth?: number;
  /** Local start time "HH:MM". */
  at: string;
  /** Length of each occurrence (ms). */
  duration: number;
  /** First local date an occurrence may start on. */
  from: string;
  /** Last local date an occurrence may start on (inclusive). */
  until?: string;
}

type Scope = { targets: string[]; groups?: undefined } | { groups: string[]; targets?: undefined };
type When =
  | { start: number; end: number; recurrence?: undefined }
  | { recurrence: Recurrence; start?: undefined; end?: undefined };

export type MaintenanceWindow = Scope &
  When & {
    id: string;
    /** When the window was recorded: decides which occurrences are planned. */
    createdAt: number;
    /**
     * An occurrence that had not started by then is cancelled (excludes nothing); one already running
     * ends at the cancellation (the time before it stays excluded: the work really was under way).
     */
    cancelledAt?: number;
    reason: string;
    approvedBy: string;
  };

export interface Occurrence extends Interval {
  /** Recorded strictly before it started, and not cancelled before it started. */
  planned: boolean;
  cancelled: boolean;
  /** What it excludes: [start, min(end, cancelledAt)) when planned, nothing otherwise. */
  effective: Interval | null;
}

export interface ExclusionEntry {
  windowId: string;
  /** The occurrence as scheduled. */
  start: number;
  end: number;
  planned: boolean;
  cancelled: boolean;
  /** Time this occurrence alone excluded inside the range (and AST when given); overlaps count in each. */
  excludedMs: number;
}

const DAY_MS = 86_400_000;

function minutesOf(at: string, id: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!m) throw new Error(`maintenance window ${id}: "at" must be HH:MM, got ${JSON.stringify(at)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Local dates on which the recurrence starts an occurrence. */
function matches(r: Recurrence, date: string, id: string): boolean {
  if (date < r.from || (r.until !== undefined && date > r.until)) return false;
  switch (r.every) {
    case "day":
      return true;
    case "week":
      if (!r.weekdays?.length)
        throw new Error(`maintenance window ${id}: a weekly recurrence needs weekdays`);
      return r.weekdays.includes(weekday(date));
    case "month":
      if (r.dayOfMonth === undefined)
        throw new Error(`maintenance window ${id}: a monthly recurrence needs dayOfMonth`);
      return Number(date.slice(8, 10)) === r.dayOfMonth;
  }
}

function classify(w: MaintenanceWindow, start: number, end: number): Occurrence {
  const cancelled = w.cancelledAt !== undefined && w.cancelledAt <= start;
  const planned = !cancelled && w.createdAt < start;
  const stop = w.cancelledAt === undefined ? end : Math.min(end, w.cancelledAt);
  return { start, end, planned, cancelled, effective: planned ? { start, end: stop } : null };
}

/** Occurrences of the window that overlap `range`, in start order. */
export function occurrences(w: MaintenanceWindow, range: Interval, tz: string): Occurrence[] {
  const length = w.recurrence ? w.recurrence.duration : w.end - w.start;
  if (!(length > 0)) throw new Error(`maintenance window ${w.id}: must last longer than zero`);
  const overlaps = (s: number, e: number) => s < range.end && e > range.start;
  if (!w.recurrence) return overlaps(w.start, w.end) ? [classify(w, w.start, w.end)] : [];
  const r = w.recurrence;
  const at = minutesOf(r.at, w.id);
  const out: Occurrence[] = [];
  // Start early enough to catch an occurrence that began before the range and runs into it.
  const first = addDays(localDate(range.start, tz), -Math.ceil(r.duration / DAY_MS) - 1);
  for (let d = first; zonedTime(d, at, tz) < range.end; d = addDays(d, 1)) {
    if (!matches(r, d, w.id)) continue;
    const start = zonedTime(d, at, tz);
    if (overlaps(start, start + r.duration)) out.push(classify(w, start, start + r.duration));
  }
  return out;
}

/**
 * Maintenance that applies to a target (listed by id, or its group) inside `range`, optionally only
 * inside `ast` (sorted, disjoint service intervals). `intervals` is the union to exclude; `report`
 * lists every occurrence, including those recorded late or cancelled, which exclude nothing.
 */
export function exclusionsFor(
  targetId: string,
  group: string | undefined,
  windows: readonly MaintenanceWindow[],
  range: Interval,
  tz: string,
  ast: readonly Interval[] = [range],
): { intervals: Interval[]; report: ExclusionEntry[] } {
  const within = clip(normalize(ast), range);
  const excluded: Interval[] = [];
  const report: ExclusionEntry[] = [];
  for (const w of windows) {
    const applies = w.targets
      ? w.targets.includes(targetId)
      : group !== undefined && w.groups.includes(group);
    if (!applies) continue;
    for (const o of occurrences(w, range, tz)) {
      const parts = o.effective ? intersect([o.effective], within) : [];
      excluded.push(...parts);
      report.push({
        windowId: w.id,
        start: o.start,
        end: o.end,
        planned: o.planned,
        cancelled: o.cancelled,
        excludedMs: measure(parts),
      });
    }
  }
  report.sort((a, b) => a.start - b.start || a.windowId.localeCompare(b.windowId));
  return { intervals: normalize(excluded), report };
}
