// From runs to the state of a target over time (indicators.md, precise rules 1, 3, 4, 5 and 6):
// per (check, agent) confirmation → per check quorum across agents → across checks worst (or best).
import { normalize } from "./intervals.js";
import type { Flap, Interval, Segment, State, Stream } from "./types.js";

/**
 * The state of one (check, agent) over `range`, and the flaps whose first failure lies in it.
 *
 * Each result holds until the next one, at most its run's hold; time no result covers is UNKNOWN, and
 * so is time covered by "none" results, which neither reset nor extend a failure count. Failed results
 * since the last success are DOWN once there are `confirm` of them — from the first failure, during the
 * time the failures hold, never during a silence or a "none" in between — otherwise they are a flap and
 * their time is UP. Runs must be in time order (as encodeRuns gives them); runs before the range carry
 * their state in, and failures after it can confirm a run that started inside it, so pass them all.
 */
export function streamTimeline(stream: Stream, range: Interval): { segments: Segment[]; flaps: Flap[] } {
  const line = new Line(range);
  const flaps: Flap[] = [];
  // The failures since the last success, undecided until the next success or the end of the data,
  // with the time they and the results between them cover ("down" stands for "failed" here).
  let pending: { first: number; failures: number; pieces: Segment[] } | undefined;
  const settle = () => {
    if (!pending) return;
    const confirmed = pending.failures >= stream.confirm;
    let end = pending.first;
    for (const p of pending.pieces) {
      if (p.state === "down") end = p.end;
      line.add(p.start, p.end, confirmed || p.state !== "down" ? p.state : "up");
    }
    if (!confirmed && pending.first >= range.start && pending.first < range.end)
      flaps.push({
        check: stream.check,
        agent: stream.agent,
        start: pending.first,
        end,
        failures: pending.failures,
      });
    pending = undefined;
  };
  const { runs } = stream;
  for (const [i, run] of runs.entries()) {
    if (!pending && run.start >= range.end) break; // nothing later can change the range
    const next = runs[i + 1];
    const end = Math.min(run.last + run.hold, next ? next.start : Number.POSITIVE_INFINITY);
    if (run.verdict === "ok") {
      settle();
      line.add(run.start, end, "up");
    } else if (run.verdict === "fail") {
      pending ??= { first: run.start, failures: 0, pieces: [] };
      pending.failures += run.count;
      pending.pieces.push({ start: run.start, end, state: "down" });
    } else if (pending) pending.pieces.push({ start: run.start, end, state: "unknown" });
    else line.add(run.start, end, "unknown");
  }
  settle();
  return { segments: line.finish(), flaps };
}

/**
 * One check seen by several agents (rule 5): DOWN only when a strict majority of the agents whose state
 * is known at that instant sees it down (a tie is UP); UNKNOWN when no agent's state is known.
 */
export function quorum(streamsOfOneCheck: readonly (readonly Segment[])[], range: Interval): Segment[] {
  return sweep(streamsOfOneCheck, range, (up, down) => {
    if (up + down === 0) return "unknown";
    return 2 * down > up + down ? "down" : "up";
  });
}

/**
 * How a target's state follows from its checks: worst (rule 3), best (down only when no check answers)
 * or members (firewall_stability): per member, DOWN when its reachability checks are all down or one of
 * its state streams is down, UP when a reachability check is up; the target is UP when any member is.
 */
export type Combine = "worst" | "best" | "members";

/** Where a stream stands in a "members" target (CheckSpec's role and member). */
export interface StreamRole {
  role?: "reach" | "state";
  member?: string;
}

/** The target's timeline from the quorum timeline of each of its streams (same order as `streams`). */
export function combineTarget(
  perStream: readonly (readonly Segment[])[],
  streams: readonly StreamRole[],
  mode: Combine,
  range: Interval,
): Segment[] {
  if (mode !== "members") return combineChecks(perStream, mode, range);
  const members = new Map<string, { reach: (readonly Segment[])[]; state: (readonly Segment[])[] }>();
  streams.forEach((s, i) => {
    const m = members.get(s.member ?? "") ?? { reach: [], state: [] };
    members.set(s.member ?? "", m);
    m[s.role === "state" ? "state" : "reach"].push(perStream[i] ?? []);
  });
  const lines = [...members.values()].map(({ reach, state }) => {
    const reachable = combineChecks(reach, "best", range);
    if (state.length === 0) return reachable;
    // A state stream can only veto: its UNKNOWN (SNMP silent while ICMP/TCP answers) is not a failure.
    const veto = combineChecks(state, "worst", range).map((seg) =>
      seg.state === "down" ? seg : { ...seg, state: "up" as const },
    );
    return combineChecks([reachable, veto], "worst", range);
  });
  return combineChecks(lines, "best", range);
}

/** combineTarget at one instant, for the live state: `states` in the order of `streams`. */
export function combineNow(states: readonly State[], streams: readonly StreamRole[], mode: Combine): State {
  const range = { start: 0, end: 1 };
  const seg = combineTarget(
    states.map((state) => [{ ...range, state }]),
    streams,
    mode,
    range,
  );
  return seg[0]?.state ?? "unknown";
}

/**
 * `segments` with DOWN forced over the intervals in `down` (e.g. reboots). The segments must be in order
 * and contiguous over the range, as streamTimeline gives them.
 */
export function overlayDown(
  segments: readonly Segment[],
  down: readonly Interval[],
  range: Interval,
): Segment[] {
  if (down.length === 0) return [...segments];
  const forced = normalize(down);
  const line = new Line(range);
  let j = 0;
  for (const seg of segments) {
    let t = seg.start;
    while (t < seg.end) {
      while (j < forced.length && (forced[j] as Interval).end <= t) j++;
      const f = forced[j];
      if (!f || f.start >= seg.end) {
        line.add(t, seg.end, seg.state);
        break;
      }
      if (f.start > t) line.add(t, f.start, seg.state);
      const end = Math.min(f.end, seg.end);
      line.add(Math.max(t, f.start), end, "down");
      t = end;
    }
  }
  return line.finish();
}

const PRECEDENCE: Record<"worst" | "best", readonly State[]> = {
  worst: ["down", "unknown", "up"], // rule 3: a target is as bad as its worst counting check
  best: ["up", "unknown", "down"], // e.g. a firewall is down only when no check answers
};

/** A target from its checks: the first state in the mode's precedence that some check is in. */
export function combineChecks(
  perCheck: readonly (readonly Segment[])[],
  mode: "worst" | "best",
  range: Interval,
): Segment[] {
  return sweep(perCheck, range, (up, down, unknown) => {
    const count = { up, down, unknown };
    return PRECEDENCE[mode].find((s) => count[s] > 0) ?? "unknown";
  });
}

/**
 * Sweep line over several timelines: between consecutive boundaries the state is decided from how many
 * timelines are up, down and unknown (time a timeline does not cover counts as unknown).
 */
function sweep(
  lists: readonly (readonly Segment[])[],
  range: Interval,
  decide: (up: number, down: number, unknown: number) => State,
): Segment[] {
  if (lists.length === 1) {
    const single = sweepOne(lists[0] as readonly Segment[], range, decide);
    if (single) return single;
  }
  const events: { t: number; state: State; delta: number }[] = [];
  for (const list of lists)
    for (const seg of list) {
      const start = Math.max(seg.start, range.start);
      const end = Math.min(seg.end, range.end);
      if (start < end)
        events.push({ t: start, state: seg.state, delta: 1 }, { t: end, state: seg.state, delta: -1 });
    }
  events.sort((a, b) => a.t - b.t);
  const count: Record<State, number> = { up: 0, down: 0, unknown: 0 };
  const line = new Line(range);
  let t = range.start;
  const emit = (until: number) =>
    line.add(t, until, decide(count.up, count.down, lists.length - count.up - count.down));
  for (const e of events) {
    if (e.t !== t) {
      emit(e.t);
      t = e.t;
    }
    count[e.state] += e.delta;
  }
  emit(range.end);
  return line.finish();
}

/**
 * sweep over one timeline without sorting events: each segment's state decided alone, uncovered time as
 * unknown. Undefined (use the general sweep) unless the segments are in order and do not overlap.
 */
function sweepOne(
  list: readonly Segment[],
  range: Interval,
  decide: (up: number, down: number, unknown: number) => State,
): Segment[] | undefined {
  const of: Record<State, State> = {
    up: decide(1, 0, 0),
    down: decide(0, 1, 0),
    unknown: decide(0, 0, 1),
  };
  const line = new Line(range);
  let t = range.start;
  for (const seg of list) {
    const start = Math.max(seg.start, range.start);
    const end = Math.min(seg.end, range.end);
    if (start >= end) continue;
    if (start < t) return undefined;
    line.add(t, start, of.unknown);
    line.add(start, end, of[seg.state]);
    t = end;
  }
  line.add(t, range.end, of.unknown);
  return line.finish();
}

/** Builds contiguous segments covering a range from pieces given in time order. */
class Line {
  readonly #segments: Segment[] = [];
  constructor(private readonly range: Interval) {}

  /** Adds [start, end) cut to the range; time since the previous piece is UNKNOWN. */
  add(start: number, end: number, state: State): void {
    const s = Math.max(start, this.range.start);
    const e = Math.min(end, this.range.end);
    if (s >= e) return;
    this.#fillTo(s);
    this.#push(s, e, state);
  }

  finish(): Segment[] {
    this.#fillTo(this.range.end);
    return this.#segments;
  }

  #fillTo(t: number): void {
    const covered = this.#segments.at(-1)?.end ?? this.range.start;
    if (covered < t) this.#push(covered, t, "unknown");
  }

  #push(start: number, end: number, state: State): void {
    const last = this.#segments.at(-1);
    if (last && last.state === state && last.end === start) last.end = end;
    else this.#segments.push({ start, end, state });
  }
}
