// Retention (docs/operations.md, "Retention"): every day at 03:30 site time, raw results older than
// server.retention.raw_results are deleted. Rollups, faults, inspections, maintenance windows and the
// audit log are never deleted: the official figures of any past period stay reproducible from them.
import { createTask, type ScheduledTask } from "node-cron";
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../lib/log.js";
import type { Store } from "./store/store.js";

const DAY_MS = 86_400_000;
/** Rows per delete: small enough that ingest waits milliseconds, not seconds, between chunks. */
const CHUNK = 5000;
export const RETENTION_SCHEDULE = "30 3 * * *";

export interface RetentionDeps {
  store: Store;
  /** How long raw results are kept (ms). */
  keepMs: number;
  tz: string;
  logger: Logger;
  registry: Registry;
  clock?: () => number;
  chunk?: number;
}

export class Retention {
  private task: ScheduledTask | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly pruned: Counter;
  private readonly clock: () => number;

  constructor(private readonly d: RetentionDeps) {
    this.clock = d.clock ?? Date.now;
    this.pruned = new Counter({
      name: "opswatch_results_pruned_total",
      help: "Raw results deleted by retention (server.retention.raw_results)",
      registers: [d.registry],
    });
  }

  async start(): Promise<void> {
    const log = this.d.logger;
    // Reboot detection and response-time percentiles read raw results: periods older than this
    // cannot be recomputed after the purge (their rollup figures stay).
    if (this.d.keepMs < 366 * DAY_MS)
      log.warn(
        { days: this.d.keepMs / DAY_MS },
        "server.retention.raw_results is shorter than a year: reboots and response-time percentiles of older periods cannot be recomputed for the annual review",
      );
    this.task = createTask(RETENTION_SCHEDULE, () => void this.run(), {
      timezone: this.d.tz,
      name: "retention",
      logger: {
        info: (m) => log.debug(m),
        warn: (m) => log.warn(m),
        error: (m, err) => log.error({ err: err ?? m }, "retention schedule error"),
        debug: (m) => log.debug(typeof m === "string" ? m : { err: m }, "node-cron"),
      },
    });
    await this.task.start();
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
  }

  /**
   * Deletes raw results older than the retention period, chunk by chunk, yielding to the event loop
   * between chunks so agents' batches keep committing. Runs on one server only (store.exclusive).
   * Resolves how many were deleted (undefined: another server holds the job); never rejects.
   */
  run(now = this.clock()): Promise<number | undefined> {
    const before = now - this.d.keepMs;
    const log = this.d.logger;
    const job = this.running.then(() =>
      this.d.store
        .exclusive("retention", async () => {
          let total = 0;
          for (;;) {
            const n = await this.d.store.pruneResults(before, this.d.chunk ?? CHUNK);
            total += n;
            this.pruned.inc(n);
            if (n < (this.d.chunk ?? CHUNK)) break;
            await new Promise((r) => setImmediate(r));
          }
          log.info(
            { deleted: total, before: new Date(before).toISOString() },
            `retention: deleted ${total} raw result(s) older than ${Math.round(this.d.keepMs / DAY_MS)} days`,
          );
          return total;
        })
        .catch((e) => {
          log.error({ err: e }, "retention failed; the next run tries again");
          return undefined;
        }),
    );
    this.running = job;
    return job;
  }
}
