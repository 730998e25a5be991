// Run-length encoding of one sample stream (see Run in types.ts).
import type { Run, Sample } from "./types.js";
import { nextLocalMidnight } from "./zone.js";

/**
 * Samples in any order → runs. Equal timestamps keep their input order (precise rule 2); a sample with
 * the same timestamp and verdict as an earlier one is a replay and is dropped.
 */
export function encodeRuns(samples: readonly Sample[], hold: number, tz: string): Run[] {
  // Array.prototype.sort is stable: equal timestamps stay in input order.
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const runs: Run[] = [];
  // The end of the last run's local day, computed once per run rather than once per sample.
  let dayOf: Run | undefined;
  let dayEnd = 0;
  const endOfDay = (run: Run) => {
    if (run !== dayOf) {
      dayOf = run;
      dayEnd = nextLocalMidnight(run.start, tz);
    }
    return dayEnd;
  };
  for (const sample of sorted) add(runs, sample, hold, endOfDay);
  return runs;
}

/**
 * Streaming form of encodeRuns: adds one sample to `runs` in place, with the same result as encoding
 * all samples at once. Returns false, changing nothing, for a sample older than the last one: the
 * stream must then be encoded again from its samples.
 */
export function appendRun(runs: Run[], sample: Sample, hold: number, tz: string): boolean {
  const last = runs.at(-1);
  if (last && sample.ts < last.last) return false;
  add(runs, sample, hold, (run) => {
    // The day end of a run never changes: computing it per sample (three Intl calls) was most of the
    // server's ingest CPU (bench/README.md, "Ingest").
    let end = dayEnds.get(run);
    if (end === undefined) {
      end = nextLocalMidnight(run.start, tz);
      dayEnds.set(run, end);
    }
    return end;
  });
  return true;
}

/** Local midnight ending each run's day; runs are never moved to another day, so this never goes stale. */
const dayEnds = new WeakMap<Run, number>();

/** Adds an in-order sample; a run ends at a verdict change, a gap beyond hold, or local midnight. */
function add(runs: Run[], sample: Sample, hold: number, endOfDay: (run: Run) => number): void {
  // Replays: only runs whose last sample has this very timestamp can already hold it.
  for (let i = runs.length - 1, r = runs[i]; r && r.last === sample.ts; r = runs[--i])
    if (r.verdict === sample.verdict) return;
  const last = runs.at(-1);
  if (
    last &&
    last.verdict === sample.verdict &&
    last.hold === hold &&
    sample.ts - last.last <= hold &&
    sample.ts < endOfDay(last)
  ) {
    last.last = sample.ts;
    last.count++;
  } else runs.push({ start: sample.ts, last: sample.ts, count: 1, verdict: sample.verdict, hold });
}
