import type pg from "pg";
import type { MaintenanceWindow } from "../../../engine/maintenance.js";
import { type MaintenanceRecord, toRecord } from "../maintenance.js";
import type { MaintenanceStore } from "../store.js";

type Row = Parameters<typeof toRecord>[0];

/** Maintenance windows exactly as recorded (see SqliteMaintenanceStore). */
export class PgMaintenanceStore implements MaintenanceStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(w: Omit<MaintenanceWindow, "id">, createdBy: string): Promise<string> {
    const { createdAt, cancelledAt: _c, reason, approvedBy, ...spec } = w;
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO maintenance (spec, reason, approved_by, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [JSON.stringify(spec), reason, approvedBy, createdBy, createdAt],
    );
    return String(rows[0]?.id);
  }

  async cancel(id: string, at: number, by: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    const r = await this.pool.query(
      "UPDATE maintenance SET cancelled_at = $1, cancelled_by = $2 WHERE id = $3 AND cancelled_at IS NULL",
      [at, by, id],
    );
    return r.rowCount === 1;
  }

  async get(id: string): Promise<MaintenanceRecord | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    const { rows } = await this.pool.query<Row>("SELECT * FROM maintenance WHERE id = $1", [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async all(): Promise<MaintenanceRecord[]> {
    return (await this.pool.query<Row>("SELECT * FROM maintenance ORDER BY id")).rows.map(toRecord);
  }
}
