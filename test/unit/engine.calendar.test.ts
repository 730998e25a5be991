import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../config/load.js";
import { loadCalendarOverride, WorkCalendar } from "../../engine/calendar.js";
import { measure } from "../../engine/intervals.js";
import { serviceIntervals } from "../../engine/service-time.js";

const TZ = "Asia/Shanghai";
const H = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const cal = new WorkCalendar();

// The 2026 official calendar as published in chinese-days 1.5.7 (dist/years/2026.json):
//   春节 holidays 2026-02-15 (Sun) … 2026-02-23 (Mon); makeup workdays 2026-02-14 (Sat), 2026-02-28 (Sat).
//   清明 2026-04-04 … 04-06; 中秋 09-25 … 09-27; 国庆 10-01 … 10-07, makeup 09-20 (Sun), 10-10 (Sat).
// February 2026 (Feb 1 is a Sunday):
//   Sun Mon Tue Wed Thu Fri Sat
//     1   2   3   4   5   6   7
//     8   9  10  11  12  13  14*      * makeup workday
//    15h 16h 17h 18h 19h 20h 21h      h holiday
//    22h 23h 24  25  26  27  28*

describe("WorkCalendar (official 2026 data)", () => {
  it("follows holidays and makeup workdays (调休) around the Spring Festival", () => {
    expect(cal.isWorkday("2026-02-13")).toBe(true); // Friday
    expect(cal.isWorkday("2026-02-14")).toBe(true); // Saturday, makeup workday
    expect(cal.isWorkday("2026-02-15")).toBe(false); // Sunday, holiday
    expect(cal.isWorkday("2026-02-16")).toBe(false); // Monday, holiday
    expect(cal.isWorkday("2026-02-23")).toBe(false); // Monday, last holiday
    expect(cal.isWorkday("2026-02-24")).toBe(true); // Tuesday
    expect(cal.isWorkday("2026-02-28")).toBe(true); // Saturday, makeup workday
    expect(cal.isWorkday("2026-03-01")).toBe(false); // ordinary Sunday
    expect(cal.isWorkday("2026-10-10")).toBe(true); // Saturday, National Day makeup
  });

  it("counts working days: February 2026 has 20 weekdays − 6 weekday holidays + 2 makeup Saturdays = 16", () => {
    expect(cal.workdaysBetween("2026-02-01", "2026-03-01")).toBe(16);
    // half-open: [02-14, 02-24) holds only the makeup Saturday 02-14
    expect(cal.workdaysBetween("2026-02-14", "2026-02-24")).toBe(1);
  });

  it("finds the n-th working day after a date, through holidays and makeup days", () => {
    expect(cal.nthWorkdayAfter("2026-02-13", 1)).toBe("2026-02-14"); // makeup Saturday counts
    expect(cal.nthWorkdayAfter("2026-02-14", 1)).toBe("2026-02-24"); // 15–23 holidays
    expect(cal.nthWorkdayAfter("2026-02-14", 5)).toBe("2026-02-28"); // 24, 25, 26, 27, 28*
    expect(cal.nthWorkdayAfter("2026-02-16", 0)).toBe("2026-02-16");
  });

  it("throws for a year chinese-days has no data for (2027), naming the override file", () => {
    expect(() => cal.isWorkday("2027-01-04")).toThrow(
      /no official calendar data for 2027: add it to the calendar override file/,
    );
    expect(() => cal.isWorkday("2003-06-02")).toThrow(/no official calendar data for 2003/);
    // a walk that crosses into the uncovered year fails instead of guessing
    expect(() => cal.nthWorkdayAfter("2026-12-30", 5)).toThrow(/2027/);
  });

  it("accepts a year the override declares, with its own holidays and workdays", () => {
    const c = new WorkCalendar({ years: [2027], holidays: ["2027-01-01"], workdays: ["2027-01-02"] });
    expect(c.isWorkday("2027-01-01")).toBe(false); // Friday, declared holiday
    expect(c.isWorkday("2027-01-02")).toBe(true); // Saturday, declared makeup workday
    expect(c.isWorkday("2027-01-03")).toBe(false); // plain Sunday
    expect(c.isWorkday("2027-01-04")).toBe(true); // plain Monday
  });

  it("an override entry alone does not make a year covered", () => {
    const c = new WorkCalendar({ holidays: ["2027-01-01"] });
    expect(() => c.isWorkday("2027-01-01")).toThrow(/2027/);
  });

  it("lets the override win over the official data", () => {
    const c = new WorkCalendar({ holidays: ["2026-02-13"], workdays: ["2026-02-21"] });
    expect(c.isWorkday("2026-02-13")).toBe(false);
    expect(c.isWorkday("2026-02-21")).toBe(true);
  });

  it("rejects malformed dates", () => {
    expect(() => cal.isWorkday("2026-02-30")).toThrow(/not a date/);
    expect(() => cal.isWorkday("2026-2-3")).toThrow(/not a date/);
  });
});

describe("loadCalendarOverride", () => {
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "opswatch-cal-")), "calendar.yaml");
    writeFileSync(file, text);
    return file;
  };
  const messages = (file: string): string[] => {
    try {
      loadCalendarOverride(file);
    } catch (e) {
      if (e instanceof ConfigError) return e.message.split("\n");
      throw e;
    }
    throw new Error("expected a ConfigError");
  };

  it("reads years, holidays and workdays", () => {
    const file = write("years: [2027]\nholidays:\n  - 2027-01-01\nworkdays:\n  - 2027-01-02\n");
    expect(loadCalendarOverride(file)).toEqual({
      years: [2027],
      holidays: ["2027-01-01"],
      workdays: ["2027-01-02"],
    });
    expect(loadCalendarOverride(write(""))).toEqual({ years: [], holidays: [], workdays: [] });
  });

  it("names the file, line and key of every problem", () => {
    const file = write(
      "years: [2027]\nholidays:\n  - 2027-01-01\n  - 2027-02-30\nworkdays:\n  - 2027-01-01\ncolour: red\n",
    );
    const lines = messages(file);
    expect(lines).toHaveLength(3);
    expect(lines).toContain(`${file}:4:5: holidays[1]: a date YYYY-MM-DD`);
    expect(lines.some((l) => l.startsWith(`${file}:`) && l.includes("colour"))).toBe(true);
    expect(lines).toContain(`${file}:6:5: workdays[0]: 2027-01-01 is also listed in holidays`);
  });

  it("reports a missing file and broken YAML", () => {
    expect(messages("/nonexistent/calendar.yaml")).toEqual([
      "/nonexistent/calendar.yaml: (file): cannot read: ENOENT",
    ]);
    const bad = write("holidays: [2027-01-01\n");
    expect(messages(bad)[0]).toMatch(new RegExp(`^${bad}:\\d+:\\d+: \\(file\\): YAML: `));
  });
});

describe("serviceIntervals", () => {
  const hours = { days: "working" as const, hours: ["08:30-12:00", "14:00-17:30"] };

  it("24x7 is the whole range", () => {
    const range = { start: t("2026-02-01T00:00:00+08:00"), end: t("2026-03-01T00:00:00+08:00") };
    expect(serviceIntervals("24x7", range, TZ, cal)).toEqual([range]);
  });

  it("working days 08:30–12:00 + 14:00–17:30 = 7 h a working day, across the 2026 Spring Festival", () => {
    // Whole February: 16 working days (see above) × 7 h = 112 h.
    const feb = { start: t("2026-02-01T00:00:00+08:00"), end: t("2026-03-01T00:00:00+08:00") };
    const ivs = serviceIntervals(hours, feb, TZ, cal);
    expect(ivs).toHaveLength(32); // two spells a day
    expect(measure(ivs)).toBe(112 * H);
    // [02-09, 03-02): 09–13 (5) + 14* (1) + 24–27 (4) + 28* (1) = 11 working days × 7 h = 77 h
    const span = { start: t("2026-02-09T00:00:00+08:00"), end: t("2026-03-02T00:00:00+08:00") };
    expect(measure(serviceIntervals(hours, span, TZ, cal))).toBe(77 * H);
    // The makeup Saturday has service hours; the holiday Monday has none.
    expect(
      serviceIntervals(
        hours,
        { start: t("2026-02-14T00:00:00+08:00"), end: t("2026-02-15T00:00:00+08:00") },
        TZ,
        cal,
      ),
    ).toEqual([
      { start: t("2026-02-14T08:30:00+08:00"), end: t("2026-02-14T12:00:00+08:00") },
      { start: t("2026-02-14T14:00:00+08:00"), end: t("2026-02-14T17:30:00+08:00") },
    ]);
    expect(
      serviceIntervals(
        hours,
        { start: t("2026-02-16T00:00:00+08:00"), end: t("2026-02-17T00:00:00+08:00") },
        TZ,
        cal,
      ),
    ).toEqual([]);
  });

  it("cuts to a range that starts and ends inside service hours", () => {
    // Fri 02-13 10:00 → Sat* 02-14 15:00: 13th 10:00–12:00 (2 h) + 14:00–17:30 (3.5 h);
    // 14th 08:30–12:00 (3.5 h) + 14:00–15:00 (1 h) = 10 h
    const range = { start: t("2026-02-13T10:00:00+08:00"), end: t("2026-02-14T15:00:00+08:00") };
    expect(measure(serviceIntervals(hours, range, TZ, cal))).toBe(10 * H);
  });

  it("allows 24:00 as an end and merges touching days", () => {
    const st = { days: "all" as const, hours: ["00:00-24:00"] };
    const range = { start: t("2026-02-14T06:00:00+08:00"), end: t("2026-02-17T06:00:00+08:00") };
    expect(serviceIntervals(st, range, TZ, cal)).toEqual([range]);
  });

  it("rejects overnight hours", () => {
    const range = { start: t("2026-02-14T00:00:00+08:00"), end: t("2026-02-15T00:00:00+08:00") };
    expect(() => serviceIntervals({ days: "all", hours: ["22:00-06:00"] }, range, TZ, cal)).toThrow(
      /split overnight/,
    );
  });

  it("needs calendar data only for the dates of the range", () => {
    const dec = { start: t("2026-12-01T00:00:00+08:00"), end: t("2027-01-01T00:00:00+08:00") };
    // December 2026: 23 weekdays (Dec 1 is a Tuesday), no holidays or makeup days → 23 × 7 h
    expect(measure(serviceIntervals(hours, dec, TZ, cal))).toBe(23 * 7 * H);
    const into2027 = { start: dec.start, end: t("2027-01-02T00:00:00+08:00") };
    expect(() => serviceIntervals(hours, into2027, TZ, cal)).toThrow(/2027/);
  });
});
