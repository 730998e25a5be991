import { createTask } from "node-cron";
import { describe, expect, it } from "vitest";
import { cronError, cronOccurrences, parseCron } from "../../engine/cron.js";

const SH = "Asia/Shanghai";
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const occ = (expr: string, from: string, to: string, tz = SH) =>
  cronOccurrences(expr, t(from), t(to), tz).map(iso);

// Calendar facts used below (hand-computed): 2026-01-01 is a Thursday; 2026-03-01 is 59 days later,
// 59 mod 7 = 3 → Sunday, so 03-09 is a Monday, 03-13 a Friday, 03-16 a Monday. In the US, DST 2026
// starts on the second Sunday of March (03-08, 02:00 EST → 03:00 EDT) and ends on the first Sunday of
// November (11-01, 02:00 EDT → 01:00 EST).
describe("cronOccurrences", () => {
  it("the default daily 09:00 in Shanghai (UTC+8, no DST) is 01:00Z each day", () => {
    expect(occ("0 9 * * *", "2026-03-09T00:00:00+08:00", "2026-03-12T00:00:00+08:00")).toEqual([
      "2026-03-09T01:00:00.000Z",
      "2026-03-10T01:00:00.000Z",
      "2026-03-11T01:00:00.000Z",
    ]);
  });

  it("is half-open: an occurrence at `from` is in, one at `to` is out", () => {
    expect(occ("0 9 * * *", "2026-03-09T09:00:00+08:00", "2026-03-10T09:00:00+08:00")).toEqual([
      "2026-03-09T01:00:00.000Z",
    ]);
    expect(occ("0 9 * * *", "2026-03-09T09:00:00.001+08:00", "2026-03-10T09:00:00.001+08:00")).toEqual([
      "2026-03-10T01:00:00.000Z",
    ]);
    expect(occ("0 9 * * *", "2026-03-09T10:00:00+08:00", "2026-03-09T10:00:00+08:00")).toEqual([]);
  });

  it("reads the expression in the site zone, not UTC", () => {
    // 00:30 local in Shanghai is 16:30Z the day before
    expect(occ("30 0 * * *", "2026-03-10T00:00:00+08:00", "2026-03-11T00:00:00+08:00")).toEqual([
      "2026-03-09T16:30:00.000Z",
    ]);
    expect(occ("30 0 * * *", "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", "UTC")).toEqual([
      "2026-03-10T00:30:00.000Z",
    ]);
  });

  it("steps, ranges, lists and weekday names: every 15 min 08:00–09:45 on weekdays", () => {
    // Fri 03-13 and Mon 03-16: 2 hours × 4 = 8 each; Sat 03-14 and Sun 03-15 none → 16
    const got = occ("*/15 8-9 * * mon-fri", "2026-03-13T00:00:00+08:00", "2026-03-17T00:00:00+08:00");
    expect(got).toHaveLength(16);
    expect(got.slice(0, 8)).toEqual(
      ["00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45"].map(
        (hm) => `2026-03-13T${hm}:00.000Z`,
      ),
    );
    expect(got[8]).toBe("2026-03-16T00:00:00.000Z");
    expect(occ("0 8 * * 1-5", "2026-03-13T00:00:00+08:00", "2026-03-17T00:00:00+08:00")).toEqual(
      occ("0 8 * * MON,tue,Wed,thu,FRI", "2026-03-13T00:00:00+08:00", "2026-03-17T00:00:00+08:00"),
    );
  });

  it("weekday 7 and 0 are both Sunday; month names; a day that exists only in leap years", () => {
    const sundays = ["2026-03-01T04:00:00.000Z", "2026-03-08T04:00:00.000Z"];
    expect(occ("0 12 * * 7", "2026-03-01T00:00:00+08:00", "2026-03-14T00:00:00+08:00")).toEqual(sundays);
    expect(occ("0 12 * * sun", "2026-03-01T00:00:00+08:00", "2026-03-14T00:00:00+08:00")).toEqual(sundays);
    // 1-10/3 → days 1, 4, 7, 10 of March only (not February)
    expect(
      occ("0 0 1-10/3 mar *", "2026-02-01T00:00:00+08:00", "2026-04-01T00:00:00+08:00").map((s) =>
        s.slice(0, 10),
      ),
    ).toEqual(["2026-02-28", "2026-03-03", "2026-03-06", "2026-03-09"]); // local midnight = 16:00Z the day before
    // Feb 29: none in 2026–2027, then 2028-02-29 00:00 +08:00
    expect(occ("0 0 29 2 *", "2026-01-01T00:00:00+08:00", "2029-01-01T00:00:00+08:00")).toEqual([
      "2028-02-28T16:00:00.000Z",
    ]);
  });

  it("DST: a local time that does not exist does not fire; one that exists twice fires once", () => {
    const ny = "America/New_York";
    // 03-07 02:30 EST = 07:30Z; 03-08 02:30 does not exist; 03-09 02:30 EDT = 06:30Z
    expect(occ("30 2 * * *", "2026-03-07T00:00:00-05:00", "2026-03-10T00:00:00-04:00", ny)).toEqual([
      "2026-03-07T07:30:00.000Z",
      "2026-03-09T06:30:00.000Z",
    ]);
    // 11-01 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST): the first one only
    expect(occ("30 1 * * *", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", ny)).toEqual([
      "2026-11-01T05:30:00.000Z",
    ]);
    // every hour on the 25-hour day: 0..23 local → 24 firings, the repeated 01:00 once
    expect(occ("0 * * * *", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", ny)).toHaveLength(24);
    // and on the 23-hour day: 02:00 does not exist → 23
    expect(occ("0 * * * *", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", ny)).toHaveLength(23);
  });

  it("a long range stays cheap (a month of every minute)", () => {
    const n = cronOccurrences(
      "* * * * *",
      t("2026-03-01T00:00:00+08:00"),
      t("2026-04-01T00:00:00+08:00"),
      SH,
    );
    expect(n).toHaveLength(31 * 1440);
  });

  it("agrees minute by minute with node-cron, which fires the live runs", () => {
    const from = t("2026-02-25T00:00:00+08:00");
    const to = t("2026-03-09T00:00:00+08:00");
    for (const expr of [
      "0 9 * * *",
      "*/15 8-17 * * mon-fri",
      "5,35 */6 1-7 * *",
      "0 0 * jan,mar 0",
      "59 23 28-31 * *",
      "0 12 * * 7",
    ]) {
      const task = createTask(expr, () => {}, { timezone: SH });
      try {
        const ours = new Set(cronOccurrences(expr, from, to, SH));
        const theirs: number[] = [];
        for (let m = from; m < to; m += 60_000) if (task.match(new Date(m))) theirs.push(m);
        expect(theirs.length).toBeGreaterThan(0);
        expect(new Set(theirs), expr).toEqual(ours);
      } finally {
        void task.destroy();
      }
    }
  });
});

describe("parseCron / cronError", () => {
  it("expands fields", () => {
    const f = parseCron("*/20 9,18 * * 1-5");
    expect(f.minutes).toEqual([0, 20, 40]);
    expect(f.hours).toEqual([9, 18]);
    expect([...f.weekdays]).toEqual([1, 2, 3, 4, 5]);
  });

  it("names the field at fault", () => {
    expect(cronError("0 9 * * *")).toBeUndefined();
    expect(cronError("61 * * * *")).toBe("minute: 61 is outside 0-59");
    expect(cronError("0 24 * * *")).toBe("hour: 24 is outside 0-23");
    expect(cronError("0 9 0 * *")).toBe("day-of-month: 0 is outside 1-31");
    expect(cronError("0 9 * foo *")).toBe('month: "foo" is not a number or a name');
    expect(cronError("0 9-8 * * *")).toBe("hour: range 9-8 runs backwards");
    expect(cronError("*/0 * * * *")).toBe("minute: step must be at least 1");
    expect(cronError("5/15 * * * *")).toMatch(/^minute: "5\/15" — write a range with a step/);
    expect(cronError("0 0 9 * * *")).toMatch(/^expected 5 fields .*, got 6$/);
    expect(cronError("@daily")).toMatch(/got 1$/);
    expect(cronError("0 9 1 * 1")).toMatch(/^restrict day-of-month or day-of-week, not both/);
    expect(cronError("0 9 1 * *")).toBeUndefined();
    expect(cronError("0 9 */1 * 1")).toBeUndefined(); // */1 restricts nothing
  });
});
