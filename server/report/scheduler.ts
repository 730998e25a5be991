// The scheduled monthly report: on config `reports.schedule` (default the 1st at 08:00, site time) it
// writes last month's report files into `reports.dir` and, when `reports.webhook` is set, POSTs a small
// JSON "ready" message there. runFor(month) is the job itself (tests call it directly).
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTask, type ScheduledTask } from "node-cron";
import type { ReportsConfig } from "../../config/schema.js";
import type { Logger } from "../../lib/log.js";
import { REPORT_FORMATS } from "./formats.js";
import type { ReportModel } from "./model.js";
import { renderCsv } from "./render-csv.js";
import { previousMonth, type ReportService } from "./service.js";

export interface ReportRun {
  month: string;
  /** Paths written (a csv directory's files each). */
  files: string[];
  /** The webhook delivery; null when none is configured. */
  webhook: { ok: boolean; status?: number; error?: string } | null;
}

/** The "ready" message POSTed to the webhook (documented in README "Monthly report"). */
export function readyMessage(model: ReportModel, files: string[]) {
  return {
    type: "report.ready",
    version: model.version,
    site: model.site.name,
    month: model.period.month,
    from: model.period.from,
    to: model.period.to,
    generated_at: model.generatedAt,
    empty: model.empty,
    indicators: model.indicators.map((i) => ({ id: i.id, value: i.value, met: i.met })),
    files,
  };
}

export class ReportScheduler {
  private task: ScheduledTask | undefined;
  private readonly clock: () => number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly d: {
      service: ReportService;
      config: ReportsConfig;
      logger: Logger;
      clock?: () => number;
      /** Webhook timeout (default 10 s). */
      timeoutMs?: number;
      /** Store.exclusive: with several servers on one database, the scheduled report runs on one. */
      exclusive?: <T>(name: string, fn: () => Promise<T>) => Promise<T | undefined>;
      /** How long the winner keeps the lock after the tick (default 60 s): see fire(). */
      holdMs?: number;
    },
  ) {
    this.clock = d.clock ?? Date.now;
  }

  async start(): Promise<void> {
    if (!this.d.config.enabled) return;
    const log = this.d.logger;
    this.task = createTask(
      this.d.config.schedule,
      () => void this.fire().catch((e) => log.error({ err: e }, "monthly report failed")),
      {
        timezone: this.d.service.tz,
        name: "monthly-report",
        logger: {
          info: (m) => log.debug(m),
          warn: (m) => log.warn(m),
          error: (m, err) => log.error({ err: err ?? m }, "report schedule error"),
          debug: (m) => log.debug(typeof m === "string" ? m : { err: m }, "node-cron"),
        },
      },
    );
    await this.task.start();
    log.info({ schedule: this.d.config.schedule, dir: this.d.config.dir }, "monthly report scheduled");
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    this.stopped = true;
    this.releaseHold();
    await this.queue.catch(() => undefined);
  }

  /**
   * The scheduled job: last month's report, on one server only when several share a database. The
   * winner keeps the lock until holdMs after the tick, so a server whose clock (and cron) runs a little
   * late finds it taken instead of writing and announcing the report a second time. Undefined when
   * another server has it.
   */
  async fire(): Promise<ReportRun | undefined> {
    const month = previousMonth(this.clock(), this.d.service.tz);
    // wall time, not this.clock(): the hold is about the servers' real clocks
    const holdUntil = Date.now() + (this.d.holdMs ?? 60_000);
    const job = async () => {
      const run = await this.runFor(month);
      const rest = holdUntil - Date.now();
      if (rest > 0 && !this.stopped)
        await new Promise<void>((done) => {
          const t = setTimeout(done, rest);
          this.releaseHold = () => {
            clearTimeout(t);
            done();
          };
        });
      return run;
    };
    return this.d.exclusive ? this.d.exclusive("reports", job) : job();
  }

  /** Ends fire()'s hold early (stop()). */
  private releaseHold = () => {};
  private stopped = false;

  /** Writes the month's report files (one run at a time) and tells the webhook. */
  runFor(month: string): Promise<ReportRun> {
    const next = this.queue.then(() => this.run(month));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(month: string): Promise<ReportRun> {
    const c = this.d.config;
    const model = await this.d.service.month(month, this.clock());
    await mkdir(c.dir, { recursive: true });
    const base = join(c.dir, `opswatch-report-${month}`);
    const files: string[] = [];
    for (const format of c.formats) {
      if (format === "csv") {
        const dir = `${base}-csv`;
        const tmp = `${dir}.tmp`;
        await rm(tmp, { recursive: true, force: true });
        await mkdir(tmp);
        const sections = renderCsv(model, c.lang);
        for (const [name, text] of Object.entries(sections)) await writeFile(join(tmp, `${name}.csv`), text);
        await rm(dir, { recursive: true, force: true });
        await rename(tmp, dir);
        files.push(...Object.keys(sections).map((name) => join(dir, `${name}.csv`)));
      } else {
        const file = `${base}.${format}`;
        await writeFile(`${file}.tmp`, await REPORT_FORMATS[format].render(model, c.lang));
        await rename(`${file}.tmp`, file);
        files.push(file);
      }
    }
    this.d.logger.info({ month, files: files.length, dir: c.dir }, "monthly report written");
    let webhook: ReportRun["webhook"] = null;
    if (c.webhook) webhook = await this.notify(c.webhook, readyMessage(model, files));
    return { month, files, webhook };
  }

  private async notify(url: string, message: unknown): Promise<NonNullable<ReportRun["webhook"]>> {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.d.timeoutMs ?? 10_000),
        redirect: "error",
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) {
        this.d.logger.warn({ status: res.status }, "report webhook refused the message");
        return { ok: false, status: res.status };
      }
      return { ok: true, status: res.status };
    } catch (e) {
      // The URL may hold a token: log the reason, never the URL.
      const err = e as Error & { cause?: { code?: string } };
      const why = err.name === "TimeoutError" ? "timed out" : (err.cause?.code ?? err.message);
      this.d.logger.warn({ reason: why }, "report webhook failed");
      return { ok: false, error: why };
    }
  }
}
