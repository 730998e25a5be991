import type Database from "better-sqlite3";
import type { MaintenanceWindow } from "../../engine/maintenance.js";

type Spec = Omit<MaintenanceWindow, "id" | "createdAt" | "cancelledAt" | "reason" | "approvedBy">;

export interface MaintenanceRecord {
  window: MaintenanceWindow;
  createdBy: string;
  cancelledBy?: string;
}

/** Maintenance windows exactly as recorded: creation time decides which occurrences are planned. */
export class SqliteMaintenanceStore {
  constructor(private readonly db: Database.Database) {}

  async create(w: Omit<MaintenanceWindow, "id">, createdBy: string): Promise<string> {
    const { createdAt, cancelledAt: _c, reason, approvedBy, ...spec } = w;
    return String(
      this.db
        .prepare(
          "INSERT INTO maintenance (spec, reason, approved_by, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .run(JSON.stringify(spec), reason, approvedBy, createdBy, createdAt).lastInsertRowid,
    );
  }

  async cancel(id: string, at: number, by: string): Promise<boolean> {
    return (
      this.db
        .prepare(
          "UPDATE maintenance SET cancelled_at = ?, cancelled_by = ? WHERE id = ? AND cancelled_at IS NULL",
        )
        .run(at, by, id).changes === 1
    );
  }

  async get(id: string): Promise<MaintenanceRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM maintenance WHERE id = ?").get(id) as Row | undefined;
    return row && toRecord(row);
  }

  async all(): Promise<MaintenanceRecord[]> {
    return (this.db.prepare("SELECT * FROM maintenance ORDER BY id").all() as Row[]).map(toRecord);
  }
}

interface Row {
  id: number;
  spec: string;
  reason: string;
  approved_by: string;
  created_by: string;
  created_at: number;
  cancelled_at: number | null;
  cancelled_by: string | null;
}

export function toRecord(r: Row): MaintenanceRecord {
  const window = {
    ...(JSON.parse(r.spec) as Spec),
    id: String(r.id),
    createdAt: r.created_at,
    reason: r.reason,
    approvedBy: r.approved_by,
    ...(r.cancelled_at === null ? {} : { cancelledAt: r.cancelled_at }),
  } as MaintenanceWindow;
  return { window, createdBy: r.created_by, ...(r.cancelled_by ? { cancelledBy: r.cancelled_by } : {}) };
}
