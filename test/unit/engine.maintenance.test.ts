import { describe, expect, it } from "vitest";
import { WorkCalendar } from "../../engine/calendar.js";
import { measure } from "../../engine/intervals.js";
import { exclusionsFor, type MaintenanceWindow, occurrences } from "../../engine/maintenance.js";
import { serviceIntervals } from "../../engine/service-time.js";

const TZ = "Asia/Shanghai";
const H = 3_600_000;
const t = (iso: string) => Date.parse(iso);
const march = { start: t("2026-03-01T00:00:00+08:00"), end: t("2026-04-01T00:00:00+08:00") };
const common = { reason: "upgrade", approvedBy: "wang" };

const oneOff = (over: Partial<MaintenanceWindow> = {}): MaintenanceWindow =>
  ({
    id: "w1",
    targets: ["portal"],
    start: t("2026-03-10T22:00:00+08:00"),
    end: t("2026-03-11T00:00:00+08:00"),
    createdAt: t("2026-03-09T10:00:00+08:00"),
    ...common,
    ...over,
  }) as MaintenanceWindow;

// Weekly on Tuesdays 02:00 for 2 h from 2026-03-01. March 2026 starts on a Sunday, so its Tuesdays are
// 03-03, 03-10, 03-17, 03-24, 03-31: 5 occurrences × 2 h = 10 h.
const weekly = (over: Partial<MaintenanceWindow> = {}): MaintenanceWindow =>
  ({
    id: "tue",
    groups: ["web"],
    recurrence: { every: "week", weekdays: [2], at: "02:00", duration: 2 * H, from: "2026-03-01" },
    createdAt: t("2026-02-20T10:00:00+08:00"),
    ...common,
    ...over,
  }) as MaintenanceWindow;

describe("maintenance: planned or not", () => {
  it("a window created before it starts excludes its time", () => {
    const { intervals, report } = exclusionsFor("portal", "web", [oneOff()], march, TZ);
    expect(intervals).toEqual([
      { start: t("2026-03-10T22:00:00+08:00"), end: t("2026-03-11T00:00:00+08:00") },
    ]);
    expect(report).toEqual([
      {
        windowId: "w1",
        start: intervals[0]?.start,
        end: intervals[0]?.end,
        planned: true,
        cancelled: false,
        excludedMs: 2 * H,
      },
    ]);
  });

  it("a window created after it started excludes nothing but is listed", () => {
    const late = oneOff({ createdAt: t("2026-03-10T22:30:00+08:00") });
    const { intervals, report } = exclusionsFor("portal", "web", [late], march, TZ);
    expect(intervals).toEqual([]);
    expect(report).toMatchObject([{ windowId: "w1", planned: false, cancelled: false, excludedMs: 0 }]);
  });

  it("created exactly at the start is not before it: not planned", () => {
    const edge = oneOff({ createdAt: t("2026-03-10T22:00:00+08:00") });
    expect(exclusionsFor("portal", "web", [edge], march, TZ).report[0]?.planned).toBe(false);
  });

  it("applies to the targets it names or to their group only", () => {
    expect(exclusionsFor("ups-1", "power", [oneOff()], march, TZ).report).toEqual([]);
    expect(exclusionsFor("portal2", "web", [weekly()], march, TZ).report).toHaveLength(5);
    expect(exclusionsFor("ups-1", "power", [weekly()], march, TZ).report).toEqual([]);
  });
});

describe("maintenance: recurring and cancelled", () => {
  it("a weekly window across March: 5 Tuesdays × 2 h = 10 h", () => {
    const { intervals, report } = exclusionsFor("portal", "web", [weekly()], march, TZ);
    expect(report.map((r) => new Date(r.start).toISOString())).toEqual([
      "2026-03-02T18:00:00.000Z", // 03-03 02:00 +08:00
      "2026-03-09T18:00:00.000Z",
      "2026-03-16T18:00:00.000Z",
      "2026-03-23T18:00:00.000Z",
      "2026-03-30T18:00:00.000Z",
    ]);
    expect(measure(intervals)).toBe(10 * H);
  });

  it("recorded mid-month: only the occurrences that start afterwards are planned", () => {
    // created Thu 03-12: 03-03 and 03-10 are listed but unplanned; 03-17, 03-24, 03-31 → 3 × 2 h = 6 h
    const w = weekly({ createdAt: t("2026-03-12T09:00:00+08:00") });
    const { intervals, report } = exclusionsFor("portal", "web", [w], march, TZ);
    expect(report.map((r) => r.planned)).toEqual([false, false, true, true, true]);
    expect(measure(intervals)).toBe(6 * H);
  });

  it("cancelled: occurrences that had not started are cancelled and exclude nothing", () => {
    // cancelled Fri 03-20: 03-03, 03-10, 03-17 kept → 6 h; 03-24 and 03-31 cancelled
    const w = weekly({ cancelledAt: t("2026-03-20T12:00:00+08:00") });
    const { intervals, report } = exclusionsFor("portal", "web", [w], march, TZ);
    expect(report.map((r) => r.cancelled)).toEqual([false, false, false, true, true]);
    expect(report.map((r) => r.excludedMs)).toEqual([2 * H, 2 * H, 2 * H, 0, 0]);
    expect(measure(intervals)).toBe(6 * H);
  });

  it("cancelled while running: the part before the cancellation stays excluded", () => {
    // 22:00–24:00, cancelled at 23:00 → 1 h
    const w = oneOff({ cancelledAt: t("2026-03-10T23:00:00+08:00") });
    const { intervals, report } = exclusionsFor("portal", "web", [w], march, TZ);
    expect(intervals).toEqual([
      { start: t("2026-03-10T22:00:00+08:00"), end: t("2026-03-10T23:00:00+08:00") },
    ]);
    expect(report).toMatchObject([
      { planned: true, cancelled: false, excludedMs: H, end: t("2026-03-11T00:00:00+08:00") },
    ]);
  });

  it("cancelled before it started: listed as cancelled, excludes nothing", () => {
    const w = oneOff({ cancelledAt: t("2026-03-10T21:00:00+08:00") });
    expect(exclusionsFor("portal", "web", [w], march, TZ)).toEqual({
      intervals: [],
      report: [expect.objectContaining({ planned: false, cancelled: true, excludedMs: 0 })],
    });
  });

  it("daily 23:00 for 2 h: occurrences running over the period edges are cut", () => {
    // 02-28 23:00 → 03-01 01:00 contributes 1 h; 03-01 … 03-30 → 30 × 2 h = 60 h; 03-31 23:00 → 1 h. 62 h.
    const w: MaintenanceWindow = {
      id: "nightly",
      targets: ["portal"],
      recurrence: { every: "day", at: "23:00", duration: 2 * H, from: "2026-02-01" },
      createdAt: t("2026-01-01T00:00:00+08:00"),
      ...common,
    };
    const { intervals, report } = exclusionsFor("portal", "web", [w], march, TZ);
    expect(report).toHaveLength(32);
    expect(report[0]?.excludedMs).toBe(H);
    expect(report.at(-1)?.excludedMs).toBe(H);
    expect(measure(intervals)).toBe(62 * H);
  });

  it("until is inclusive and from bounds the first occurrence", () => {
    const w = weekly({
      recurrence: {
        every: "week",
        weekdays: [2],
        at: "02:00",
        duration: 2 * H,
        from: "2026-03-04",
        until: "2026-03-17",
      },
    });
    // Tuesdays 03-10 and 03-17 only
    expect(occurrences(w, march, TZ).map((o) => o.start)).toEqual([
      t("2026-03-10T02:00:00+08:00"),
      t("2026-03-17T02:00:00+08:00"),
    ]);
  });

  it("monthly on day 31: a month without a 31st has no occurrence", () => {
    const w = weekly({
      recurrence: { every: "month", dayOfMonth: 31, at: "01:00", duration: H, from: "2026-01-01" },
    });
    expect(occurrences(w, march, TZ).map((o) => o.start)).toEqual([t("2026-03-31T01:00:00+08:00")]);
    const april = { start: t("2026-04-01T00:00:00+08:00"), end: t("2026-05-01T00:00:00+08:00") };
    expect(occurrences(w, april, TZ)).toEqual([]);
  });

  it("refuses an incomplete recurrence", () => {
    const w = weekly({ recurrence: { every: "week", at: "02:00", duration: H, from: "2026-03-01" } });
    expect(() => occurrences(w, march, TZ)).toThrow(/tue: a weekly recurrence needs weekdays/);
  });
});

describe("maintenance inside service hours", () => {
  it("measures only what it removes from AST", () => {
    // Tue 2026-03-10, a working day, service 08:30–12:00 and 14:00–17:30. A window 11:00–15:00
    // removes 11:00–12:00 (1 h) + 14:00–15:00 (1 h) = 2 h of AST.
    const st = { days: "working" as const, hours: ["08:30-12:00", "14:00-17:30"] };
    const ast = serviceIntervals(st, march, TZ, new WorkCalendar());
    const w = oneOff({ start: t("2026-03-10T11:00:00+08:00"), end: t("2026-03-10T15:00:00+08:00") });
    const { intervals, report } = exclusionsFor("portal", "web", [w], march, TZ, ast);
    expect(measure(intervals)).toBe(2 * H);
    expect(report[0]?.excludedMs).toBe(2 * H);
  });
});
