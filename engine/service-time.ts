// Agreed service time (AST): when a target is supposed to serve, as instants.
import type { ServiceTime } from "../config/indicators.js";
import type { WorkCalendar } from "./calendar.js";
import { normalize } from "./intervals.js";
import type { Interval } from "./types.js";
import { datesIn, zonedTime } from "./zone.js";

/** "08:30-12:00" → minutes of the local day [510, 720); "24:00" is allowed as an end. */
function parseHours(range: string): [number, number] {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(range);
  if (!m) throw new Error(`service hours must be HH:MM-HH:MM: ${JSON.stringify(range)}`);
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  // An overnight range would need a rule for which calendar day it belongs to: ask for two ranges.
  if (from >= to || to > 24 * 60)
    throw new Error(
      `service hours ${range} must end after they start on the same day (split overnight hours)`,
    );
  return [from, to];
}

/** The service-time intervals inside `range`, sorted and disjoint (touching intervals are merged). */
export function serviceIntervals(
  st: ServiceTime,
  range: Interval,
  tz: string,
  cal: WorkCalendar,
): Interval[] {
  if (range.end <= range.start) return [];
  if (st === "24x7") return [{ start: range.start, end: range.end }];
  const hours = st.hours.map(parseHours).sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const date of datesIn(range.start, range.end, tz)) {
    // Only dates that overlap the range are looked up, so a range in a covered year never needs the next.
    if (st.days === "working" && !cal.isWorkday(date)) continue;
    for (const [from, to] of hours) {
      const start = Math.max(zonedTime(date, from, tz), range.start);
      const end = Math.min(zonedTime(date, to, tz), range.end);
      out.push({ start, end });
    }
  }
  return normalize(out);
}
