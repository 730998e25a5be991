import type { Severity } from "../config/indicators.js";
import { type FaultClock, type FaultEvent, judge, reduce, transitionError } from "../engine/faults.js";
import type { Logger } from "../lib/log.js";
import type { FaultFilter, FaultRecord } from "./store/faults.js";
import type { FaultStore } from "./store/store.js";

export class FaultError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export type PersonAction =
  | { type: "acknowledged"; note: string }
  | { type: "resolved"; note: string }
  | { type: "reopened"; note: string }
  | { type: "escalated"; severity: Severity };

/** A fault as the API shows it: record, derived state, deadlines and how it stands now. */
export function faultView(f: FaultRecord, clock: FaultClock, now: number) {
  const state = reduce(f);
  // A working-day deadline in a year the calendar does not cover cannot be computed: say so on this
  // fault instead of failing the whole list (indicators.md: no guessing).
  let j: ReturnType<typeof judge> | undefined;
  let deadlineError: string | undefined;
  try {
    j = judge(f, now, clock);
  } catch (e) {
    deadlineError = (e as Error).message;
  }
  return {
    id: f.id,
    target: f.target,
    cause: f.cause,
    title: f.title,
    source: f.source,
    severity: state.severity,
    status: state.status,
    opened_at: state.openedAt,
    acknowledged: state.acknowledged ?? null,
    recovered_at: state.recoveredAt ?? null,
    resolved_at: state.resolvedAt ?? null,
    respond_by: j?.due.respondBy ?? null,
    resolve_by: j?.due.resolveBy ?? null,
    response: j?.response ?? "unknown",
    completion: j?.completion ?? "unknown",
    ...(deadlineError ? { deadline_error: deadlineError } : {}),
    history: state.history,
  };
}

/**
 * Faults: opened by the detector (auto) or by people (manual), then acknowledged, escalated,
 * resolved, reopened by people. Every change is an event with actor and time; engine/faults.ts
 * decides which changes are allowed.
 */
export class FaultService {
  constructor(
    private readonly store: FaultStore,
    readonly clock: FaultClock,
    /** Whether the target is healthy for this cause now (resolution needs it). */
    private readonly healthy: (target: string, cause: string) => boolean,
    private readonly log: Logger,
    /**
     * Told of every event written, with the fault as it was before it (for "opened": no events yet).
     * Metrics observe response and resolution times here; notifications start here.
     */
    private readonly onEvent: (f: FaultRecord, e: FaultEvent) => void = () => {},
  ) {}

  list(q: FaultFilter): Promise<FaultRecord[]> {
    return this.store.list(q);
  }

  async get(id: string): Promise<FaultRecord> {
    const f = await this.store.get(id);
    if (!f) throw new FaultError(404, `no fault ${id}`);
    return f;
  }

  /**
   * The detector saw target DOWN for `cause` (or an inspection item failed): opens a fault, or attaches
   * to the open one. `source` is "manual" for a failure a person found (a signed-off inspection item).
   */
  async detected(
    target: string,
    cause: string,
    title: string,
    severity: Severity,
    at: number,
    source: "auto" | "manual" = "auto",
  ): Promise<string> {
    const open = await this.store.openFor(target, cause);
    if (open) {
      await this.append(open, { type: "attached", at });
      return open.id;
    }
    const row = { target, cause, title, source, severity, openedAt: at };
    const opened = { type: "opened", at, severity, source, cause } as const;
    const id = await this.store.create(row, opened);
    this.log.warn({ fault: id, target, cause, severity }, `fault opened: ${title}`);
    this.onEvent({ ...row, id, open: true, events: [] }, opened);
    return id;
  }

  /** The target is healthy again: recorded on the open auto fault; a person still has to resolve it. */
  async recovered(target: string, cause: string, at: number): Promise<void> {
    const open = await this.store.openFor(target, cause);
    if (open && open.source === "auto" && reduce(open).recoveredAt === undefined)
      await this.append(open, { type: "recovered", at });
  }

  /** A fault reported by a person. */
  async report(input: {
    target: string;
    title: string;
    severity: Severity;
    actor: string;
    at: number;
  }): Promise<string> {
    const cause = `manual:${input.title}`;
    if (await this.store.openFor(input.target, cause))
      throw new FaultError(409, "the same fault is already open");
    const row = {
      target: input.target,
      cause,
      title: input.title,
      source: "manual" as const,
      severity: input.severity,
      openedAt: input.at,
    };
    const opened = {
      type: "opened",
      at: input.at,
      severity: input.severity,
      source: "manual",
      cause,
      actor: input.actor,
    } as const;
    const id = await this.store.create(row, opened);
    this.log.info({ fault: id, actor: input.actor }, `fault reported: ${input.title}`);
    this.onEvent({ ...row, id, open: true, events: [] }, opened);
    return id;
  }

  async act(id: string, action: PersonAction, actor: string, at: number): Promise<FaultRecord> {
    const f = await this.get(id);
    const e = { ...action, actor, at } as FaultEvent;
    const err = transitionError(reduce(f), e, this.healthy(f.target, f.cause));
    if (err) throw new FaultError(409, err);
    await this.append(f, e);
    this.log.info({ fault: id, actor, action: action.type }, "fault updated");
    return this.get(id);
  }

  private async append(f: FaultRecord, e: FaultEvent): Promise<void> {
    const next = reduce({ ...f, events: [...f.events, e] });
    await this.store.append(f.id, e, { open: next.status === "open", severity: next.severity });
    this.onEvent(f, e);
  }
}
