// Working days of the official Chinese calendar (法定节假日 and 调休 makeup workdays), with a local
// override file. A year the data does not cover is an error, never a guess: a wrong working day
// silently changes AST and P4 deadlines in an official report.
import { readFileSync } from "node:fs";
// The package's own published data file. Its helper functions are not used: their date handling goes
// through local-time getters (process time zone), and they treat an uncovered year as plain Mon–Fri.
import official from "chinese-days/dist/chinese-days.json" with { type: "json" };
import { isMap, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../config/load.js";
import { addDays, weekday } from "./zone.js";

/** Entries of the override file; `years` declares years the file fully describes. */
export interface CalendarOverrides {
  years?: number[];
  holidays?: string[];
  workdays?: string[];
}

const officialHolidays: Readonly<Record<string, string>> = official.holidays;
const officialWorkdays: Readonly<Record<string, string>> = official.workdays;
/** Every published year has at least one holiday (元旦), so a year without any is not covered. */
const officialYears: ReadonlySet<number> = new Set(
  Object.keys(officialHolidays).map((d) => Number(d.slice(0, 4))),
);

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar date in "YYYY-MM-DD" (rejects 2026-02-30). */
function isDate(s: string): boolean {
  return datePattern.test(s) && addDays(s, 0) === s;
}

export class WorkCalendar {
  private readonly years: ReadonlySet<number>;
  private readonly holidays: ReadonlySet<string>;
  private readonly workdays: ReadonlySet<string>;

  constructor(overrides: CalendarOverrides = {}) {
    this.years = new Set(overrides.years ?? []);
    this.holidays = new Set(overrides.holidays ?? []);
    this.workdays = new Set(overrides.workdays ?? []);
  }

  /** Whether working days of the year are known (official data or the override's `years`). */
  covers(year: number): boolean {
    return officialYears.has(year) || this.years.has(year);
  }

  /** Whether the date is a working day; throws for a malformed date or a year nobody has described. */
  isWorkday(date: string): boolean {
    if (!isDate(date)) throw new Error(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
    const year = Number(date.slice(0, 4));
    // Coverage first, even for a date listed in the override: a partly described year is not usable.
    if (!officialYears.has(year) && !this.years.has(year)) {
      throw new Error(
        `no official calendar data for ${year}: add it to the calendar override file ` +
          `(calendar.override_file) as "years: [${year}]" with that year's holidays and workdays, ` +
          "or upgrade the chinese-days package",
      );
    }
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    if (officialWorkdays[date] !== undefined) return true;
    if (officialHolidays[date] !== undefined) return false;
    const wd = weekday(date);
    return wd >= 1 && wd <= 5;
  }

  /**
   * The n-th working day strictly after `date` (n ≥ 1); n = 0 is `date` itself, whatever it is
   * (a "0wd" limit means the end of the opening day).
   */
  nthWorkdayAfter(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new Error(`working-day count must be a whole number ≥ 0: ${n}`);
    if (!isDate(date)) throw new Error(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
    let d = date;
    for (let left = n; left > 0; ) {
      d = addDays(d, 1);
      if (this.isWorkday(d)) left--;
    }
    return d;
  }

  /** Number of working days in [from, to) (dates; half-open like every period). */
  workdaysBetween(from: string, to: string): number {
    if (!isDate(from) || !isDate(to)) throw new Error(`not a date range: ${from} … ${to}`);
    let n = 0;
    for (let d = from; d < to; d = addDays(d, 1)) if (this.isWorkday(d)) n++;
    return n;
  }
}

const OverrideDate = z.string().refine(isDate, "a date YYYY-MM-DD");
const OverrideFile = z
  .strictObject({
    years: z.array(z.number().int().min(1900).max(2200)).default([]),
    holidays: z.array(OverrideDate).default([]),
    workdays: z.array(OverrideDate).default([]),
  })
  .superRefine((o, ctx) => {
    const holidays = new Set(o.holidays);
    o.workdays.forEach((d, i) => {
      if (holidays.has(d))
        ctx.addIssue({ code: "custom", path: ["workdays", i], message: `${d} is also listed in holidays` });
    });
  });

/** Reads and validates the override file; throws ConfigError naming file, line and key of each problem. */
export function loadCalendarOverride(file: string): CalendarOverrides {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([{ file, path: "", message: `cannot read: ${(e as NodeJS.ErrnoException).code}` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0].line,
        col: e.linePos?.[0].col,
        path: "",
        message: `YAML: ${e.message.split("\n")[0]}`,
      })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = OverrideFile.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue): ConfigIssue => {
      const path = issue.code === "unrecognized_keys" ? [...issue.path, String(issue.keys[0])] : issue.path;
      const node = isMap(doc.contents) ? doc.getIn(path as (string | number)[], true) : undefined;
      const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
      const pos = offset === undefined ? undefined : lines.linePos(offset);
      return {
        file,
        line: pos?.line,
        col: pos?.col,
        path: path
          .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
          .join(""),
        message: issue.message,
      };
    }),
  );
}
