// Algebra on interval sets: sorted, disjoint, non-empty half-open intervals with touching ones merged,
// so that every set has one canonical form. All operations but normalize are linear merges.
import type { Interval } from "./types.js";

/** Any intervals → canonical set (sorted, empty ones dropped, overlapping or touching ones merged). */
export function normalize(xs: readonly Interval[]): Interval[] {
  const sorted = xs.filter((x) => x.end > x.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const x of sorted) append(out, x);
  return out;
}

export function union(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (let i = 0, j = 0; ; ) {
    const x = a[i];
    const y = b[j];
    if (x && (!y || x.start <= y.start)) {
      append(out, x);
      i++;
    } else if (y) {
      append(out, y);
      j++;
    } else return out;
  }
}

export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  for (let x = a[0], y = b[0]; x && y; x = a[i], y = b[j]) {
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) out.push({ start, end });
    if (x.end <= y.end) i++;
    else j++;
  }
  return out;
}

/** a minus b: a intersected with the gaps of b. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const gaps: Interval[] = [];
  let start = Number.NEGATIVE_INFINITY;
  for (const y of b) {
    gaps.push({ start, end: y.start });
    start = y.end;
  }
  gaps.push({ start, end: Number.POSITIVE_INFINITY });
  return intersect(a, gaps);
}

/** Total length (ms). */
export function measure(xs: readonly Interval[]): number {
  let total = 0;
  for (const x of xs) total += x.end - x.start;
  return total;
}

/** The part of a set inside one range. */
export function clip(xs: readonly Interval[], range: Interval): Interval[] {
  return intersect(xs, [range]);
}

/** Appends x (not starting before out's last interval) to out, merging it when they touch. */
function append(out: Interval[], x: Interval): void {
  const last = out.at(-1);
  if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
  else out.push({ start: x.start, end: x.end });
}
