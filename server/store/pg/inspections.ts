import type pg from "pg";
import { type NewRun, type StoredRun, toItem } from "../inspections.js";
import type { InspectionStore } from "../store.js";
import { one, tx } from "./pool.js";

type ItemRow = Parameters<typeof toItem>[0] & { run_id: number };

interface RunRow {
  id: number;
  plan: string;
  scheduled_at: number;
  started_at: number | null;
  tolerance_ms: number;
  recorded_at: number;
}

/** Inspection runs, one per (plan, scheduled time), and their items (see SqliteInspectionStore). */
export class PgInspectionStore implements InspectionStore {
  constructor(private readonly pool: pg.Pool) {}

  async since(plan: string, now: number): Promise<number> {
    // DO UPDATE (a no-op) rather than DO NOTHING so RETURNING gives the row either way.
    return (await one<number>(
      `INSERT INTO inspection_plans (plan, since) VALUES ($1, $2)
       ON CONFLICT (plan) DO UPDATE SET since = inspection_plans.since RETURNING since`,
      [plan, now],
      this.pool,
    )) as number;
  }

  async lastScheduled(plan: string): Promise<number | undefined> {
    const at = await one<number | null>(
      "SELECT max(scheduled_at) FROM inspection_runs WHERE plan = $1",
      [plan],
      this.pool,
    );
    return at ?? undefined;
  }

  /** Atomic and idempotent: a run for the same (plan, scheduledAt), even one another server is writing
   *  at this moment, is left as it is (created: false). */
  async create(run: NewRun): Promise<{ id: string; created: boolean }> {
    return tx(this.pool, async (c) => {
      const id = await one<number>(
        `INSERT INTO inspection_runs (plan, scheduled_at, started_at, tolerance_ms, recorded_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (plan, scheduled_at) DO NOTHING RETURNING id`,
        [run.plan, run.scheduledAt, run.startedAt ?? null, run.toleranceMs, run.recordedAt],
        c,
      );
      if (id === undefined) {
        const existing = await one<number>(
          "SELECT id FROM inspection_runs WHERE plan = $1 AND scheduled_at = $2",
          [run.plan, run.scheduledAt],
          c,
        );
        return { id: String(existing), created: false };
      }
      const items = run.items;
      const col = <K extends keyof (typeof items)[number]>(k: K) => items.map((i) => i[k] ?? null);
      if (items.length)
        await c.query(
          `INSERT INTO inspection_items (run_id, pos, target, item, kind, label, result, detail, note,
             signed_off_at, signed_off_by, fault_id)
           SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::bigint[], $11::text[], $12::bigint[])`,
          [
            id,
            items.map((_, n) => n),
            col("target"),
            col("item"),
            col("kind"),
            col("label"),
            col("result"),
            col("detail"),
            col("note"),
            col("signedOffAt"),
            col("signedOffBy"),
            col("faultId"),
          ],
        );
      return { id: String(id), created: true };
    });
  }

  async recordMissed(
    plan: string,
    scheduled: readonly number[],
    toleranceMs: number,
    recordedAt: number,
  ): Promise<number> {
    if (!scheduled.length) return 0;
    const r = await this.pool.query(
      `INSERT INTO inspection_runs (plan, scheduled_at, started_at, tolerance_ms, recorded_at)
       SELECT $1, at, NULL, $3, $4 FROM unnest($2::bigint[]) AS at
       ON CONFLICT (plan, scheduled_at) DO NOTHING`,
      [plan, [...new Set(scheduled)], toleranceMs, recordedAt],
    );
    return r.rowCount ?? 0;
  }

  async linkFault(runId: string, target: string, item: string, faultId: string): Promise<void> {
    await this.pool.query(
      "UPDATE inspection_items SET fault_id = $1 WHERE run_id = $2 AND target = $3 AND item = $4",
      [faultId, runId, target, item],
    );
  }

  async signOff(
    runId: string,
    target: string,
    item: string,
    s: { result: "pass" | "fail"; note?: string; at: number; by: string; faultId?: string },
  ): Promise<boolean> {
    if (!/^\d+$/.test(runId)) return false;
    const r = await this.pool.query(
      `UPDATE inspection_items SET result = $1, note = $2, signed_off_at = $3, signed_off_by = $4, fault_id = $5
       WHERE run_id = $6 AND target = $7 AND item = $8 AND kind = 'manual' AND signed_off_at IS NULL`,
      [s.result, s.note ?? null, s.at, s.by, s.faultId ?? null, runId, target, item],
    );
    return r.rowCount === 1;
  }

  async get(id: string): Promise<StoredRun | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    return (await this.withItems("SELECT * FROM inspection_runs WHERE id = $1", [id]))[0];
  }

  async list(q: { from: number; to: number; plan?: string }): Promise<StoredRun[]> {
    return this.withItems(
      `SELECT * FROM inspection_runs WHERE scheduled_at >= $1 AND scheduled_at < $2
       ${q.plan ? "AND plan = $3" : ""} ORDER BY scheduled_at, plan`,
      [q.from, q.to, ...(q.plan ? [q.plan] : [])],
    );
  }

  private async withItems(sql: string, args: unknown[]): Promise<StoredRun[]> {
    const { rows } = await this.pool.query<RunRow>(sql, args);
    if (!rows.length) return [];
    const items = await this.pool.query<ItemRow>(
      "SELECT * FROM inspection_items WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, pos",
      [rows.map((r) => r.id)],
    );
    const byRun = new Map<number, ItemRow[]>();
    for (const i of items.rows) {
      const list = byRun.get(i.run_id) ?? [];
      list.push(i);
      byRun.set(i.run_id, list);
    }
    return rows.map((r) => ({
      id: String(r.id),
      plan: r.plan,
      scheduledAt: r.scheduled_at,
      ...(r.started_at === null ? {} : { startedAt: r.started_at }),
      toleranceMs: r.tolerance_ms,
      recordedAt: r.recorded_at,
      items: (byRun.get(r.id) ?? []).map(toItem),
    }));
  }
}
