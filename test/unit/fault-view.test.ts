import { describe, expect, it } from "vitest";
import { Severities } from "../../config/indicators.js";
import { WorkCalendar } from "../../engine/calendar.js";
import { faultView } from "../../server/faults.js";
import type { FaultRecord } from "../../server/store/faults.js";

const clock = { severities: Severities.parse({}), tz: "Asia/Shanghai", calendar: new WorkCalendar() };
const fault = (openedAt: number, severity: "P1" | "P4"): FaultRecord => ({
  id: "1",
  target: "portal",
  cause: "manual:x",
  title: "x",
  source: "manual",
  severity,
  openedAt,
  open: true,
  events: [{ type: "opened", at: openedAt, severity, source: "manual", cause: "manual:x" }],
});

describe("fault view", () => {
  it("gives the deadlines of a P1 on the natural clock", () => {
    const at = Date.parse("2026-11-25T10:00:00+08:00");
    const v = faultView(fault(at, "P1"), clock, at + 60_000);
    // P1: respond within 15 min, resolve within 4 h
    expect(v).toMatchObject({
      respond_by: at + 15 * 60_000,
      resolve_by: at + 4 * 3_600_000,
      response: "pending",
    });
  });

  it("says why when a working-day deadline falls in a year the calendar does not cover", () => {
    // chinese-days 1.5.7 knows 2026 but not 2027: a P4 opened on 2026-12-31 is due in 2027.
    expect(clock.calendar.covers(2026)).toBe(true);
    expect(clock.calendar.covers(2027)).toBe(false);
    const at = Date.parse("2026-12-31T10:00:00+08:00");
    const v = faultView(fault(at, "P4"), clock, at);
    expect(v).toMatchObject({
      respond_by: null,
      resolve_by: null,
      response: "unknown",
      completion: "unknown",
    });
    expect(v.deadline_error).toMatch(/no official calendar data for 2027/);
  });
});
