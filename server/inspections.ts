// Daily inspections (日常巡检): runs every plan on its cron schedule in the site time zone, evaluates the
// automatic items from the live view, opens (or attaches to) a fault for every failed item, records a
// missed run for every scheduled time nothing ran at, and takes manual sign-offs. Judging is
// engine/inspections.ts (rule 17); the occurrences of a schedule are engine/cron.ts.
import { createTask, type ScheduledTask } from "node-cron";
import type { InspectionPlan } from "../config/inspections.js";
import type { Target } from "../config/schema.js";
import { type CronFields, cronOccurrences, parseCron } from "../engine/cron.js";
import {
  type AutoItemDef,
  evaluateAutoItem,
  type InspectionRate,
  inspectionRate,
  judgeInspection,
} from "../engine/inspections.js";
import { inspectionChecklist } from "../engine/mapping.js";
import type { Interval } from "../engine/types.js";
import type { Logger } from "../lib/log.js";
import type { FaultService } from "./faults.js";
import type { LiveView } from "./live.js";
import type { StoredItem, StoredRun } from "./store/inspections.js";
import { toInspectionRun } from "./store/inspections.js";
import type { FaultStore, InspectionStore } from "./store/store.js";

export class InspectionError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** Cause of the fault a failed item opens: one open fault per target and item, repeats attach to it. */
export const inspectionCause = (item: string) => `inspection:${item}`;

type Latest = Record<string, number | string | boolean | undefined>;

interface Plan {
  config: InspectionPlan;
  cron: CronFields;
  targets: Target[];
  /** target id → its automatic items and the plan's manual items for it */
  checklist: Map<string, { auto: AutoItemDef[]; manual: { id: string; text: string }[] }>;
}

export interface InspectionDeps {
  plans: readonly InspectionPlan[];
  targets: readonly Target[];
  tz: string;
  store: InspectionStore;
  faultStore: FaultStore;
  live: LiveView;
  faults: FaultService;
  logger: Logger;
  /** The service's notion of now (tests move it; production: Date.now). */
  clock?: () => number;
  /** How often every plan is checked for due and missed runs besides its own cron tick (default 60 s). */
  sweepMs?: number;
  /** Store.exclusive: with several servers on one database, one of them runs the due runs at a time. */
  exclusive?: <T>(name: string, fn: () => Promise<T>) => Promise<T | undefined>;
}

export interface DueOutcome {
  /** run ids started by this call */
  started: string[];
  /** scheduled times recorded as missed, per plan */
  missed: { plan: string; scheduledAt: number }[];
}

export class InspectionService {
  readonly clock: () => number;
  private readonly plans: Plan[];
  private readonly tasks: ScheduledTask[] = [];
  private sweep: NodeJS.Timeout | undefined;
  /** runDue calls run one after the other (cron ticks of several plans, the sweep, tests). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly names: Map<string, string>;

  constructor(private readonly d: InspectionDeps) {
    this.clock = d.clock ?? Date.now;
    const byId = new Map(d.targets.map((t) => [t.id, t]));
    this.names = new Map(d.targets.map((t) => [t.id, t.name]));
    this.plans = d.plans.map((config) => {
      // config/load.ts refuses unknown target ids; skip them here rather than crash
      const targets = (config.targets ?? d.targets.map((t) => t.id)).flatMap((id) => byId.get(id) ?? []);
      const checklist = new Map(
        targets.map((t) => [
          t.id,
          {
            auto: inspectionChecklist(t),
            manual: config.manual_items
              .filter((m) => m.targets === undefined || m.targets.includes(t.id))
              .map((m) => ({ id: m.id, text: m.text })),
          },
        ]),
      );
      return { config, cron: parseCron(config.schedule), targets, checklist };
    });
  }

  /** Records runs missed while the server was down, then schedules every plan. */
  async start(): Promise<void> {
    const now = this.clock();
    for (const p of this.plans) await this.d.store.since(p.config.id, now);
    await this.runDue(now);
    const log = this.d.logger;
    for (const p of this.plans) {
      const task = createTask(p.config.schedule, () => this.tick(), {
        timezone: this.d.tz,
        name: `inspection:${p.config.id}`,
        // a late tick is not lost: the sweep below or the next tick records or runs it
        suppressMissedWarning: true,
        logger: {
          info: (m) => log.debug(m),
          warn: (m) => log.warn(m),
          error: (m, err) => log.error({ err: err ?? m }, "inspection schedule error"),
          debug: (m) => log.debug(typeof m === "string" ? m : { err: m }, "node-cron"),
        },
      });
      await task.start();
      this.tasks.push(task);
    }
    this.sweep = setInterval(() => void this.tick(), this.d.sweepMs ?? 60_000);
    this.sweep.unref();
    if (this.plans.length)
      log.info(
        { plans: this.plans.map((p) => `${p.config.id} "${p.config.schedule}"`) },
        "inspections scheduled",
      );
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    for (const t of this.tasks.splice(0)) await t.destroy();
    await this.queue;
  }

  private tick(): Promise<void> {
    return this.runDue(this.clock()).then(
      () => undefined,
      (e) => this.d.logger.error({ err: e }, "inspection run failed"),
    );
  }

  /**
   * Every scheduled time of every plan after its last recorded run (or after the plan was first seen)
   * up to `now` gets a run: started now when `now` is still within the plan's tolerance of it, else
   * recorded as missed (never started). What the cron tick and the sweep call; tests call it directly.
   */
  runDue(now: number): Promise<DueOutcome> {
    // Another server running them now: nothing for this one (runs are idempotent by plan and time anyway).
    const job = () => this.due(now);
    const next = this.queue.then(async () =>
      this.d.exclusive
        ? ((await this.d.exclusive("inspections", job)) ?? { started: [], missed: [] })
        : job(),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async due(now: number): Promise<DueOutcome> {
    const out: DueOutcome = { started: [], missed: [] };
    for (const p of this.plans) {
      const id = p.config.id;
      const since = await this.d.store.since(id, now);
      const last = await this.d.store.lastScheduled(id);
      const from = Math.max(since, last === undefined ? since : last + 1);
      const due = cronOccurrences(p.cron, from, now + 1, this.d.tz);
      const missed = due.filter((at) => now - at > p.config.tolerance);
      if (missed.length) {
        await this.d.store.recordMissed(id, missed, p.config.tolerance, now);
        out.missed.push(...missed.map((scheduledAt) => ({ plan: id, scheduledAt })));
        this.d.logger.warn(
          { plan: id, missed: missed.length, first: new Date(missed[0] as number).toISOString() },
          "inspection missed (never started): recorded as non-compliant",
        );
      }
      for (const at of due.filter((t) => now - t <= p.config.tolerance)) {
        const run = await this.startRun(p, at, now);
        if (run) out.started.push(run);
      }
    }
    return out;
  }

  private async startRun(p: Plan, scheduledAt: number, now: number): Promise<string | undefined> {
    const items: StoredItem[] = [];
    const failed: { target: Target; def: AutoItemDef; detail: string }[] = [];
    const passed: { target: Target; def: AutoItemDef }[] = [];
    for (const target of p.targets) {
      const latest = this.latest(target, now);
      const list = p.checklist.get(target.id);
      for (const def of list?.auto ?? []) {
        const result = evaluateAutoItem(def, latest);
        const detail = describe(def, latest[def.value], result);
        items.push({
          target: target.id,
          item: def.id,
          kind: "auto",
          label: def.label,
          ...(result === "none" ? {} : { result }),
          detail,
        });
        if (result === "fail") failed.push({ target, def, detail });
        if (result === "pass") passed.push({ target, def });
      }
      for (const m of list?.manual ?? [])
        items.push({ target: target.id, item: m.id, kind: "manual", label: m.text });
    }
    const { id, created } = await this.d.store.create({
      plan: p.config.id,
      scheduledAt,
      startedAt: now,
      toleranceMs: p.config.tolerance,
      recordedAt: now,
      items,
    });
    if (!created) return undefined;
    for (const f of failed) {
      const title = `${f.target.name}: 巡检 ${f.def.label} 未通过 (${f.detail})`;
      const fault = await this.d.faults.detected(
        f.target.id,
        inspectionCause(f.def.id),
        title,
        p.config.severity,
        now,
      );
      await this.d.store.linkFault(id, f.target.id, f.def.id, fault);
    }
    // A passing item clears the condition its open fault was about; a person still resolves the fault.
    for (const ok of passed) await this.d.faults.recovered(ok.target.id, inspectionCause(ok.def.id), now);
    this.d.logger.info(
      { plan: p.config.id, run: id, items: items.length, failed: failed.length },
      "inspection run started",
    );
    return id;
  }

  /**
   * The newest fresh value of every value name over the target's checks and agents, plus the two
   * envelope values: probe.ok (the target's counting checks, worst first: down → false, unknown → no
   * value, else true) and probe.duration_ms (newest HTTP or operation result; a failed one counts as too slow).
   */
  private latest(target: Target, now: number): Latest {
    const out: Latest = {};
    const seen = new Map<string, number>();
    const put = (k: string, v: number | string | boolean, ts: number) => {
      if ((seen.get(k) ?? Number.NEGATIVE_INFINITY) > ts) return;
      seen.set(k, ts);
      out[k] = v;
    };
    for (const c of target.checks)
      for (const a of this.d.live.agentsOf(target.id, c.id, now)) {
        if (!a.fresh) continue;
        for (const [k, v] of Object.entries(a.last.values)) put(k, v, a.last.ts);
        if (c.kind === "http" || c.kind === "operation")
          put("probe.duration_ms", a.last.ok ? a.last.duration_ms : Number.MAX_VALUE, a.last.ts);
      }
    const counting = target.checks.filter((c) => c.counts);
    const states = (counting.length ? counting : target.checks).map((c) =>
      this.d.live.checkState(target.id, c.id, now),
    );
    out["probe.ok"] = states.includes("down") ? false : states.includes("unknown") ? undefined : true;
    return out;
  }

  /**
   * A person signs off a manual item. A failed item must link to a fault: the one given (fault_id,
   * which must exist), else the service opens one (or attaches to the open one) for the target with
   * cause inspection:<item>, source manual, the plan's severity.
   */
  async signOff(
    runId: string,
    target: string,
    item: string,
    input: { result: "pass" | "fail"; note?: string; faultId?: string },
    actor: string,
  ): Promise<StoredRun> {
    const at = this.clock();
    const run = await this.d.store.get(runId);
    if (!run) throw new InspectionError(404, `no inspection run ${runId}`);
    const it = run.items.find((i) => i.target === target && i.item === item);
    if (!it) {
      if (run.startedAt === undefined)
        throw new InspectionError(409, "the run was missed (never started): it has nothing to sign off");
      throw new InspectionError(404, `run ${runId} has no item ${target}/${item}`);
    }
    if (it.kind !== "manual")
      throw new InspectionError(409, `${target}/${item} is an automatic item: monitoring records its result`);
    if (it.signedOffAt !== undefined)
      throw new InspectionError(
        409,
        `${target}/${item} was already signed off by ${it.signedOffBy} at ${new Date(it.signedOffAt).toISOString()}`,
      );
    let faultId = input.faultId;
    if (faultId !== undefined) {
      if (input.result !== "fail")
        throw new InspectionError(400, "fault_id: only a failed item links a fault");
      if (!(await this.d.faultStore.get(faultId)))
        throw new InspectionError(400, `fault_id: no fault ${faultId}`);
    } else if (input.result === "fail") {
      const plan = this.plans.find((p) => p.config.id === run.plan)?.config;
      const title = `${this.names.get(target) ?? target}: 巡检 ${it.label} 未通过${input.note ? ` (${input.note})` : ""}`;
      faultId = await this.d.faults.detected(
        target,
        inspectionCause(item),
        title,
        plan?.severity ?? "P3",
        at,
        "manual",
      );
    }
    const done = await this.d.store.signOff(runId, target, item, {
      result: input.result,
      ...(input.note ? { note: input.note } : {}),
      at,
      by: actor,
      ...(faultId === undefined ? {} : { faultId }),
    });
    if (!done) throw new InspectionError(409, `${target}/${item} was already signed off`);
    this.d.logger.info(
      { run: runId, target, item, result: input.result, actor },
      "inspection item signed off",
    );
    return (await this.d.store.get(runId)) as StoredRun;
  }

  async get(runId: string): Promise<StoredRun> {
    const run = await this.d.store.get(runId);
    if (!run) throw new InspectionError(404, `no inspection run ${runId}`);
    return run;
  }

  list(q: { from: number; to: number; plan?: string }): Promise<StoredRun[]> {
    return this.d.store.list(q);
  }

  planName(id: string): string | undefined {
    return this.plans.find((p) => p.config.id === id)?.config.name;
  }

  /** Whether each fault the runs link to exists (rule 17: a failed item must link to an existing fault). */
  faultExists(runs: readonly StoredRun[]): Promise<(id: string) => boolean> {
    return existingFaults(runs, this.d.faultStore);
  }

  get tz(): string {
    return this.d.tz;
  }
}

function describe(def: AutoItemDef, v: unknown, result: "pass" | "fail" | "none"): string {
  if (v === undefined)
    return def.value === "probe.ok"
      ? "no fresh result from the target's checks (state unknown)"
      : `no fresh value of ${def.value}`;
  if (def.value === "probe.duration_ms" && v === Number.MAX_VALUE)
    return "the latest operation failed (counts as too slow)";
  const shown = `${def.value} = ${typeof v === "string" ? JSON.stringify(v) : String(v)}`;
  if (result === "none") return `${shown}: not a ${typeof def.threshold}`;
  return `${shown} (needs ${def.op} ${String(def.threshold)})`;
}

/** The linked faults that exist, as a predicate for judgeInspection / inspectionRate. */
export async function existingFaults(
  runs: readonly StoredRun[],
  faults: Pick<FaultStore, "get">,
): Promise<(id: string) => boolean> {
  const ids = new Set(
    runs.flatMap((r) => r.items.flatMap((i) => (i.faultId === undefined ? [] : [i.faultId]))),
  );
  const found = new Set<string>();
  for (const id of ids) if (await faults.get(id)) found.add(id);
  return (id) => found.has(id);
}

/**
 * inspection_pass_rate over the runs scheduled in the period (engine inspectionRate), each run judged
 * with the tolerance it was recorded with; runs of plans since removed from the config still count.
 */
export async function inspectionFigures(
  store: InspectionStore,
  faults: Pick<FaultStore, "get">,
  period: Interval,
  now: number,
  tz: string,
): Promise<InspectionRate> {
  const runs = await store.list({ from: period.start, to: period.end });
  const exists = await existingFaults(runs, faults);
  const byTolerance = new Map<number, StoredRun[]>();
  for (const r of runs) byTolerance.set(r.toleranceMs, [...(byTolerance.get(r.toleranceMs) ?? []), r]);
  const total: InspectionRate = {
    scheduled: 0,
    compliant: 0,
    nonCompliant: 0,
    pending: 0,
    ratio: null,
    items: { passed: 0, withResult: 0, share: null },
  };
  for (const [tolerance, group] of byTolerance) {
    const r = inspectionRate(group.map(toInspectionRun), period, now, tz, exists, tolerance);
    total.scheduled += r.scheduled;
    total.compliant += r.compliant;
    total.nonCompliant += r.nonCompliant;
    total.pending += r.pending;
    total.items.passed += r.items.passed;
    total.items.withResult += r.items.withResult;
  }
  const decided = total.compliant + total.nonCompliant;
  total.ratio = decided === 0 ? null : total.compliant / decided;
  total.items.share = total.items.withResult === 0 ? null : total.items.passed / total.items.withResult;
  return total;
}

/** A run as the API shows it, with its judgement at `now` (rule 17). */
export function runView(
  run: StoredRun,
  now: number,
  tz: string,
  faultExists: (id: string) => boolean,
  planName?: string,
) {
  const j = judgeInspection(toInspectionRun(run), now, tz, faultExists, run.toleranceMs);
  return {
    id: run.id,
    plan: run.plan,
    plan_name: planName ?? null,
    scheduled_at: run.scheduledAt,
    started_at: run.startedAt ?? null,
    tolerance_ms: run.toleranceMs,
    recorded_at: run.recordedAt,
    status: j.status,
    reasons: j.reasons,
    items: run.items.map((i) => ({
      target: i.target,
      item: i.item,
      kind: i.kind,
      label: i.label,
      result: i.result ?? null,
      detail: i.detail ?? null,
      note: i.note ?? null,
      signed_off_at: i.signedOffAt ?? null,
      signed_off_by: i.signedOffBy ?? null,
      fault_id: i.faultId ?? null,
    })),
  };
}
