import { describe, expect, it } from "vitest";
import { responseTimeFigures } from "../../engine/response-time.js";
import { monthPeriod } from "../../engine/zone.js";
import { at, MIN, TZ } from "./engine.helpers.js";

describe("responseTimeFigures", () => {
  const t0 = at("2026-11-10T09:00+08:00");
  const included = [{ start: t0, end: t0 + 60 * MIN }];
  // 20 successful operations: 100, 200, …, 1 900 ms and one of exactly 3 000 ms; 1 failed one (its
  // 50 ms do not matter); n = 21. Sorted: 100 … 1 900, 3 000, +∞.
  const durations = [...Array.from({ length: 19 }, (_, i) => (i + 1) * 100), 3000];
  const samples = [
    ...durations.map((durationMs, i) => ({ ts: t0 + i * MIN, ok: true, durationMs })),
    { ts: t0 + 30 * MIN, ok: false, durationMs: 50 },
    // outside the included time (e.g. in maintenance): ignored
    { ts: t0 + 60 * MIN, ok: true, durationMs: 99_999 },
    { ts: t0 - 1, ok: false, durationMs: 1 },
  ];

  it("nearest rank over the included operations, failures as +∞; exactly 3 000 ms is met", () => {
    expect(responseTimeFigures(samples, included, 3000, 0.95)).toEqual({
      n: 21,
      p50: 1100, // ⌈0.50 × 21⌉ = ⌈10.5⌉ = 11th smallest
      p95: 3000, // ⌈0.95 × 21⌉ = ⌈19.95⌉ = 20th smallest
      p99: Number.POSITIVE_INFINITY, // ⌈0.99 × 21⌉ = ⌈20.79⌉ = 21st: the failure
      max: Number.POSITIVE_INFINITY,
      shareWithinLimit: 20 / 21, // all but the failure are ≤ 3 000 ms
      met: true, // p95 = 3 000 ≤ 3 000
    });
    const stricter = responseTimeFigures(samples, included, 2999, 0.95);
    expect([stricter.met, stricter.shareWithinLimit]).toEqual([false, 19 / 21]);
  });

  it("takes the percentile as the decimal written: ⌈0.07 × 100⌉ is 7, not 8", () => {
    // durations 1 … 100 ms; in doubles 0.07 * 100 = 7.000000000000001
    const ops = Array.from({ length: 100 }, (_, i) => ({ ts: t0 + i, ok: true, durationMs: i + 1 }));
    expect(responseTimeFigures(ops, included, 7, 0.07).met).toBe(true);
    expect(responseTimeFigures(ops, included, 6, 0.07).met).toBe(false);
  });

  it("no operation: everything n/a", () => {
    expect(responseTimeFigures(samples, [], 3000, 0.95)).toEqual({
      n: 0,
      p50: null,
      p95: null,
      p99: null,
      max: null,
      shareWithinLimit: null,
      met: null,
    });
  });

  it("an operation at 2026-10-31T16:00:00Z counts in November (Asia/Shanghai), not October", () => {
    const op = [{ ts: at("2026-10-31T16:00:00Z"), ok: true, durationMs: 10 }];
    expect(responseTimeFigures(op, [monthPeriod("2026-10", TZ)], 3000, 0.95).n).toBe(0);
    expect(responseTimeFigures(op, [monthPeriod("2026-11", TZ)], 3000, 0.95).n).toBe(1);
  });
});
