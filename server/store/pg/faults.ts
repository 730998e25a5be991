import type pg from "pg";
import type { FaultEvent } from "../../../engine/faults.js";
import type { DbRow, FaultFilter, FaultRecord, FaultRow } from "../faults.js";
import type { FaultStore } from "../store.js";
import { type Db, params, tx } from "./pool.js";

/** Faults as append-only event logs, as SqliteFaultStore (derived columns open/severity for listing). */
export class PgFaultStore implements FaultStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(
    f: Omit<FaultRow, "id" | "open">,
    opened: Extract<FaultEvent, { type: "opened" }>,
  ): Promise<string> {
    return tx(this.pool, async (c) => {
      const { rows } = await c.query<{ id: number }>(
        `INSERT INTO faults (target, cause, title, source, severity, opened_at, open)
         VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id`,
        [f.target, f.cause, f.title, f.source, f.severity, f.openedAt],
      );
      const id = String(rows[0]?.id);
      await insertEvent(c, id, opened);
      return id;
    });
  }

  async append(id: string, e: FaultEvent, derived: { open: boolean; severity: string }): Promise<void> {
    await tx(this.pool, async (c) => {
      await insertEvent(c, id, e);
      await c.query("UPDATE faults SET open = $1, severity = $2 WHERE id = $3", [
        derived.open ? 1 : 0,
        derived.severity,
        id,
      ]);
    });
  }

  async get(id: string): Promise<FaultRecord | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    return (await this.withEvents("SELECT * FROM faults WHERE id = $1", [id]))[0];
  }

  async openFor(target: string, cause: string): Promise<FaultRecord | undefined> {
    return (
      await this.withEvents("SELECT * FROM faults WHERE target = $1 AND cause = $2 AND open = 1 LIMIT 1", [
        target,
        cause,
      ])
    )[0];
  }

  async list(q: FaultFilter = {}): Promise<FaultRecord[]> {
    const where: string[] = [];
    const { values, p } = params();
    if (q.open !== undefined) where.push(`open = ${p(q.open ? 1 : 0)}`);
    if (q.target) where.push(`target = ${p(q.target)}`);
    if (q.from !== undefined) where.push(`opened_at >= ${p(q.from)}`);
    if (q.to !== undefined) where.push(`opened_at < ${p(q.to)}`);
    return this.withEvents(
      `SELECT * FROM faults ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY opened_at DESC, id DESC LIMIT ${p(q.limit ?? 1000)}`,
      values,
    );
  }

  /** The fault rows of a query with their event logs (one query for all the events). */
  private async withEvents(sql: string, args: unknown[]): Promise<FaultRecord[]> {
    const { rows } = await this.pool.query<DbRow>(sql, args);
    if (!rows.length) return [];
    const events = await this.pool.query<{ fault_id: number; data: string }>(
      "SELECT fault_id, data FROM fault_events WHERE fault_id = ANY($1::bigint[]) ORDER BY fault_id, id",
      [rows.map((r) => r.id)],
    );
    const byFault = new Map<number, FaultEvent[]>();
    for (const e of events.rows) {
      const list = byFault.get(e.fault_id) ?? [];
      list.push(JSON.parse(e.data) as FaultEvent);
      byFault.set(e.fault_id, list);
    }
    return rows.map((r) => ({
      id: String(r.id),
      target: r.target,
      cause: r.cause,
      title: r.title,
      source: r.source,
      severity: r.severity,
      openedAt: r.opened_at,
      open: r.open === 1,
      events: byFault.get(r.id) ?? [],
    }));
  }
}

async function insertEvent(db: Db, id: string, e: FaultEvent): Promise<void> {
  await db.query("INSERT INTO fault_events (fault_id, type, at, data) VALUES ($1, $2, $3, $4)", [
    id,
    e.type,
    e.at,
    JSON.stringify(e),
  ]);
}
