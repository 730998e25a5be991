// Faults (incidents) as an append-only event log reduced to state, their deadlines, and the
// fault_response_rate / fault_completion_rate figures (indicators.md "Faults", rules 13–16).
import type { Severities, Severity } from "../config/indicators.js";
import { parseDuration } from "../lib/duration.js";
import type { WorkCalendar } from "./calendar.js";
import type { Interval } from "./types.js";
import { localDate, zonedTime } from "./zone.js";

export type FaultEvent =
  /** Auto faults open at the confirming result (rule 13); manual ones when a person reports them. */
  | {
      type: "opened";
      at: number;
      severity: Severity;
      source: "auto" | "manual";
      cause: string;
      actor?: string;
    }
  /** The same target and cause detected again while the fault is open (one open fault per target and cause). */
  | { type: "attached"; at: number }
  | { type: "acknowledged"; at: number; actor: string; note: string }
  | { type: "escalated"; at: number; actor: string; severity: Severity }
  | { type: "resolved"; at: number; actor: string; note: string }
  | { type: "reopened"; at: number; actor: string; note: string }
  /** The target is healthy again (auto faults); the fault stays open until a person resolves it. */
  | { type: "recovered"; at: number };

export interface Fault {
  id: string;
  target: string;
  events: FaultEvent[];
}

export interface FaultState {
  id: string;
  target: string;
  cause: string;
  source: "auto" | "manual";
  openedAt: number;
  /** Severity at opening: it alone fixes the deadlines (escalation does not restart them, rule 13). */
  openedSeverity: Severity;
  severity: Severity;
  status: "open" | "resolved";
  /** The first acknowledgement ever: the response. */
  acknowledged?: { at: number; actor: string; note: string };
  /** Open and not acknowledged since it was opened or last reopened. */
  awaitingAck: boolean;
  firstResolvedAt?: number;
  /** The last resolution, while resolved (a reopened fault is not completed). */
  resolvedAt?: number;
  /** While open: the target has been healthy since (auto faults). */
  recoveredAt?: number;
  /** Every event up to the state's time, in time order (equal times keep log order). */
  history: FaultEvent[];
}

const rank: Record<Severity, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/** Why the event cannot follow the state (health not considered), or undefined when it can. */
function sequenceError(s: FaultState | undefined, e: FaultEvent): string | undefined {
  if (!s) return e.type === "opened" ? undefined : "the fault has not been opened";
  if (e.type === "opened") return "the fault is already opened";
  if (e.at < s.openedAt) return "earlier than the opening of the fault";
  if ("actor" in e && e.actor.trim() === "") return "a person (actor) is required";
  const open = s.status === "open";
  switch (e.type) {
    case "attached":
      return open ? undefined : "the fault is resolved: a new detection opens a new fault";
    case "acknowledged":
      if (!open) return "the fault is resolved: reopen it first";
      return s.awaitingAck ? undefined : "the fault is already acknowledged";
    case "escalated":
      if (!open) return "the fault is resolved: reopen it first";
      return rank[e.severity] < rank[s.severity]
        ? undefined
        : `${e.severity} is not more severe than ${s.severity}`;
    case "resolved":
      if (!open) return "the fault is already resolved";
      return e.note.trim() === "" ? "a resolution note is required" : undefined;
    case "reopened":
      if (open) return "the fault is open";
      return e.note.trim() === "" ? "a note saying why it is reopened is required" : undefined;
    case "recovered":
      if (s.source !== "auto") return "only automatic faults recover by themselves";
      if (!open) return "the fault is resolved";
      return s.recoveredAt === undefined ? undefined : "the target has already recovered";
  }
}

/**
 * Why a new event is refused (an operator-facing sentence), or undefined when it is allowed.
 * `targetHealthy` is the target's current health from monitoring (true for a fault not tied to a
 * monitored target): a fault can be resolved only while its target is healthy.
 */
export function transitionError(
  s: FaultState | undefined,
  e: FaultEvent,
  targetHealthy: boolean,
): string | undefined {
  const err = sequenceError(s, e);
  if (err !== undefined) return err;
  if (e.type === "resolved" && !targetHealthy)
    return "the target is not healthy: resolve it once it has recovered";
  return undefined;
}

function apply(s: FaultState | undefined, e: FaultEvent, f: Fault): FaultState {
  if (e.type === "opened") {
    return {
      id: f.id,
      target: f.target,
      cause: e.cause,
      source: e.source,
      openedAt: e.at,
      openedSeverity: e.severity,
      severity: e.severity,
      status: "open",
      awaitingAck: true,
      history: [e],
    };
  }
  const n: FaultState = { ...(s as FaultState), history: [...(s as FaultState).history, e] };
  switch (e.type) {
    case "attached":
      n.recoveredAt = undefined;
      break;
    case "acknowledged":
      n.acknowledged ??= { at: e.at, actor: e.actor, note: e.note };
      n.awaitingAck = false;
      break;
    case "escalated":
      n.severity = e.severity;
      break;
    case "resolved":
      n.status = "resolved";
      n.firstResolvedAt ??= e.at;
      n.resolvedAt = e.at;
      n.awaitingAck = false;
      n.recoveredAt = undefined;
      break;
    case "reopened":
      n.status = "open";
      n.resolvedAt = undefined;
      n.awaitingAck = true;
      break;
    case "recovered":
      n.recoveredAt = e.at;
      break;
  }
  return n;
}

/**
 * The fault's state from its events with `at` ≤ asOf (a report replays the log as of its report
 * time, so rerunning it later gives the same figures). Throws on a log that breaks the rules.
 */
export function reduce(f: Fault, asOf = Number.POSITIVE_INFINITY): FaultState {
  // Array.prototype.sort is stable: equal times keep log order.
  const events = f.events.filter((e) => e.at <= asOf).sort((a, b) => a.at - b.at);
  let s: FaultState | undefined;
  for (const e of events) {
    const err = sequenceError(s, e);
    if (err !== undefined)
      throw new Error(`fault ${f.id}: ${e.type} at ${new Date(e.at).toISOString()}: ${err}`);
    s = apply(s, e, f);
  }
  if (!s) throw new Error(`fault ${f.id}: not opened by ${new Date(asOf).toISOString()}`);
  return s;
}

/** The open fault a new detection of (target, cause) attaches to, if any. */
export function openFaultFor(
  states: readonly FaultState[],
  target: string,
  cause: string,
): FaultState | undefined {
  return states.find((s) => s.status === "open" && s.target === target && s.cause === cause);
}

export interface Deadlines {
  respondBy: number;
  resolveBy: number;
}

/**
 * Natural clock: openedAt + the limit. Working clock ("Nwd", rule 14): 24:00 local of the N-th working
 * day after the opening day (makeup workdays count; holidays and weekends do not).
 */
export function deadlines(
  openedAt: number,
  severity: Severity,
  severities: Severities,
  tz: string,
  cal: WorkCalendar,
): Deadlines {
  const by = (limit: string): number => {
    const wd = /^(\d+)wd$/.exec(limit);
    if (!wd) return openedAt + parseDuration(limit);
    return zonedTime(cal.nthWorkdayAfter(localDate(openedAt, tz), Number(wd[1])), 24 * 60, tz);
  };
  const limits = severities[severity];
  return { respondBy: by(limits.respond), resolveBy: by(limits.resolve) };
}

/** What deadlines need besides the fault: severity limits, the site's zone and working days. */
export interface FaultClock {
  severities: Severities;
  tz: string;
  calendar: WorkCalendar;
}

export type Outcome = "met" | "missed" | "pending";

export interface Judgement {
  fault: FaultState;
  due: Deadlines;
  /** First acknowledgement, or the first closing if it was closed without one (rule 15). */
  respondedAt?: number;
  /** The last resolution, while resolved. */
  completedAt?: number;
  response: Outcome;
  completion: Outcome;
}

function outcome(doneAt: number | undefined, deadline: number, reportTime: number): Outcome {
  // Rule 15: exactly on the deadline is met; pending while report time ≤ deadline.
  if (doneAt !== undefined) return doneAt <= deadline ? "met" : "missed";
  return reportTime <= deadline ? "pending" : "missed";
}

/** Response and completion of one fault as of reportTime (events after it are ignored). */
export function judge(f: Fault, reportTime: number, clock: FaultClock): Judgement {
  const s = reduce(f, reportTime);
  const due = deadlines(s.openedAt, s.openedSeverity, clock.severities, clock.tz, clock.calendar);
  const candidates = [s.acknowledged?.at, s.firstResolvedAt].filter((t): t is number => t !== undefined);
  const respondedAt = candidates.length > 0 ? Math.min(...candidates) : undefined;
  const completedAt = s.status === "resolved" ? s.resolvedAt : undefined;
  return {
    fault: s,
    due,
    respondedAt,
    completedAt,
    response: outcome(respondedAt, due.respondBy, reportTime),
    completion: outcome(completedAt, due.resolveBy, reportTime),
  };
}

export interface Rate {
  met: number;
  missed: number;
  /** Listed, excluded from the ratio. */
  pending: number;
  /** met / (met + missed); null = n/a when nothing is decided. */
  ratio: number | null;
}

function rate(outcomes: Outcome[]): Rate {
  const met = outcomes.filter((o) => o === "met").length;
  const missed = outcomes.filter((o) => o === "missed").length;
  const pending = outcomes.length - met - missed;
  return { met, missed, pending, ratio: met + missed === 0 ? null : met / (met + missed) };
}

/**
 * fault_response_rate and fault_completion_rate over the faults opened in [period.start, period.end)
 * (rule 16: the period is in the report's zone, already resolved to instants) and by reportTime.
 */
export function faultRates(
  faults: readonly Fault[],
  period: Interval,
  reportTime: number,
  clock: FaultClock,
): { response: Rate; completion: Rate; judgements: Judgement[] } {
  const judgements = faults
    .filter((f) => {
      const opened = f.events.find((e) => e.type === "opened");
      return (
        opened !== undefined && opened.at >= period.start && opened.at < period.end && opened.at <= reportTime
      );
    })
    .map((f) => judge(f, reportTime, clock))
    .sort((a, b) => a.fault.openedAt - b.fault.openedAt);
  return {
    response: rate(judgements.map((j) => j.response)),
    completion: rate(judgements.map((j) => j.completion)),
    judgements,
  };
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean time to acknowledge (ms, natural time) over the judged faults that were responded to; null if none. */
export function mtta(judgements: readonly Judgement[]): number | null {
  return mean(
    judgements.flatMap((j) => (j.respondedAt === undefined ? [] : [j.respondedAt - j.fault.openedAt])),
  );
}

/** Mean time to resolve (ms, natural time, to the last resolution) over the resolved faults; null if none. */
export function mttr(judgements: readonly Judgement[]): number | null {
  return mean(
    judgements.flatMap((j) => (j.completedAt === undefined ? [] : [j.completedAt - j.fault.openedAt])),
  );
}
