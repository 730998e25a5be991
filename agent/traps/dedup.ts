// Folding repeated traps (a UPS on battery sends upsTrapOnBattery every minute). Pure: time is passed in.
//
// Traps are grouped by source and subject (decode.ts). Within a group, a run is a sequence of identical
// traps (same notification and distinguishing varbinds) each closer than the window to the previous one:
// - the first trap of a run is an event at once (count 1);
// - repeats within the window of the run's newest event are folded: counted, not emitted;
// - a repeat a full window after that event is emitted again as a reminder, its count = itself plus
//   the repeats folded since the previous event;
// - a different trap about the same subject (linkUp after linkDown on the same interface, an alarm
//   removed after added) ends the run and is an event, so a flap is never hidden; so is the same trap
//   again after a quiet window.
import type { Trap } from "./decode.js";

export type Decision =
  | { emit: true; count: number; ended?: EndedRun }
  | { emit: false; folded: number; ended?: undefined };

/** A run that ended with repeats that no event reported (the caller logs them). */
export interface EndedRun {
  source: string;
  name: string;
  folded: number;
}

interface Run {
  key: string;
  name: string;
  source: string;
  /** When the run's newest event was emitted. */
  emitted: number;
  /** When the run's newest trap arrived. */
  last: number;
  /** Repeats since the newest event. */
  folded: number;
}

export class TrapDedup {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly windowMs: number) {}

  observe(trap: Trap, now: number): Decision {
    const group = `${trap.source}\0${trap.subject}`;
    const key = `${trap.oid}\0${trap.detail}`;
    const run = this.runs.get(group);
    const continues = run !== undefined && run.key === key && now - run.last < this.windowMs;
    if (continues) {
      run.last = now;
      if (now - run.emitted < this.windowMs) return { emit: false, folded: ++run.folded };
      const count = run.folded + 1;
      run.emitted = now;
      run.folded = 0;
      return { emit: true, count };
    }
    this.runs.set(group, { key, name: trap.name, source: trap.source, emitted: now, last: now, folded: 0 });
    const ended = run && run.folded > 0 ? endOf(run) : undefined;
    return ended ? { emit: true, count: 1, ended } : { emit: true, count: 1 };
  }

  /** Forgets runs quiet for a full window (they are over); returns those with unreported repeats. */
  prune(now: number): EndedRun[] {
    const ended: EndedRun[] = [];
    for (const [group, run] of this.runs) {
      if (now - run.last < this.windowMs) continue;
      this.runs.delete(group);
      if (run.folded > 0) ended.push(endOf(run));
    }
    return ended;
  }

  get size(): number {
    return this.runs.size;
  }
}

const endOf = (run: Run): EndedRun => ({ source: run.source, name: run.name, folded: run.folded });
