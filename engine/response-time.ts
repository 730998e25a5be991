// Response time of synthetic operations over a period (indicators.md, `response_time`, precise rule 12).
import { fraction } from "./decimal.js";
import { normalize } from "./intervals.js";
import type { Interval } from "./types.js";

export interface OperationSample {
  ts: number;
  ok: boolean;
  durationMs: number;
}

/** Percentiles by nearest rank; +Infinity stands for a failed operation. All null when n = 0. */
export interface ResponseTimeFigures {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Share of operations that succeeded within the limit. */
  shareWithinLimit: number | null;
  /** The `percentile`-th percentile ≤ limitMs (inclusive). */
  met: boolean | null;
}

/**
 * Over the operations whose start lies in `included` (AST after exclusions, inside the period); failed
 * operations count as +Infinity, whatever their duration.
 */
export function responseTimeFigures(
  samples: readonly OperationSample[],
  included: readonly Interval[],
  limitMs: number,
  percentile: number,
): ResponseTimeFigures {
  const within = normalize(included);
  const values = Float64Array.from(
    samples.filter((s) => contains(within, s.ts)),
    (s) => (s.ok ? s.durationMs : Number.POSITIVE_INFINITY),
  ).sort();
  const n = values.length;
  if (n === 0) return { n, p50: null, p95: null, p99: null, max: null, shareWithinLimit: null, met: null };
  const rank = (p: number): number => {
    // The ⌈p·n⌉-th smallest, with p taken as the decimal it was written as (0.07 × 100 is 7.000000000000001).
    const [num, den] = fraction(p);
    const r = Number((num * BigInt(n) + den - 1n) / den);
    return values[Math.min(Math.max(r, 1), n) - 1] as number;
  };
  return {
    n,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    max: values[n - 1] as number,
    shareWithinLimit: values.filter((v) => v <= limitMs).length / n,
    met: rank(percentile) <= limitMs,
  };
}

/** Whether ts lies in a canonical interval set (binary search). */
function contains(set: readonly Interval[], ts: number): boolean {
  let lo = 0;
  let hi = set.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((set[mid] as Interval).end <= ts) lo = mid + 1;
    else hi = mid;
  }
  const x = set[lo];
  return x !== undefined && x.start <= ts;
}
