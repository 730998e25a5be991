// Calendar arithmetic in an IANA time zone, with Intl only (no globals, no DST assumptions).

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(ts: number, tz: string): LocalParts {
  const p: Record<string, number> = {};
  for (const { type, value } of formatter(tz).formatToParts(ts))
    if (type !== "literal") p[type] = Number(value);
  return {
    year: p.year ?? 0,
    month: p.month ?? 0,
    day: p.day ?? 0,
    hour: p.hour ?? 0,
    minute: p.minute ?? 0,
    second: p.second ?? 0,
  };
}

/**
 * Offset of the zone from UTC at instant ts, in ms (Asia/Shanghai: +8 h). Cached per minute (zone
 * transitions fall on whole minutes): an Intl call costs microseconds, and reports format hundreds of
 * thousands of times.
 */
export function offsetMs(ts: number, tz: string): number {
  const minute = Math.floor(ts / 60_000);
  let byMinute = offsets.get(tz);
  if (!byMinute) {
    byMinute = new Map();
    offsets.set(tz, byMinute);
  }
  let off = byMinute.get(minute);
  if (off === undefined) {
    const at = minute * 60_000;
    const p = localParts(at, tz);
    off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at;
    if (byMinute.size > 500_000) byMinute.clear(); // bounded: about a year of minutes
    byMinute.set(minute, off);
  }
  return off;
}
const offsets = new Map<string, Map<number, number>>();

/** The instant of a local wall-clock time (minutes may exceed 59 or 24 h: 24:00 is next midnight). */
export function zonedTime(date: string, minutesOfDay: number, tz: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 0, minutesOfDay);
  // Two passes settle the offset even next to a DST change.
  let ts = guess - offsetMs(guess, tz);
  ts = guess - offsetMs(ts, tz);
  return ts;
}

/** Local calendar date "YYYY-MM-DD" of an instant. */
export function localDate(ts: number, tz: string): string {
  const p = localParts(ts, tz);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** The date n days after `date` (calendar arithmetic, zone-free). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Day of week of a date: 0 Sunday … 6 Saturday. */
export function weekday(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Local midnight at the start of the day containing ts. */
export function startOfLocalDay(ts: number, tz: string): number {
  return zonedTime(localDate(ts, tz), 0, tz);
}

/** The next local midnight strictly after ts. */
export function nextLocalMidnight(ts: number, tz: string): number {
  return zonedTime(addDays(localDate(ts, tz), 1), 0, tz);
}

/** [start, end) of a calendar month "YYYY-MM" in the zone. */
export function monthPeriod(month: string, tz: string): { start: number; end: number } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const first = `${y}-${String(m).padStart(2, "0")}-01`;
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
  return { start: zonedTime(first, 0, tz), end: zonedTime(next, 0, tz) };
}

/** Every local date whose day overlaps [start, end). */
export function datesIn(start: number, end: number, tz: string): string[] {
  const out: string[] = [];
  for (let d = localDate(start, tz); zonedTime(d, 0, tz) < end; d = addDays(d, 1)) out.push(d);
  return out;
}
