import { schedule as cronSchedule, type ScheduledTask } from "node-cron";
import type { Check, Target } from "../config/schema.js";
import type { Logger } from "../lib/log.js";
import type { ProbeOutcome } from "./probers/types.js";
import type { Unsequenced } from "./spool.js";

export interface Job {
  target: Target;
  check: Check;
}

export type ProbeFn = (check: Check, signal: AbortSignal) => Promise<ProbeOutcome>;

export interface SchedulerOptions {
  agent: string;
  jobs: readonly Job[];
  probe: ProbeFn;
  concurrency: number;
  timezone: string;
  onResult: (r: Unsequenced) => void;
  logger: Logger;
}

/**
 * Runs every check on its interval (first run at a random phase, so many checks don't fire together)
 * or on its cron schedule, at most `concurrency` probes at once, each bounded by its timeout. A check
 * whose previous run has not finished skips its turn rather than piling up.
 */
export class Scheduler {
  /** The pending timer of each interval job (one each: keeping every past timer leaked memory). */
  private readonly timers = new Map<Job, NodeJS.Timeout>();
  private readonly cronTasks: ScheduledTask[] = [];
  private readonly busy = new Set<Job>();
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();
  private active = 0;
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    for (const job of this.o.jobs) {
      if (job.check.schedule) {
        this.cronTasks.push(
          cronSchedule(job.check.schedule, () => this.trigger(job), { timezone: this.o.timezone }),
        );
        continue;
      }
      const interval = job.check.interval;
      const loop = (due: number) => {
        this.trigger(job);
        // Next run relative to the planned time, not to now, so intervals don't drift.
        const next = due + interval;
        if (!this.stopped)
          this.timers.set(
            job,
            setTimeout(() => loop(next), Math.max(0, next - Date.now())),
          );
      };
      const phase = Math.random() * interval;
      this.timers.set(
        job,
        setTimeout(() => loop(Date.now()), phase),
      );
    }
  }

  /** Stops scheduling and waits for running probes to finish (they are bounded by their timeouts). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const t of this.cronTasks) await t.stop();
    // Waiting runs get a slot each, see `stopped` and release it at once.
    const woken = this.waiting.splice(0);
    this.active += woken.length;
    for (const w of woken) w();
    await Promise.allSettled([...this.running]);
  }

  /**
   * Runs a target's SNMP checks now, e.g. because its device sent a trap. Their regular turns are
   * unchanged; a check still running is not started twice. Returns how many checks were started.
   */
  pollNow(targetId: string): number {
    let started = 0;
    for (const job of this.o.jobs)
      if (job.target.id === targetId && job.check.kind === "snmp" && this.trigger(job, "debug")) started++;
    return started;
  }

  /** Starts a run unless the previous one is still busy (then this turn is skipped and logged). */
  private trigger(job: Job, busyLog: "warn" | "debug" = "warn"): boolean {
    if (this.stopped) return false;
    if (this.busy.has(job)) {
      this.o.logger[busyLog](
        { target: job.target.id, check: job.check.id },
        "previous run still busy; skipping this turn",
      );
      return false;
    }
    this.busy.add(job);
    const p = this.run(job).finally(() => {
      this.busy.delete(job);
      this.running.delete(p);
    });
    this.running.add(p);
    return true;
  }

  private async run(job: Job): Promise<void> {
    await this.acquire();
    try {
      if (this.stopped) return;
      this.o.onResult(await this.execute(job));
    } catch (e) {
      this.o.logger.error({ err: e, target: job.target.id, check: job.check.id }, "could not record result");
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.o.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r)); // the releasing run hands its slot over
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** One probe, always turned into a result: failures, timeouts and exceptions included. */
  private async execute({ target, check }: Job): Promise<Unsequenced> {
    const ts = Date.now();
    const t0 = performance.now();
    // Not AbortSignal.timeout: its timer outlives a probe that finished early, which cost a fifth to a
    // third of the polling CPU (bench/README.md, SNMP polling). The reason is a TimeoutError as there.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`timeout after ${check.timeout} ms`, "TimeoutError")),
      check.timeout,
    );
    const { signal } = controller;
    let outcome: ProbeOutcome;
    try {
      outcome = await Promise.race([this.o.probe(check, signal), aborted(signal, check.timeout)]);
    } catch (e) {
      outcome = { ok: false, error: (e as Error).message || String(e), values: {} };
    } finally {
      clearTimeout(timer);
    }
    const r: Unsequenced = {
      v: 1,
      agent: this.o.agent,
      target: target.id,
      check: check.id,
      kind: check.kind,
      ts,
      duration_ms: Math.round((performance.now() - t0) * 1000) / 1000,
      ok: outcome.ok,
      values: outcome.values,
    };
    if (!outcome.ok) r.error = (outcome.error ?? "failed").slice(0, 2048);
    return r;
  }
}

/**
 * A prober that honours its signal gets this long after the timeout to report its own failure (which
 * step, which phase, the values measured so far) before the scheduler's plain one is recorded.
 */
const ABORT_GRACE_MS = 100;

/** Settles as a failed outcome when the check's timeout fires, even if a prober ignores its signal. */
function aborted(signal: AbortSignal, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    signal.addEventListener(
      "abort",
      () =>
        setTimeout(
          () => resolve({ ok: false, error: `timeout after ${timeoutMs} ms`, values: {} }),
          ABORT_GRACE_MS,
        ),
      { once: true },
    );
  });
}
