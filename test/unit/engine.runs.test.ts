import { describe, expect, it } from "vitest";
import { appendRun, encodeRuns } from "../../engine/runs.js";
import type { Run, Sample } from "../../engine/types.js";
import { at, HOLD, HOUR, MIN, SEC, TZ } from "./engine.helpers.js";

const t0 = at("2026-11-10T09:00+08:00");
const s = (offsetMs: number, verdict: Sample["verdict"]): Sample => ({ ts: t0 + offsetMs, verdict });
const run = (start: number, last: number, count: number, verdict: Run["verdict"]): Run => ({
  start: t0 + start,
  last: t0 + last,
  count,
  verdict,
  hold: HOLD,
});

describe("encodeRuns", () => {
  it("sorts, and starts a run on a verdict change or a gap beyond the hold", () => {
    const samples = [s(2 * MIN, "ok"), s(0, "ok"), s(MIN, "ok"), s(3 * MIN, "fail"), s(4 * MIN, "fail")];
    // then a gap of 135 s (= hold: still the same run) and one of 136 s (beyond: a new run)
    samples.push(s(4 * MIN + HOLD, "fail"), s(4 * MIN + HOLD + HOLD + SEC, "fail"));
    expect(encodeRuns(samples, HOLD, TZ)).toEqual([
      run(0, 2 * MIN, 3, "ok"),
      run(3 * MIN, 4 * MIN + HOLD, 3, "fail"),
      run(4 * MIN + 2 * HOLD + SEC, 4 * MIN + 2 * HOLD + SEC, 1, "fail"),
    ]);
  });

  it("keeps equal timestamps in input order and drops replays (same timestamp and verdict)", () => {
    const samples = [s(0, "ok"), s(MIN, "fail"), s(MIN, "ok"), s(MIN, "fail"), s(0, "ok"), s(2 * MIN, "ok")];
    // at +1 min: fail then ok (input order); the second fail at +1 min and the second ok at 0 are replays
    expect(encodeRuns(samples, HOLD, TZ)).toEqual([
      run(0, 0, 1, "ok"),
      run(MIN, MIN, 1, "fail"),
      run(MIN, 2 * MIN, 2, "ok"),
    ]);
  });

  it("splits runs at local midnight in the site zone (16:00 UTC in Asia/Shanghai)", () => {
    const before = at("2026-10-31T15:59:00Z"); // 23:59 local on Oct 31
    const samples: Sample[] = [0, 1, 2].map((i) => ({ ts: before + i * MIN, verdict: "ok" }));
    expect(encodeRuns(samples, HOLD, TZ)).toEqual([
      { start: before, last: before, count: 1, verdict: "ok", hold: HOLD },
      {
        start: at("2026-10-31T16:00:00Z"),
        last: at("2026-10-31T16:01:00Z"),
        count: 2,
        verdict: "ok",
        hold: HOLD,
      },
    ]);
  });
});

describe("appendRun", () => {
  it("gives the same runs as encodeRuns for in-order input, replays included", () => {
    const midnight = 15 * HOUR; // t0 is 09:00 local: +15 h is 00:00 on Nov 11
    const samples = [
      s(0, "ok"),
      s(MIN, "ok"),
      s(MIN, "fail"),
      s(MIN, "ok"), // replay of the ok one sample back
      s(2 * MIN, "fail"),
      s(4 * MIN, "none"),
      s(midnight - MIN, "none"), // after a gap beyond the hold
      s(midnight, "none"), // 1 min later but on the next local day
    ];
    const runs: Run[] = [];
    for (const sample of samples) expect(appendRun(runs, sample, HOLD, TZ)).toBe(true);
    const expected = [
      run(0, MIN, 2, "ok"),
      run(MIN, 2 * MIN, 2, "fail"),
      run(4 * MIN, 4 * MIN, 1, "none"),
      run(midnight - MIN, midnight - MIN, 1, "none"),
      run(midnight, midnight, 1, "none"),
    ];
    expect(runs).toEqual(expected);
    expect(encodeRuns(samples, HOLD, TZ)).toEqual(expected);
  });

  it("refuses a sample older than the stream's last one, changing nothing", () => {
    const runs = encodeRuns([s(0, "ok"), s(MIN, "ok")], HOLD, TZ);
    const copy = structuredClone(runs);
    expect(appendRun(runs, s(30 * SEC, "fail"), HOLD, TZ)).toBe(false);
    expect(runs).toEqual(copy);
  });
});
