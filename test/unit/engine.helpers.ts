// Shared fixtures of the engine tests: times, and sample streams generated from a rule.
import { encodeRuns } from "../../engine/runs.js";
import type { Sample, Stream, Verdict } from "../../engine/types.js";

export const TZ = "Asia/Shanghai";
export const SEC = 1_000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** HTTP every 60 s with a 15 s timeout: a result holds 2 × 60 s + 15 s = 135 s. */
export const HOLD = 2 * MIN + 15 * SEC;

/** An instant written with its offset, e.g. "2026-11-10T09:00+08:00". */
export const at = (iso: string): number => {
  const ts = Date.parse(iso);
  if (Number.isNaN(ts)) throw new Error(`bad time ${iso}`);
  return ts;
};

/** One sample every `step` ms in [from, to), its verdict given by `verdict(ts)`. */
export function samplesEvery(
  from: number,
  to: number,
  step: number,
  verdict: (ts: number) => Verdict,
): Sample[] {
  const out: Sample[] = [];
  for (let ts = from; ts < to; ts += step) out.push({ ts, verdict: verdict(ts) });
  return out;
}

/** ok except in the given [start, end) spans, where it fails. */
export const failingIn =
  (...spans: Array<[number, number]>) =>
  (ts: number): Verdict =>
    spans.some(([s, e]) => ts >= s && ts < e) ? "fail" : "ok";

export function streamOf(
  samples: readonly Sample[],
  { confirm = 2, hold = HOLD, agent = "a1", check = "http" } = {},
): Stream {
  return { check, agent, confirm, runs: encodeRuns(samples, hold, TZ) };
}
