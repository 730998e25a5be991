// The operator CLI's text output without a server: overdue marks, option times, truncated percentages,
// and tables that stay aligned with Chinese text.
import { describe, expect, it } from "vitest";
import { type FaultView, listText } from "../../cli/faults.js";
import { displayWidth, fmtTime, parseOptionTime, table } from "../../cli/format.js";
import { indicatorsText } from "../../cli/indicators.js";
import { createBody } from "../../cli/maintenance.js";
import type { PeriodFigures } from "../../server/indicators.js";

const T0 = Date.parse("2025-03-04T02:00:00Z"); // 10:00 in Shanghai

function fault(over: Partial<FaultView>): FaultView {
  return {
    id: "7",
    target: "portal",
    cause: "website_uptime",
    title: "区政府门户网站: 网站不可访问 website down",
    source: "auto",
    severity: "P2",
    status: "open",
    opened_at: T0,
    acknowledged: null,
    recovered_at: null,
    resolved_at: null,
    respond_by: T0 + 30 * 60_000,
    resolve_by: T0 + 8 * 3_600_000,
    response: "missed",
    completion: "pending",
    history: [{ type: "opened", at: T0, severity: "P2", source: "auto", cause: "website_uptime" }],
    ...over,
  };
}

describe("operator CLI output", () => {
  it("marks a deadline OVERDUE only while nothing was done, in the site zone", () => {
    const late = listText([fault({})], "Asia/Shanghai");
    expect(late).toContain("2025-03-04 10:00  2025-03-04 10:30 OVERDUE  2025-03-04 18:00");
    const ackedLate = fault({
      acknowledged: { at: T0 + 3_600_000, actor: "op", note: "n" },
      history: [
        { type: "opened", at: T0, severity: "P2", source: "auto", cause: "website_uptime" },
        { type: "acknowledged", at: T0 + 3_600_000, actor: "op", note: "n" },
      ],
    });
    const text = listText([ackedLate], "UTC");
    expect(text).not.toContain("OVERDUE  ");
    expect(text).toMatch(
      /acknowledged\s+2025-03-04 02:00\s+2025-03-04 02:30\s+2025-03-04 10:00\s+missed\s+pending/,
    );
  });

  it("lines up columns by display width (a CJK character is two columns)", () => {
    expect(displayWidth("网站abc")).toBe(7);
    const lines = table(
      ["A", "B"],
      [
        ["网站", "x"],
        ["ab", "y"],
      ],
    ).split("\n");
    // Both second cells start at display column 6: "网站" is two characters but four columns.
    const col = (line: string | undefined, ch: string) =>
      displayWidth(line?.slice(0, line.indexOf(ch)) ?? "");
    expect(col(lines[2], "x")).toBe(6);
    expect(col(lines[3], "y")).toBe(6);
  });

  it("refuses option times without an offset and suggests the zone's", () => {
    expect(() => parseOptionTime("--start", "2025-03-01T02:00", "Asia/Shanghai")).toThrow(
      /--start: "2025-03-01T02:00" has no UTC offset.*2025-03-01T02:00\+08:00/,
    );
    expect(parseOptionTime("--start", "2025-03-01T02:00+08:00", "Asia/Shanghai")).toBe(
      Date.parse("2025-02-28T18:00:00Z"),
    );
    expect(fmtTime(Date.parse("2025-02-28T18:00:00Z"), "Asia/Shanghai")).toBe("2025-03-01 02:00");
  });

  it("builds maintenance bodies and names the option at fault", () => {
    const base = { server: "", tz: "Asia/Shanghai", reason: "r", approvedBy: "a" };
    expect(
      createBody(
        {
          ...base,
          group: ["web,power"],
          every: "week",
          weekdays: "3,1",
          at: "02:00",
          duration: "2h",
          from: "2025-03-01",
        },
        "Asia/Shanghai",
      ),
    ).toEqual({
      groups: ["web", "power"],
      reason: "r",
      approved_by: "a",
      recurrence: { every: "week", weekdays: [1, 3], at: "02:00", duration: "2h", from: "2025-03-01" },
    });
    expect(() =>
      createBody({ ...base, target: ["p"], start: "2025-03-01T02:00+08:00" }, "Asia/Shanghai"),
    ).toThrow("--end is required with --start");
    expect(() =>
      createBody(
        {
          ...base,
          target: ["p"],
          start: "2025-03-01T02:00+08:00",
          end: "2025-03-01T04:00+08:00",
          every: "day",
        },
        "Asia/Shanghai",
      ),
    ).toThrow(/not both \(--every\)/);
  });

  it("truncates percentages and shows response time as p95 in ms", () => {
    const p = {
      period: { start: T0, end: T0 + 86_400_000 },
      computedAt: T0 + 86_400_000,
      indicators: [
        { id: "website_uptime", objective: 0.98, value: 0.99995, met: true, targets: [] },
        { id: "response_time", objective: 3000, value: 3000.2, met: false, targets: [] },
        { id: "fault_response_rate", objective: 1, value: null, met: null, targets: [] },
      ],
      faults: {
        response: { met: 0, missed: 0, pending: 1, ratio: null },
        completion: { met: 0, missed: 0, pending: 1, ratio: null },
        mttaMs: null,
        mttrMs: null,
      },
    } as unknown as PeriodFigures;
    const text = indicatorsText(p, "en", "Asia/Shanghai");
    expect(text).toMatch(/website_uptime\s+≥ 98\.00%\s+99\.99%\s+met/);
    expect(text).toMatch(/response_time\s+p95 ≤ 3000 ms\s+p95 3001 ms\s+not met/);
    expect(text).toMatch(/fault_response_rate\s+≥ 100\.00%\s+n\/a\s+pending \(n\/a\)/);
    expect(text).toMatch(/inspection_pass_rate\s+—\s+n\/a\s+pending \(n\/a\) \*/);
    expect(indicatorsText(p, "zh-CN", "Asia/Shanghai")).toMatch(
      /网站正常运行率 website_uptime\s+≥ 98\.00%\s+99\.99%\s+达标/,
    );
  });
});
