import type Database from "better-sqlite3";
import type { InspectionRun } from "../../engine/inspections.js";

export interface StoredItem {
  target: string;
  /** Item id within the target: an automatic item's id (e.g. battery_charge) or a manual item's id. */
  item: string;
  kind: "auto" | "manual";
  /** What is checked, e.g. 电池电量 ≥ 90 % or 机房温度正常. */
  label: string;
  /** Absent: no result (automatic: no fresh value; manual: not signed off yet). */
  result?: "pass" | "fail";
  /** Automatic: the value seen. */
  detail?: string;
  /** Manual: the person's note. */
  note?: string;
  signedOffAt?: number;
  signedOffBy?: string;
  faultId?: string;
}

export interface StoredRun {
  id: string;
  plan: string;
  scheduledAt: number;
  /** Absent: never started (a missed run, recorded when the miss was noticed). */
  startedAt?: number;
  /** The plan's tolerance when the run was recorded: the judgement does not change with later config. */
  toleranceMs: number;
  recordedAt: number;
  items: StoredItem[];
}

export type NewRun = Omit<StoredRun, "id">;

/**
 * Inspection runs (one per plan and scheduled time, a missed one included) and their checklist items.
 * A run is written whole, once; afterwards only fault links and manual sign-offs change.
 */
export class SqliteInspectionStore {
  constructor(private readonly db: Database.Database) {}

  /** When the plan was first seen by this server (set now on first call): no run is due before it. */
  async since(plan: string, now: number): Promise<number> {
    this.db.prepare("INSERT OR IGNORE INTO inspection_plans (plan, since) VALUES (?, ?)").run(plan, now);
    return (
      this.db.prepare("SELECT since FROM inspection_plans WHERE plan = ?").get(plan) as { since: number }
    ).since;
  }

  /** Scheduled time of the plan's newest recorded run. */
  async lastScheduled(plan: string): Promise<number | undefined> {
    const row = this.db
      .prepare("SELECT max(scheduled_at) AS at FROM inspection_runs WHERE plan = ?")
      .get(plan) as {
      at: number | null;
    };
    return row.at ?? undefined;
  }

  /**
   * Records a run with its items, atomically and idempotently: a run for the same (plan, scheduledAt)
   * already recorded is left as it is (created: false).
   */
  async create(run: NewRun): Promise<{ id: string; created: boolean }> {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT OR IGNORE INTO inspection_runs (plan, scheduled_at, started_at, tolerance_ms, recorded_at)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(run.plan, run.scheduledAt, run.startedAt ?? null, run.toleranceMs, run.recordedAt);
      if (info.changes === 0) {
        const row = this.db
          .prepare("SELECT id FROM inspection_runs WHERE plan = ? AND scheduled_at = ?")
          .get(run.plan, run.scheduledAt) as { id: number };
        return { id: String(row.id), created: false };
      }
      const id = Number(info.lastInsertRowid);
      const insert = this.db.prepare(
        `INSERT INTO inspection_items (run_id, target, item, kind, label, result, detail, note, signed_off_at,
           signed_off_by, fault_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const i of run.items)
        insert.run(
          id,
          i.target,
          i.item,
          i.kind,
          i.label,
          i.result ?? null,
          i.detail ?? null,
          i.note ?? null,
          i.signedOffAt ?? null,
          i.signedOffBy ?? null,
          i.faultId === undefined ? null : Number(i.faultId),
        );
      return { id: String(id), created: true };
    })();
  }

  /** Records runs that never started (missed), in one transaction; times already recorded are kept. */
  async recordMissed(
    plan: string,
    scheduled: readonly number[],
    toleranceMs: number,
    recordedAt: number,
  ): Promise<number> {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO inspection_runs (plan, scheduled_at, started_at, tolerance_ms, recorded_at)
       VALUES (?, ?, NULL, ?, ?)`,
    );
    return this.db.transaction(() =>
      scheduled.reduce((n, at) => n + insert.run(plan, at, toleranceMs, recordedAt).changes, 0),
    )();
  }

  /** Links a failed item to the fault it opened or attached to. */
  async linkFault(runId: string, target: string, item: string, faultId: string): Promise<void> {
    this.db
      .prepare("UPDATE inspection_items SET fault_id = ? WHERE run_id = ? AND target = ? AND item = ?")
      .run(Number(faultId), Number(runId), target, item);
  }

  /**
   * A person's sign-off of a manual item; only the first one counts (false when it was already
   * signed off, or is not a manual item of the run).
   */
  async signOff(
    runId: string,
    target: string,
    item: string,
    s: { result: "pass" | "fail"; note?: string; at: number; by: string; faultId?: string },
  ): Promise<boolean> {
    return (
      this.db
        .prepare(
          `UPDATE inspection_items SET result = ?, note = ?, signed_off_at = ?, signed_off_by = ?, fault_id = ?
           WHERE run_id = ? AND target = ? AND item = ? AND kind = 'manual' AND signed_off_at IS NULL`,
        )
        .run(
          s.result,
          s.note ?? null,
          s.at,
          s.by,
          s.faultId === undefined ? null : Number(s.faultId),
          Number(runId),
          target,
          item,
        ).changes === 1
    );
  }

  async get(id: string): Promise<StoredRun | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    const row = this.db.prepare("SELECT * FROM inspection_runs WHERE id = ?").get(Number(id)) as
      | RunRow
      | undefined;
    return row ? this.withItems([row])[0] : undefined;
  }

  /** Runs scheduled in [from, to), oldest first. */
  async list(q: { from: number; to: number; plan?: string }): Promise<StoredRun[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM inspection_runs WHERE scheduled_at >= ? AND scheduled_at < ? ${q.plan ? "AND plan = ?" : ""}
         ORDER BY scheduled_at, plan`,
      )
      .all(q.from, q.to, ...(q.plan ? [q.plan] : [])) as RunRow[];
    return this.withItems(rows);
  }

  private withItems(rows: RunRow[]): StoredRun[] {
    const items = this.db.prepare("SELECT * FROM inspection_items WHERE run_id = ? ORDER BY rowid");
    return rows.map((r) => ({
      id: String(r.id),
      plan: r.plan,
      scheduledAt: r.scheduled_at,
      ...(r.started_at === null ? {} : { startedAt: r.started_at }),
      toleranceMs: r.tolerance_ms,
      recordedAt: r.recorded_at,
      items: (items.all(r.id) as ItemRow[]).map(toItem),
    }));
  }
}

/** The engine's view of a stored run (item ids "target/item"). */
export function toInspectionRun(r: StoredRun): InspectionRun {
  return {
    plan: r.plan,
    scheduledAt: r.scheduledAt,
    ...(r.startedAt === undefined ? {} : { startedAt: r.startedAt }),
    items: r.items.map((i) => ({
      id: `${i.target}/${i.item}`,
      kind: i.kind,
      ...(i.result ? { result: i.result } : {}),
      ...(i.signedOffAt === undefined ? {} : { signedOffAt: i.signedOffAt }),
      ...(i.signedOffBy === undefined ? {} : { signedOffBy: i.signedOffBy }),
      ...(i.faultId === undefined ? {} : { faultId: i.faultId }),
    })),
  };
}

interface RunRow {
  id: number;
  plan: string;
  scheduled_at: number;
  started_at: number | null;
  tolerance_ms: number;
  recorded_at: number;
}

interface ItemRow {
  target: string;
  item: string;
  kind: "auto" | "manual";
  label: string;
  result: "pass" | "fail" | null;
  detail: string | null;
  note: string | null;
  signed_off_at: number | null;
  signed_off_by: string | null;
  fault_id: number | null;
}

export function toItem(r: ItemRow): StoredItem {
  const out: StoredItem = { target: r.target, item: r.item, kind: r.kind, label: r.label };
  if (r.result !== null) out.result = r.result;
  if (r.detail !== null) out.detail = r.detail;
  if (r.note !== null) out.note = r.note;
  if (r.signed_off_at !== null) out.signedOffAt = r.signed_off_at;
  if (r.signed_off_by !== null) out.signedOffBy = r.signed_off_by;
  if (r.fault_id !== null) out.faultId = String(r.fault_id);
  return out;
}
