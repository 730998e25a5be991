// Property tests of the availability pipeline against the specification read literally.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { availability } from "../../engine/availability.js";
import { appendRun, encodeRuns } from "../../engine/runs.js";
import { combineChecks, quorum, streamTimeline } from "../../engine/timeline.js";
import type { Flap, Interval, Run, Sample, Segment, State, Verdict } from "../../engine/types.js";
import { at, DAY, HOLD, HOUR, TZ } from "./engine.helpers.js";

const base = at("2026-11-10T20:00+08:00"); // near local midnight, so streams cross days

/**
 * The timeline of one (check, agent) by the letter of indicators.md, one sample at a time: the state
 * at an instant is that of the latest result at or before it, if it still holds (rules 1, 2); a failed
 * result is DOWN when the failures between the surrounding successes number at least `confirm`, else
 * part of a flap (rule 4); a "none" result is UNKNOWN.
 */
function referenceTimeline(input: Sample[], hold: number, confirm: number, range: Interval) {
  const sorted = [...input].sort((a, b) => a.ts - b.ts);
  const samples: Sample[] = [];
  for (const s of sorted) if (!samples.some((x) => x.ts === s.ts && x.verdict === s.verdict)) samples.push(s);
  const ends = samples.map((s, i) => Math.min(s.ts + hold, samples[i + 1]?.ts ?? Number.POSITIVE_INFINITY));
  const states: State[] = samples.map((s) => (s.verdict === "ok" ? "up" : "unknown"));
  const flaps: Flap[] = [];
  // failure sequences: the samples from a failure to the next success (or the end)
  for (let i = 0; i < samples.length; ) {
    if (samples[i]?.verdict !== "fail") {
      i++;
      continue;
    }
    let j = i;
    while (j < samples.length && samples[j]?.verdict !== "ok") j++;
    const failed = samples.flatMap((s, k) => (k >= i && k < j && s.verdict === "fail" ? [k] : []));
    for (const k of failed) states[k] = failed.length >= confirm ? "down" : "up";
    const first = samples[i]?.ts as number;
    if (failed.length < confirm && first >= range.start && first < range.end)
      flaps.push({
        check: "c",
        agent: "a",
        start: first,
        end: ends[failed.at(-1) as number] as number,
        failures: failed.length,
      });
    i = j;
  }
  const stateAt = (x: number): State => {
    let latest = -1;
    samples.forEach((s, k) => {
      if (s.ts <= x) latest = k;
    });
    return latest >= 0 && x < (ends[latest] as number) ? (states[latest] as State) : "unknown";
  };
  const points = [range.start, range.end, ...samples.flatMap((s, k) => [s.ts, ends[k] as number])]
    .filter((p) => p >= range.start && p <= range.end)
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (const [k, p] of points.entries()) {
    const next = points[k + 1];
    if (next === undefined || next === p) continue;
    const state = stateAt(p);
    const last = segments.at(-1);
    if (last?.state === state) last.end = next;
    else segments.push({ start: p, end: next, state });
  }
  return { segments, flaps };
}

const verdict: fc.Arbitrary<Verdict> = fc.oneof(
  { arbitrary: fc.constant("ok" as const), weight: 3 },
  { arbitrary: fc.constant("fail" as const), weight: 3 },
  { arbitrary: fc.constant("none" as const), weight: 1 },
);
/** Samples from steps (gap to the previous one, verdict); gaps of 0 make equal timestamps. */
const samplesOf = (start: number, steps: { gap: number; verdict: Verdict }[]): Sample[] => {
  let ts = start;
  return steps.map(({ gap, verdict }) => {
    ts += gap;
    return { ts, verdict };
  });
};
const gap = (min: number) =>
  fc.oneof(fc.integer({ min, max: 2 * HOUR }), fc.constantFrom(Math.max(min, 0), HOLD, HOLD + 1, HOUR));
const stepsArb = (minGap: number) => fc.array(fc.record({ gap: gap(minGap), verdict }), { maxLength: 40 });
const holdArb = fc.constantFrom(HOLD, HOUR, 2 * HOUR + 1);
const rangeArb = fc
  .record({ from: fc.integer({ min: -DAY, max: DAY }), length: fc.integer({ min: 1, max: 2 * DAY }) })
  .map(({ from, length }) => ({ start: base + from, end: base + from + length }));

/** A deterministic shuffle with duplicates, driven by a seed (mulberry32). */
function shuffledWithReplays<T>(xs: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs, ...xs.filter(() => random() < 0.3)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function isPartitionOf(segments: Segment[], range: Interval): boolean {
  return (
    segments[0]?.start === range.start &&
    segments.at(-1)?.end === range.end &&
    segments.every(
      (s, i) =>
        s.start < s.end &&
        (i === 0 || (segments[i - 1]?.end === s.start && segments[i - 1]?.state !== s.state)),
    )
  );
}

describe("engine properties", () => {
  it("encodeRuns + streamTimeline equal the literal per-sample reference", () => {
    fc.assert(
      fc.property(
        stepsArb(0),
        holdArb,
        fc.integer({ min: 1, max: 4 }),
        rangeArb,
        fc.integer(),
        (steps, hold, confirm, range, seed) => {
          const samples = shuffledWithReplays(samplesOf(base - DAY, steps), seed);
          const runs = encodeRuns(samples, hold, TZ);
          const got = streamTimeline({ check: "c", agent: "a", confirm, runs }, range);
          const want = referenceTimeline(samples, hold, confirm, range);
          expect(got).toEqual(want);
          expect(isPartitionOf(got.segments, range)).toBe(true);
          // streaming the same samples in time order gives the same runs
          const streamed: Run[] = [];
          for (const s of [...samples].sort((a, b) => a.ts - b.ts)) appendRun(streamed, s, hold, TZ);
          expect(streamed).toEqual(runs);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("quorum and combineChecks decide every instant by rules 3 and 5", () => {
    const listArb = fc
      .array(
        fc.record({
          length: fc.integer({ min: 1, max: 20 }),
          state: fc.constantFrom<State | "gap">("up", "down", "unknown", "gap"),
        }),
        { maxLength: 8 },
      )
      .map((parts) => {
        let t = 0;
        return parts.flatMap(({ length, state }) => {
          const seg = { start: t, end: t + length, state };
          t += length;
          return seg.state === "gap" ? [] : [seg as Segment];
        });
      });
    fc.assert(
      fc.property(
        fc.array(listArb, { maxLength: 4 }),
        fc.constantFrom("worst" as const, "best" as const),
        (lists, mode) => {
          const range = { start: 5, end: 100 };
          const stateOf = (list: Segment[], x: number): State =>
            list.find((s) => s.start <= x && x < s.end)?.state ?? "unknown";
          const q = quorum(lists, range);
          const c = combineChecks(lists, mode, range);
          expect(isPartitionOf(q, range) && isPartitionOf(c, range)).toBe(true);
          for (let x = range.start; x < range.end; x++) {
            const states = lists.map((l) => stateOf(l, x));
            const down = states.filter((s) => s === "down").length;
            const known = states.filter((s) => s !== "unknown").length;
            expect(stateOf(q, x)).toBe(known === 0 ? "unknown" : 2 * down > known ? "down" : "up");
            const order: State[] = mode === "worst" ? ["down", "unknown", "up"] : ["up", "unknown", "down"];
            expect(stateOf(c, x)).toBe(order.find((s) => states.includes(s)) ?? "unknown");
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("up + down + unknown + excluded = AST ≤ period; ratio in [0, 1] or n/a; independent of order and replays", () => {
    const intervalsArb = fc
      .array(
        fc.record({
          from: fc.integer({ min: -2 * DAY, max: 2 * DAY }),
          length: fc.integer({ min: 0, max: DAY }),
        }),
        { maxLength: 5 },
      )
      .map((xs) => xs.map(({ from, length }) => ({ start: base + from, end: base + from + length })));
    // checks × agents × samples (distinct timestamps per stream: equal ones are ordered by input, rule 2)
    const targetArb = fc.array(fc.array(stepsArb(1), { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 3,
    });
    fc.assert(
      fc.property(
        targetArb,
        holdArb,
        rangeArb,
        fc.record({ ast: intervalsArb, exclusions: intervalsArb, full: fc.boolean() }),
        fc.constantFrom("exclude" as const, "count_as_down" as const),
        fc.constantFrom("worst" as const, "best" as const),
        fc.integer(),
        (checks, hold, period, { ast, exclusions, full }, unknown, combine, seed) => {
          const figures = (order: (samples: Sample[]) => Sample[]) => {
            const wide = { start: period.start - DAY, end: period.end + DAY };
            const flaps: Flap[] = [];
            const perCheck = checks.map((agents, c) =>
              quorum(
                agents.map((steps, a) => {
                  const runs = encodeRuns(order(samplesOf(base - DAY, steps)), hold, TZ);
                  const t = streamTimeline({ check: `c${c}`, agent: `a${a}`, confirm: 2, runs }, wide);
                  flaps.push(...t.flaps);
                  return t.segments;
                }),
                wide,
              ),
            );
            const segments = combineChecks(perCheck, combine, wide);
            return availability({ segments, ast: full ? [period] : ast, exclusions, period, unknown, flaps });
          };
          const f = figures((s) => s);
          expect(f.up + f.down + f.unknown + f.excluded).toBe(f.ast);
          expect(f.ast).toBeLessThanOrEqual(period.end - period.start);
          for (const x of [f.up, f.down, f.unknown, f.excluded]) expect(x).toBeGreaterThanOrEqual(0);
          for (const r of [f.ratio, f.coverage]) if (r !== null) expect(r >= 0 && r <= 1).toBe(true);
          if (f.up + f.down === 0) expect(f.ratio).toBeNull();
          for (const o of f.outages)
            expect(
              o.start >= period.start && o.end <= period.end && o.rawStart <= o.start && o.rawEnd >= o.end,
            ).toBe(true);
          expect(figures((s) => shuffledWithReplays(s, seed))).toEqual(f);
        },
      ),
      { numRuns: 300 },
    );
  });
});
