import { describe, expect, it } from "vitest";
import type { Target } from "../../config/schema.js";
import type { MaintenanceWindow } from "../../engine/maintenance.js";
import type { Interval, Segment } from "../../engine/types.js";
import { dailyRatios, type PeriodFigures } from "../../server/indicators.js";
import type { State } from "../../server/live.js";
import {
  activeMaintenanceKey,
  dailyByTarget,
  historyDates,
  historyIndicators,
  overallOf,
  StatusHistory,
  statusView,
} from "../../server/status.js";
import type { FaultRecord } from "../../server/store/faults.js";

const TZ = "Asia/Shanghai";
const H = 3_600_000;
const at = (s: string) => Date.parse(`${s}+08:00`);
const target = (id: string, group: string, name = id): Target =>
  ({ id, name, group, checks: [], indicators: [], service_time: "24x7" }) as unknown as Target;
const targets = [
  target("ups1", "power", "1号UPS"),
  target("ups2", "power", "2号UPS"),
  target("web", "portal", "门户网站"),
];
const site = { name: "数据中心", timezone: TZ };

function fault(id: string, t: string, openedAt: number, more: FaultRecord["events"] = []): FaultRecord {
  return {
    id,
    target: t,
    cause: "breach:ups_power_stability",
    title: "UPS 供电中断",
    source: "auto",
    severity: "P1",
    openedAt,
    open: true,
    events: [
      { type: "opened", at: openedAt, severity: "P1", source: "auto", cause: "breach:ups_power_stability" },
      ...more,
    ],
  };
}

describe("status view", () => {
  const now = at("2026-03-10T12:00:00");
  const states: Record<string, State> = { ups1: "down", ups2: "up", web: "up" };
  const base = { site, targets, state: (t: Target) => states[t.id] as State, now };

  it("groups targets with their state and says partial when one of three is down", () => {
    const v = statusView({ ...base, windows: [], openFaults: [] });
    expect(v.overall).toBe("partial");
    expect(v.counts).toEqual({ up: 2, down: 1, unknown: 0, maintenance: 0 });
    expect(v.groups).toEqual([
      {
        id: "power",
        targets: [
          { id: "ups1", name: "1号UPS", state: "down", maintenance: false },
          { id: "ups2", name: "2号UPS", state: "up", maintenance: false },
        ],
      },
      { id: "portal", targets: [{ id: "web", name: "门户网站", state: "up", maintenance: false }] },
    ]);
  });

  it("banner: major over half down, up with none, unknown when nothing reports, maintenance set aside", () => {
    const t = (state: State, maintenance = false) => ({ id: "x", name: "x", state, maintenance });
    expect(overallOf([t("down"), t("down"), t("up")])).toBe("major");
    expect(overallOf([t("down"), t("up")])).toBe("partial"); // exactly half is not more than half
    expect(overallOf([t("up"), t("unknown")])).toBe("up");
    expect(overallOf([t("unknown"), t("unknown")])).toBe("unknown");
    expect(overallOf([t("down", true), t("up")])).toBe("up");
    expect(overallOf([])).toBe("up");
  });

  it("marks targets in maintenance now and announces running and upcoming windows, not cancelled ones", () => {
    const windows: MaintenanceWindow[] = [
      // running now, by group
      {
        id: "1",
        groups: ["power"],
        start: now - H,
        end: now + H,
        createdAt: now - 2 * H,
        reason: "UPS 电池更换",
        approvedBy: "张三",
      },
      // tomorrow, one target
      {
        id: "2",
        targets: ["web"],
        start: now + 24 * H,
        end: now + 26 * H,
        createdAt: now - H,
        reason: "门户升级",
        approvedBy: "李四",
      },
      // cancelled before it started
      {
        id: "3",
        targets: ["web"],
        start: now + 2 * H,
        end: now + 3 * H,
        createdAt: now - H,
        cancelledAt: now - 1000,
        reason: "取消的",
        approvedBy: "王五",
      },
      // over
      {
        id: "4",
        targets: ["web"],
        start: now - 5 * H,
        end: now - 4 * H,
        createdAt: 0,
        reason: "旧",
        approvedBy: "x",
      },
      // weekly, Sundays at 02:00 for 2 h: the next one (2026-03-15 is a Sunday)
      {
        id: "5",
        targets: ["web"],
        recurrence: { every: "week", weekdays: [0], at: "02:00", duration: 2 * H, from: "2026-01-01" },
        createdAt: 0,
        reason: "例行维护",
        approvedBy: "x",
      },
    ];
    const v = statusView({ ...base, windows, openFaults: [] });
    expect(v.groups[0]?.targets.map((t) => t.maintenance)).toEqual([true, true]);
    expect(v.groups[1]?.targets[0]?.maintenance).toBe(false);
    // ups1 is down but in maintenance: the banner does not call it an outage
    expect(v.overall).toBe("up");
    expect(v.maintenance).toEqual([
      {
        id: "1",
        reason: "UPS 电池更换",
        start: now - H,
        end: now + H,
        active: true,
        recurring: false,
        targets: ["1号UPS", "2号UPS"],
        groups: ["power"],
      },
      {
        id: "2",
        reason: "门户升级",
        start: now + 24 * H,
        end: now + 26 * H,
        active: false,
        recurring: false,
        targets: ["门户网站"],
        groups: [],
      },
      {
        id: "5",
        reason: "例行维护",
        start: at("2026-03-15T02:00:00"),
        end: at("2026-03-15T04:00:00"),
        active: false,
        recurring: true,
        targets: ["门户网站"],
        groups: [],
      },
    ]);
    // nobody's name on the public page
    expect(JSON.stringify(v)).not.toMatch(/张三|李四|王五/);
    expect(activeMaintenanceKey(windows, now, TZ)).toBe("1");
    expect(activeMaintenanceKey(windows, now + 2 * H, TZ)).toBe("");
  });

  it("a window cancelled while running ends at the cancellation", () => {
    const w: MaintenanceWindow = {
      id: "9",
      targets: ["web"],
      start: now - 2 * H,
      end: now + 2 * H,
      createdAt: now - 3 * H,
      cancelledAt: now - H,
      reason: "r",
      approvedBy: "x",
    };
    const v = statusView({ ...base, windows: [w], openFaults: [] });
    expect(v.maintenance).toEqual([]);
    expect(v.groups[1]?.targets[0]?.maintenance).toBe(false);
  });

  it("open incidents in plain words: target name, title, severity, since, acknowledged — no notes, no actors", () => {
    const f1 = fault("7", "ups1", now - H, [
      { type: "acknowledged", at: now - H + 60_000, actor: "值班员甲", note: "内部备注：机房钥匙在抽屉" },
    ]);
    const f2 = fault("8", "web", now - 2 * H, [{ type: "recovered", at: now - 10 * 60_000 }]);
    const f3 = { ...fault("9", "web", now - 3 * H), severity: "P3", title: "响应慢" } as FaultRecord;
    f3.events = [{ type: "opened", at: now - 3 * H, severity: "P3", source: "auto", cause: "x" }];
    const v = statusView({ ...base, windows: [], openFaults: [f2, f1, f3] });
    expect(v.incidents).toEqual([
      {
        id: "7",
        target: "ups1",
        target_name: "1号UPS",
        title: "UPS 供电中断",
        severity: "P1",
        since: now - H,
        acknowledged: true,
        recovered: false,
      },
      {
        id: "8",
        target: "web",
        target_name: "门户网站",
        title: "UPS 供电中断",
        severity: "P1",
        since: now - 2 * H,
        acknowledged: false,
        recovered: true,
      },
      {
        id: "9",
        target: "web",
        target_name: "门户网站",
        title: "响应慢",
        severity: "P3",
        since: now - 3 * H,
        acknowledged: false,
        recovered: false,
      },
    ]);
    expect(JSON.stringify(v)).not.toMatch(/值班员甲|钥匙/);
  });
});

/** PeriodFigures holding one indicator whose targets' days come from real engine timelines. */
function figuresFrom(
  period: Interval,
  timelines: Record<string, Segment[]>,
  indicator = "ups_power_stability",
  extra: PeriodFigures["indicators"] = [],
): PeriodFigures {
  return {
    period,
    computedAt: period.end,
    indicators: [
      {
        id: indicator,
        objective: 1,
        value: null,
        met: null,
        targets: Object.entries(timelines).map(([id, segments]) => ({
          target: id,
          name: id,
          group: "g",
          daily: dailyRatios(segments, [period], [], period, TZ, "exclude"),
        })) as unknown as PeriodFigures["indicators"][number]["targets"],
      },
      ...extra,
    ],
    faults: {} as PeriodFigures["faults"],
    inspections: {} as PeriodFigures["inspections"],
  };
}

describe("status history", () => {
  const day = (d: string) => at(`${d}T00:00:00`);

  it("a day half down is 50 %, a whole day up 100 %, a day with no data is no data (not 100 %)", () => {
    const period = { start: day("2026-03-08"), end: day("2026-03-11") };
    const segs: Segment[] = [
      // 03-08: up all day
      { start: day("2026-03-08"), end: day("2026-03-09"), state: "up" },
      // 03-09: up 00–12, down 12–24
      { start: day("2026-03-09"), end: at("2026-03-09T12:00:00"), state: "up" },
      { start: at("2026-03-09T12:00:00"), end: day("2026-03-10"), state: "down" },
      // 03-10: nothing known
    ];
    const m = dailyByTarget(figuresFrom(period, { ups1: segs }));
    expect([...(m.get("ups1") ?? [])]).toEqual([
      ["2026-03-08", 1],
      ["2026-03-09", 0.5],
      ["2026-03-10", null],
    ]);
  });

  it("a quarter of the known time down is 75 % (unknown time excluded)", () => {
    const period = { start: day("2026-03-09"), end: day("2026-03-10") };
    const segs: Segment[] = [
      { start: day("2026-03-09"), end: at("2026-03-09T06:00:00"), state: "up" },
      { start: at("2026-03-09T06:00:00"), end: at("2026-03-09T08:00:00"), state: "down" },
      // 08–16 unknown
      { start: at("2026-03-09T16:00:00"), end: day("2026-03-10"), state: "up" },
    ];
    // known 16 h, down 2 h → 14/16 = 87.5 %: hand-computed
    expect(
      dailyByTarget(figuresFrom(period, { ups1: segs }))
        .get("ups1")
        ?.get("2026-03-09"),
    ).toBe(0.875);
  });

  it("prefers a power or website timeline to response_time's for a target in both", () => {
    const period = { start: day("2026-03-09"), end: day("2026-03-10") };
    const up: Segment[] = [{ start: period.start, end: period.end, state: "up" }];
    const down: Segment[] = [{ start: period.start, end: period.end, state: "down" }];
    const rt = figuresFrom(period, { web: down }, "response_time");
    const f = figuresFrom(period, { web: up }, "website_uptime", rt.indicators);
    expect(dailyByTarget(f).get("web")?.get("2026-03-09")).toBe(1);
    // order does not matter
    const g = figuresFrom(period, { web: down }, "response_time", f.indicators.slice(0, 1));
    expect(dailyByTarget(g).get("web")?.get("2026-03-09")).toBe(1);
  });

  it("the eight indicators month to date: ratios as they are, response time in seconds", () => {
    const f = figuresFrom({ start: 0, end: 1 }, {}, "website_uptime");
    f.indicators = [
      { id: "website_uptime", objective: 0.98, value: 0.99, met: true, targets: [] },
      { id: "response_time", objective: 3000, value: 4200, met: false, targets: [] },
      { id: "fault_response_rate", objective: 1, value: null, met: null, targets: [] },
    ];
    expect(historyIndicators(f)).toEqual([
      { id: "website_uptime", unit: "ratio", value: 0.99, objective: 0.98, met: true },
      { id: "response_time", unit: "seconds", value: 4.2, objective: 3, met: false },
      { id: "fault_response_rate", unit: "ratio", value: null, objective: 1, met: null },
    ]);
  });

  it("90 local dates ending today in the site zone", () => {
    // 2026-03-10 01:00 in Shanghai is still 03-09 in UTC
    const d = historyDates(at("2026-03-10T01:00:00"), TZ);
    expect(d).toHaveLength(90);
    expect(d[89]).toBe("2026-03-10");
    expect(d[0]).toBe("2025-12-11");
  });

  it("caches the answer ~60 s, then recomputes only the recent days and keeps the older ones", async () => {
    let now = at("2026-03-10T12:00:00");
    const calls: Interval[] = [];
    // ups1 down all the time since 2026-03-01 per the "engine"; a day's value depends only on the day
    const compute = async (period: Interval, n: number) => {
      calls.push(period);
      const segs: Segment[] = [{ start: day("2026-03-05"), end: n, state: "up" }];
      return figuresFrom(period, { ups1: segs });
    };
    const h = new StatusHistory({
      targets: [target("ups1", "power"), target("none", "power")],
      tz: TZ,
      compute,
      clock: () => now,
    });
    const v1 = await h.get();
    // the 90 days, then the month to date
    expect(calls).toEqual([
      { start: day("2025-12-11"), end: now },
      { start: day("2026-03-01"), end: now },
    ]);
    const ups = v1.targets[0];
    expect(ups?.days).toHaveLength(90);
    expect(ups?.days.filter((d) => d.ratio === 1).map((d) => d.date)).toEqual([
      "2026-03-05",
      "2026-03-06",
      "2026-03-07",
      "2026-03-08",
      "2026-03-09",
      "2026-03-10",
    ]);
    expect(ups?.days.filter((d) => d.ratio === null)).toHaveLength(84);
    expect(ups?.ratio).toBe(1);
    // a target that counts toward no indicator: no data, every day
    expect(v1.targets[1]?.days.every((d) => d.ratio === null)).toBe(true);
    expect(v1.targets[1]?.ratio).toBeNull();
    expect(v1.from).toBe("2025-12-11");
    expect(v1.to).toBe("2026-03-10");
    expect(v1.month).toBe("2026-03");

    now += 30_000;
    expect(await h.get()).toBe(v1);
    expect(calls).toHaveLength(2);

    now += 31_000;
    const v2 = await h.get();
    // today and the two days before only
    expect(calls[2]).toEqual({ start: day("2026-03-08"), end: now });
    expect(v2.targets[0]?.days).toEqual(v1.targets[0]?.days);

    // an hour later everything is recomputed
    now += 3_600_000;
    await h.get();
    expect(calls[4]).toEqual({ start: day("2025-12-11"), end: now });
  });
});
