// Sample-based figures of website_uptime (indicators.md, `website_uptime`, precise rule 11): the national
// check counts probes, not time, and ignores our maintenance windows.
import { fraction } from "./decimal.js";
import type { Interval, Run } from "./types.js";
import { addDays, datesIn, zonedTime } from "./zone.js";

export interface SampleShare {
  /** Results that answered ok or fail ("none" says nothing about the site and is not counted). */
  total: number;
  failed: number;
  /** failed / total; null when total is 0. */
  share: number | null;
}

export interface WorstWeek extends SampleShare {
  /** Local midnight starting the window; `end` is the local midnight seven days later. */
  start: number;
  end: number;
  /** share ≥ the veto share (inclusive). */
  veto: boolean;
}

/**
 * All raw results of the target's counting checks (every agent: one run list per stream) in the period.
 * A run is counted where it starts. That is exact when the period starts and ends at local midnights of
 * the zone the runs were encoded in — month periods in the site zone — because runs never cross a local
 * midnight; for other ranges a run straddling a boundary is counted wholly in the period of its start.
 */
export function websiteSampleShare(runsByStream: readonly (readonly Run[])[], period: Interval): SampleShare {
  let total = 0;
  let failed = 0;
  for (const runs of runsByStream)
    for (const run of runs)
      if (run.start >= period.start && run.start < period.end && run.verdict !== "none") {
        total += run.count;
        if (run.verdict === "fail") failed += run.count;
      }
  return { total, failed, share: total === 0 ? null : failed / total };
}

/**
 * The 7-local-day window inside the period with the highest failure share (the earliest of equals),
 * or null when no such window has results. Windows start at local midnight in `tz` and end seven local
 * days later (not always 7 × 24 h in a zone with DST).
 */
export function worstRolling7Days(
  runsByStream: readonly (readonly Run[])[],
  period: Interval,
  tz: string,
  vetoShare: number,
): WorstWeek | null {
  const dates = datesIn(period.start, period.end, tz);
  const last = dates.at(-1);
  if (last === undefined) return null;
  // Day i is [bounds[i], bounds[i + 1]); the first may start before the period and then is not used.
  const bounds = [...dates, addDays(last, 1)].map((d) => zonedTime(d, 0, tz));
  // Prefix sums: before[i] counts the results of the days before day i.
  const totalBefore = new Array<number>(bounds.length).fill(0);
  const failedBefore = new Array<number>(bounds.length).fill(0);
  for (const runs of runsByStream)
    for (const run of runs) {
      const day = dayIndex(bounds, run.start);
      if (day < 0 || run.verdict === "none") continue;
      totalBefore[day + 1] = (totalBefore[day + 1] as number) + run.count;
      if (run.verdict === "fail") failedBefore[day + 1] = (failedBefore[day + 1] as number) + run.count;
    }
  for (let i = 1; i < bounds.length; i++) {
    totalBefore[i] = (totalBefore[i] as number) + (totalBefore[i - 1] as number);
    failedBefore[i] = (failedBefore[i] as number) + (failedBefore[i - 1] as number);
  }
  let worst: { day: number; total: number; failed: number } | undefined;
  for (let day = (bounds[0] as number) < period.start ? 1 : 0; day + 7 < bounds.length; day++) {
    if ((bounds[day + 7] as number) > period.end) break;
    const total = (totalBefore[day + 7] as number) - (totalBefore[day] as number);
    const failed = (failedBefore[day + 7] as number) - (failedBefore[day] as number);
    // failed/total > worst.failed/worst.total, cross-multiplied to stay exact.
    if (total > 0 && (!worst || failed * worst.total > worst.failed * total)) worst = { day, total, failed };
  }
  if (!worst) return null;
  const [v, V] = fraction(vetoShare);
  return {
    start: bounds[worst.day] as number,
    end: bounds[worst.day + 7] as number,
    total: worst.total,
    failed: worst.failed,
    share: worst.failed / worst.total,
    veto: BigInt(worst.failed) * V >= v * BigInt(worst.total),
  };
}

/** The day containing ts, or −1 outside all days. */
function dayIndex(bounds: readonly number[], ts: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bounds[mid] as number) <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 || lo === bounds.length ? -1 : lo - 1;
}
