// 5-field cron expressions (minute hour day-of-month month day-of-week) read in a time zone, and the
// times they name inside a range. node-cron only looks forward; the inspection service uses this to
// find scheduled times that passed while nothing ran (a missed inspection must be recorded).
//
// Syntax: `*`, `n`, `a-b`, `*/s`, `a-b/s` and comma lists of them; month names jan–dec and weekday
// names sun–sat (any case); weekday 0 and 7 are Sunday. Not accepted: seconds (6 fields), @daily,
// `?`, `L`, `W`, `#` — so every accepted expression means the same to node-cron, which fires the
// live runs. node-cron requires day-of-month AND day-of-week to match where Vixie cron accepts
// either, so an expression restricting both is refused rather than read one way or the other.
import { addDays, localDate, localParts, weekday, zonedTime } from "./zone.js";

export interface CronFields {
  minutes: readonly number[];
  hours: readonly number[];
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 Sunday … 6 Saturday */
  weekdays: ReadonlySet<number>;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** value of names[0] */
  nameBase?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: "day-of-week", min: 0, max: 7, names: WEEKDAYS, nameBase: 0 },
];

function value(token: string, f: FieldSpec): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < f.min || n > f.max) throw new Error(`${f.name}: ${n} is outside ${f.min}-${f.max}`);
    return n;
  }
  const i = f.names?.indexOf(token.toLowerCase()) ?? -1;
  if (i < 0) throw new Error(`${f.name}: "${token}" is not a number${f.names ? " or a name" : ""}`);
  return i + (f.nameBase ?? 0);
}

function field(src: string, f: FieldSpec): number[] {
  const out = new Set<number>();
  for (const part of src.split(",")) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`${f.name}: cannot read "${part}"`);
    const [, range, stepText] = m as unknown as [string, string, string | undefined];
    let lo = f.min;
    let hi = f.name === "day-of-week" ? 6 : f.max;
    if (range !== "*") {
      const [a, b] = range.split("-") as [string, string | undefined];
      lo = value(a, f);
      hi = b === undefined ? lo : value(b, f);
      if (b === undefined && stepText !== undefined)
        throw new Error(`${f.name}: "${part}" — write a range with a step, e.g. ${lo}-${f.max}/${stepText}`);
      if (hi < lo) throw new Error(`${f.name}: range ${range} runs backwards`);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw new Error(`${f.name}: step must be at least 1`);
    for (let v = lo; v <= hi; v += step) out.add(f.name === "day-of-week" && v === 7 ? 0 : v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Parses an expression; throws an Error whose message names the field at fault. */
export function parseCron(expr: string): CronFields {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new Error(
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length === 1 && parts[0] === "" ? 0 : parts.length}`,
    );
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => field(p, FIELDS[i] as FieldSpec)) as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  if (days.length < 31 && weekdays.length < 7)
    throw new Error(
      "restrict day-of-month or day-of-week, not both (cron dialects disagree: Vixie cron runs on either, node-cron only on days matching both)",
    );
  return {
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    weekdays: new Set(weekdays),
  };
}

/** Why an expression is not accepted, or undefined when it is. */
export function cronError(expr: string): string | undefined {
  try {
    parseCron(expr);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const DAY = 86_400_000;

/**
 * Every instant in [from, to) at which the expression fires in zone `tz`, ascending (minute
 * resolution: seconds are 0). A local time that does not exist (skipped by a DST change) does not
 * fire; one that exists twice fires once.
 */
export function cronOccurrences(expr: string | CronFields, from: number, to: number, tz: string): number[] {
  const f = typeof expr === "string" ? parseCron(expr) : expr;
  const out: number[] = [];
  if (!(from < to)) return out;
  for (let d = localDate(from, tz), midnight = zonedTime(d, 0, tz); midnight < to; ) {
    const next = addDays(d, 1);
    const nextMidnight = zonedTime(next, 0, tz);
    const [, month, day] = d.split("-").map(Number) as [number, number, number];
    if (f.months.has(month) && f.days.has(day) && f.weekdays.has(weekday(d))) {
      // A 24-hour day has no offset change: local minute n is midnight + n minutes.
      const regular = nextMidnight - midnight === DAY;
      for (const h of f.hours)
        for (const m of f.minutes) {
          let t: number;
          if (regular) t = midnight + (h * 60 + m) * 60_000;
          else {
            t = zonedTime(d, h * 60 + m, tz);
            const p = localParts(t, tz);
            if (localDate(t, tz) !== d || p.hour !== h || p.minute !== m) continue; // no such local time
          }
          if (t >= from && t < to) out.push(t);
        }
    }
    d = next;
    midnight = nextMidnight;
  }
  return [...new Set(out)].sort((a, b) => a - b);
}
