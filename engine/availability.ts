// Time-based availability of one target over one period (indicators.md, "Common rules", precise
// rules 6, 8 and 9).
import { fraction } from "./decimal.js";
import { clip, intersect, measure, normalize, subtract } from "./intervals.js";
import type { AvailabilityFigures, Flap, Interval, Outage, Segment, State } from "./types.js";

export interface AvailabilityInput {
  /**
   * The target's timeline (combineChecks). It may, and should, extend beyond the period, e.g.
   * [period.start − 1 day, period.end + 1 day): outages are cut to the period but keep their raw start
   * and end, which are only known as far as the timeline reaches.
   */
  segments: readonly Segment[];
  /** Agreed service time (any intervals; only the part inside the period counts). */
  ast: readonly Interval[];
  /** Planned maintenance windows. */
  exclusions: readonly Interval[];
  period: Interval;
  unknown: "exclude" | "count_as_down";
  /** Flaps of the target's streams; those whose first failure lies in the period are reported. */
  flaps: readonly Flap[];
}

/**
 * up, down and unknown are measured inside the counted time (AST inside the period minus exclusions)
 * and add up to it; time the segments do not cover is unknown. `down` is always the observed DOWN
 * time; with count_as_down the unknown time is added to it in the ratio only:
 *   exclude:        ratio = up / (up + down)
 *   count_as_down:  ratio = up / (AST − excluded) = (AST − excluded − down − unknown) / (AST − excluded)
 * With no known time the ratio is n/a (null), in both modes.
 *
 * An outage is a maximal DOWN spell (UNKNOWN in between splits it) listed when some of it is counted
 * downtime, so a spell wholly inside maintenance or outside service hours is not an outage.
 */
export function availability(input: AvailabilityInput): AvailabilityFigures {
  const { period } = input;
  const ast = clip(normalize(input.ast), period);
  const excludedTime = intersect(ast, normalize(input.exclusions));
  const counted = subtract(ast, excludedTime);
  const countedMs = measure(counted);
  const spells = ofState(input.segments, "down");
  const downtime = intersect(counted, spells);
  const up = measure(intersect(counted, ofState(input.segments, "up")));
  const down = measure(downtime);
  const known = up + down;
  const outages: Outage[] = [];
  let j = 0;
  for (const spell of spells) {
    while ((downtime[j]?.end ?? Number.POSITIVE_INFINITY) <= spell.start) j++;
    if ((downtime[j]?.start ?? Number.POSITIVE_INFINITY) < spell.end)
      outages.push({
        start: Math.max(spell.start, period.start),
        end: Math.min(spell.end, period.end),
        rawStart: spell.start,
        rawEnd: spell.end,
      });
  }
  return {
    period: { start: period.start, end: period.end },
    ast: measure(ast),
    excluded: measure(excludedTime),
    up,
    down,
    unknown: countedMs - known,
    ratio: known === 0 ? null : up / (input.unknown === "exclude" ? known : countedMs),
    coverage: countedMs === 0 ? null : known / countedMs,
    outages,
    flaps: input.flaps
      .filter((f) => f.start >= period.start && f.start < period.end)
      .sort((a, b) => a.start - b.start),
  };
}

/**
 * A ratio as printed: percent TRUNCATED to two decimals (rule 9), so 0.99995 is "99.99%" and only 1 is
 * "100.00%"; null is "n/a". Truncates the decimal the ratio stands for, not its binary value (0.9995 is
 * 0.99949999… in binary but means 99.95 %).
 */
export function formatPercent(ratio: number | null): string {
  if (ratio === null) return "n/a";
  const [n, d] = fraction(ratio);
  const hundredths = (n * 10_000n) / d; // bigint division truncates
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, "0")}%`;
}

/**
 * Whether a ratio meets its objective, on the exact value (a 100 % objective needs zero downtime);
 * null (n/a) is undecided. Comparing doubles is exact here: a ratio is a/b with b a duration in ms
 * (< 2^35 for a year), an objective has few decimals (p/10^k), so unless they are equal they differ by
 * at least 1/(b·10^k), far above the rounding error of a/b; equal values round to the same double.
 */
export function isMet(ratio: number | null, objective: number): boolean | null {
  return ratio === null ? null : ratio >= objective;
}

function ofState(segments: readonly Segment[], state: State): Interval[] {
  return normalize(segments.filter((s) => s.state === state));
}
