// Vocabulary of the indicator engine (pure: no I/O, no clock, no time zone globals).
// All times are epoch milliseconds (UTC); intervals are half-open [start, end).

export type State = "up" | "down" | "unknown";

export interface Interval {
  start: number;
  end: number;
}

export interface Segment extends Interval {
  state: State;
}

/**
 * What one result says for one indicator: ok, fail, or none (no usable answer, e.g. a UPS poll that
 * timed out: for power indicators that is a monitoring gap, not a failure).
 */
export type Verdict = "ok" | "fail" | "none";

export interface Sample {
  ts: number;
  verdict: Verdict;
}

/**
 * Run-length encoding of one (target, check, agent, indicator) sample stream: `count` consecutive
 * samples with the same verdict, first at `start`, last at `last`, no two consecutive ones further apart
 * than `hold`, all on the same local day. Lossless for every figure the engine computes except
 * response-time percentiles (which read raw results), and small enough to keep a month of 1,000
 * targets in memory.
 */
export interface Run {
  start: number;
  last: number;
  count: number;
  verdict: Verdict;
  /** How long each sample holds at most: 2 × interval + timeout. */
  hold: number;
}

/** The runs of one check as seen by one agent. */
export interface Stream {
  check: string;
  agent: string;
  /** Consecutive failed results needed before the state is DOWN. */
  confirm: number;
  runs: Run[];
}

export interface Outage {
  /** Cut to the period. */
  start: number;
  end: number;
  /** The whole DOWN spell as observed, possibly outside the period. */
  rawStart: number;
  rawEnd: number;
}

export interface Flap {
  check: string;
  agent: string;
  start: number;
  end: number;
  failures: number;
}

export interface AvailabilityFigures {
  period: Interval;
  /** Agreed service time inside the period, before exclusions (ms). */
  ast: number;
  /** AST removed by planned maintenance (ms). */
  excluded: number;
  up: number;
  down: number;
  unknown: number;
  /** (AST − excluded − down) / (AST − excluded [− unknown]); null = n/a (zero AST or zero known time). */
  ratio: number | null;
  /** known / (AST − excluded); null when that is zero. */
  coverage: number | null;
  outages: Outage[];
  flaps: Flap[];
}
