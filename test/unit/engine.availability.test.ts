import { describe, expect, it } from "vitest";
import { availability, formatPercent, isMet } from "../../engine/availability.js";
import { streamTimeline } from "../../engine/timeline.js";
import type { Interval, Sample } from "../../engine/types.js";
import { monthPeriod } from "../../engine/zone.js";
import { at, DAY, failingIn, HOLD, HOUR, MIN, SEC, samplesEvery, streamOf, TZ } from "./engine.helpers.js";

/** Availability of one stream of samples, its timeline taken a day beyond the period on both sides. */
function figures(
  samples: Sample[],
  period: Interval,
  { exclusions = [] as Interval[], unknown = "exclude" as "exclude" | "count_as_down", confirm = 2 } = {},
) {
  const wide = { start: period.start - DAY, end: period.end + DAY };
  const { segments, flaps } = streamTimeline(streamOf(samples, { confirm }), wide);
  return availability({ segments, ast: [period], exclusions, period, unknown, flaps });
}

describe("availability over a month", () => {
  const november = monthPeriod("2026-11", TZ); // 30 days, 2026-10-31T16:00Z to 2026-11-30T16:00Z
  const outage = [at("2026-11-10T09:00+08:00"), at("2026-11-10T10:01+08:00")] as [number, number];
  const planned = { start: at("2026-11-20T02:00+08:00"), end: at("2026-11-20T02:37+08:00") };
  // HTTP every 60 s from 10 min before the month to 10 min after: 61 failures 09:00…10:00 (first
  // success 10:01), 37 failures 02:00…02:36 inside the planned window 02:00–02:37 (first success 02:37).
  const samples = samplesEvery(
    november.start - 10 * MIN,
    november.end + 10 * MIN,
    MIN,
    failingIn(outage, [planned.start, planned.end]),
  );

  it("61 min unplanned downtime, 37 min planned: ratio = (AST − excluded − 61 min) / (AST − excluded)", () => {
    const f = figures(samples, november, { exclusions: [planned] });
    // AST = 30 d × 86 400 000 ms = 2 592 000 000 ms; excluded = 37 × 60 000 = 2 220 000 ms
    // down = 61 × 60 000 = 3 660 000 ms; up = 2 592 000 000 − 2 220 000 − 3 660 000 = 2 586 120 000 ms
    expect(november.end - november.start).toBe(2_592_000_000);
    expect(f.ast).toBe(2_592_000_000);
    expect(f.excluded).toBe(2_220_000);
    expect(f.down).toBe(3_660_000);
    expect(f.unknown).toBe(0);
    expect(f.up).toBe(2_586_120_000);
    expect(f.coverage).toBe(1);
    // ratio = 2 586 120 000 / 2 589 780 000 = 1 − 366/258 978 = 0.998586…: 99.8586 % truncates to 99.85 %
    // (rounding would give 99.86 %)
    expect(f.ratio).toBe(2_586_120_000 / 2_589_780_000);
    expect(formatPercent(f.ratio)).toBe("99.85%");
    expect(isMet(f.ratio, 0.98)).toBe(true);
    expect(isMet(f.ratio, 1)).toBe(false);
    // the planned one is no outage: one entry of 61 min
    expect(f.outages).toEqual([{ start: outage[0], end: outage[1], rawStart: outage[0], rawEnd: outage[1] }]);
    expect(f.outages[0] && f.outages[0].end - f.outages[0].start).toBe(61 * MIN);
    expect(f.flaps).toEqual([]);
  });

  it("a 2-hour agent silence is 2 h − hold of UNKNOWN: excluded from the ratio, or down with count_as_down", () => {
    const day = { start: at("2026-11-10T00:00+08:00"), end: at("2026-11-11T00:00+08:00") };
    // results every minute; none from 10:01 to 11:59 (last before the silence at 10:00, next at 12:00);
    // a 5-minute outage: failures 15:00…15:04, first success 15:05
    const silence = [at("2026-11-10T10:00:30+08:00"), at("2026-11-10T11:59:30+08:00")];
    const down = [at("2026-11-10T15:00+08:00"), at("2026-11-10T15:05+08:00")] as [number, number];
    const daySamples = samplesEvery(day.start - HOUR, day.end + HOUR, MIN, failingIn(down)).filter(
      (s) => s.ts < (silence[0] as number) || s.ts > (silence[1] as number),
    );
    const f = figures(daySamples, day);
    // the 10:00 result holds 135 s, to 10:02:15; unknown 10:02:15–12:00 = 7 200 000 − 135 000 = 7 065 000 ms
    expect(f.unknown).toBe(2 * HOUR - HOLD);
    expect(f.unknown).toBe(7_065_000);
    expect(f.down).toBe(300_000);
    // up = 86 400 000 − 7 065 000 − 300 000 = 79 035 000 ms
    expect(f.up).toBe(79_035_000);
    // coverage = (79 035 000 + 300 000) / 86 400 000 = 79 335 000 / 86 400 000 ≈ 0.9182
    expect(f.coverage).toBe(79_335_000 / 86_400_000);
    // exclude: ratio = up / known = 79 035 000 / 79 335 000 ≈ 0.99621 → 99.62 %
    expect(f.ratio).toBe(79_035_000 / 79_335_000);
    expect(formatPercent(f.ratio)).toBe("99.62%");
    // count_as_down: ratio = (AST − down − unknown) / AST = 79 035 000 / 86 400 000 ≈ 0.91475 → 91.47 %
    const asDown = figures(daySamples, day, { unknown: "count_as_down" });
    expect(asDown.ratio).toBe(79_035_000 / 86_400_000);
    expect(formatPercent(asDown.ratio)).toBe("91.47%");
    expect(asDown.down).toBe(300_000); // the observed downtime itself is unchanged
    expect(asDown.unknown).toBe(7_065_000);
  });

  it("with no known time, or no counted time, the ratio is n/a, never 100 %", () => {
    const day = { start: at("2026-11-10T00:00+08:00"), end: at("2026-11-11T00:00+08:00") };
    const silent = figures([], day);
    expect([silent.ratio, silent.coverage, silent.unknown]).toEqual([null, 0, DAY]);
    expect(figures([], day, { unknown: "count_as_down" }).ratio).toBeNull();
    const allPlanned = figures(
      samplesEvery(day.start, day.end, MIN, () => "ok"),
      day,
      { exclusions: [day] },
    );
    expect([allPlanned.ratio, allPlanned.coverage, allPlanned.excluded]).toEqual([null, null, DAY]);
    expect(formatPercent(allPlanned.ratio)).toBe("n/a");
    expect(isMet(allPlanned.ratio, 1)).toBeNull();
  });
});

describe("period boundaries", () => {
  const october = monthPeriod("2026-10", TZ);
  const november = monthPeriod("2026-11", TZ);

  it("an outage from Oct 31 23:30 to Nov 1 00:40 local: 30 min in October, 40 in November, same raw span", () => {
    const start = at("2026-10-31T23:30+08:00"); // 15:30Z
    const end = at("2026-11-01T00:40+08:00"); // 16:40Z
    const samples = samplesEvery(start - 4 * HOUR, end + 4 * HOUR, MIN, failingIn([start, end]));
    // one timeline over both months, so the spell is seen whole from either period
    const { segments } = streamTimeline(streamOf(samples), { start: october.start, end: november.end });
    const of = (period: Interval) =>
      availability({ segments, ast: [period], exclusions: [], period, unknown: "exclude", flaps: [] });
    const oct = of(october);
    const nov = of(november);
    expect(oct.down).toBe(30 * MIN);
    expect(nov.down).toBe(40 * MIN);
    expect(oct.outages).toEqual([{ start, end: october.end, rawStart: start, rawEnd: end }]);
    expect(nov.outages).toEqual([{ start: november.start, end, rawStart: start, rawEnd: end }]);
  });

  it("a result at 2026-10-31T16:00:00Z is 00:00 on Nov 1 in Asia/Shanghai: it belongs to November", () => {
    expect(november.start).toBe(at("2026-10-31T16:00:00Z"));
    expect(october.end).toBe(november.start);
    // a lone failure (a flap, confirm 2) at that instant, between successes
    const flapAt = at("2026-10-31T16:00:00Z");
    const samples = samplesEvery(flapAt - HOUR, flapAt + HOUR, MIN, failingIn([flapAt, flapAt + SEC]));
    const wide = { start: october.start, end: november.end };
    const { flaps, segments } = streamTimeline(streamOf(samples), wide);
    const of = (period: Interval) =>
      availability({ segments, ast: [period], exclusions: [], period, unknown: "exclude", flaps });
    expect(of(october).flaps).toEqual([]);
    expect(of(november).flaps).toEqual([
      { check: "http", agent: "a1", start: flapAt, end: flapAt + MIN, failures: 1 },
    ]);
    expect(of(november).down).toBe(0);
  });
});

describe("display and objectives", () => {
  it("truncates to two decimals", () => {
    expect(formatPercent(0.99995)).toBe("99.99%");
    expect(formatPercent(0.99999999)).toBe("99.99%");
    expect(formatPercent(1)).toBe("100.00%");
    expect(formatPercent(null)).toBe("n/a");
    expect(formatPercent(0)).toBe("0.00%");
    expect(formatPercent(0.98)).toBe("98.00%");
    // 0.9995 is 0.99949999999999994… in binary; it stands for 99.95 %
    expect(formatPercent(0.9995)).toBe("99.95%");
    expect(formatPercent(0.0000001)).toBe("0.00%");
  });

  it("a 100 % objective is not met with 1 s of downtime, though it displays as 99.99 %", () => {
    const november = monthPeriod("2026-11", TZ);
    const second = november.start + 10 * DAY;
    const segments = [
      { start: november.start, end: second, state: "up" as const },
      { start: second, end: second + SEC, state: "down" as const },
      { start: second + SEC, end: november.end, state: "up" as const },
    ];
    const f = availability({
      segments,
      ast: [november],
      exclusions: [],
      period: november,
      unknown: "exclude",
      flaps: [],
    });
    // ratio = (2 592 000 000 − 1 000) / 2 592 000 000 = 0.99999961…
    expect(f.ratio).toBe(2_591_999_000 / 2_592_000_000);
    expect(isMet(f.ratio, 1)).toBe(false);
    expect(formatPercent(f.ratio)).toBe("99.99%");
    expect(isMet(1, 1)).toBe(true);
    // an objective met exactly: 98 / 100 is 0.98
    expect(isMet(98 / 100, 0.98)).toBe(true);
  });

  it("service hours: only AST counts, and a spell outside it is no outage", () => {
    const day = { start: at("2026-11-10T00:00+08:00"), end: at("2026-11-11T00:00+08:00") };
    const ast = [
      { start: at("2026-11-10T08:30+08:00"), end: at("2026-11-10T12:00+08:00") },
      { start: at("2026-11-10T14:00+08:00"), end: at("2026-11-10T17:30+08:00") },
    ];
    // down 07:00–07:30 (outside AST) and 11:50–14:10 (10 min + 10 min inside AST)
    const segments = [
      { start: day.start, end: at("2026-11-10T07:00+08:00"), state: "up" as const },
      { start: at("2026-11-10T07:00+08:00"), end: at("2026-11-10T07:30+08:00"), state: "down" as const },
      { start: at("2026-11-10T07:30+08:00"), end: at("2026-11-10T11:50+08:00"), state: "up" as const },
      { start: at("2026-11-10T11:50+08:00"), end: at("2026-11-10T14:10+08:00"), state: "down" as const },
      { start: at("2026-11-10T14:10+08:00"), end: day.end, state: "up" as const },
    ];
    const f = availability({ segments, ast, exclusions: [], period: day, unknown: "exclude", flaps: [] });
    // AST = 3.5 h + 3.5 h = 7 h = 25 200 000 ms; down = 20 min = 1 200 000 ms
    expect([f.ast, f.down, f.up]).toEqual([25_200_000, 1_200_000, 24_000_000]);
    expect(f.ratio).toBe(24_000_000 / 25_200_000);
    expect(f.outages).toEqual([
      {
        start: at("2026-11-10T11:50+08:00"),
        end: at("2026-11-10T14:10+08:00"),
        rawStart: at("2026-11-10T11:50+08:00"),
        rawEnd: at("2026-11-10T14:10+08:00"),
      },
    ]);
  });
});
