import { describe, expect, it } from "vitest";
import { websiteSampleShare, worstRolling7Days } from "../../engine/website.js";
import { monthPeriod } from "../../engine/zone.js";
import { at, failingIn, HOLD, HOUR, MIN, samplesEvery, streamOf, TZ } from "./engine.helpers.js";

describe("website sample figures", () => {
  const november = monthPeriod("2026-11", TZ);
  const nov10 = at("2026-11-10T00:00+08:00");
  /** Two agents probing every 60 s from an hour before November to an hour after it. */
  const runsWithFailures = (failuresOnNov10: number) => {
    const failing = failingIn([nov10, nov10 + failuresOnNov10 * MIN]);
    const a1 = samplesEvery(november.start - HOUR, november.end + HOUR, MIN, failing);
    const a2 = samplesEvery(november.start - HOUR + 30_000, november.end + HOUR, MIN, () => "ok");
    return [streamOf(a1, { agent: "a1" }).runs, streamOf(a2, { agent: "a2" }).runs];
  };

  it("pools every raw result of the period, both agents", () => {
    // each agent: 30 days × 1 440 = 43 200 results inside November; a1 fails 504 of them
    const share = websiteSampleShare(runsWithFailures(504), november);
    expect(share).toEqual({ total: 86_400, failed: 504, share: 504 / 86_400 });
  });

  it("a 7-day window at exactly 5 % failures is a veto (inclusive)", () => {
    // one agent only: a window holds 7 × 1 440 = 10 080 results; 5 % of it is 504
    const [a1 = []] = runsWithFailures(504);
    const worst = worstRolling7Days([a1], november, TZ, 0.05);
    // every window containing Nov 10 (starting Nov 4 … Nov 10) has 504 / 10 080 = 5 %; the earliest is reported
    expect(worst).toEqual({
      start: at("2026-11-04T00:00+08:00"),
      end: at("2026-11-11T00:00+08:00"),
      total: 10_080,
      failed: 504,
      share: 0.05,
      veto: true,
    });
    const [below = []] = runsWithFailures(503);
    expect(worstRolling7Days([below], november, TZ, 0.05)).toMatchObject({ failed: 503, veto: false });
  });

  it("windows lie fully inside the period", () => {
    const [a1 = []] = runsWithFailures(10);
    // Nov 1 – Nov 7 local: exactly one window
    const week = { start: november.start, end: at("2026-11-08T00:00+08:00") };
    expect(worstRolling7Days([a1], week, TZ, 0.05)).toMatchObject({
      start: week.start,
      end: week.end,
      total: 10_080,
    });
    const sixDays = { start: november.start, end: at("2026-11-07T00:00+08:00") };
    expect(worstRolling7Days([a1], sixDays, TZ, 0.05)).toBeNull();
    // a period starting 1 h after midnight: the first window starts at the next midnight
    const late = { start: november.start + HOUR, end: at("2026-11-09T00:00+08:00") };
    expect(worstRolling7Days([a1], late, TZ, 0.05)).toMatchObject({ start: at("2026-11-02T00:00+08:00") });
  });

  it("a result at 2026-10-31T16:00:00Z is counted in November, not October", () => {
    const runs = streamOf([{ ts: at("2026-10-31T16:00:00Z"), verdict: "fail" }], { hold: HOLD }).runs;
    expect(websiteSampleShare([runs], monthPeriod("2026-10", TZ)).total).toBe(0);
    expect(websiteSampleShare([runs], november)).toEqual({ total: 1, failed: 1, share: 1 });
  });
});
