import type Database from "better-sqlite3";
import type { Fault, FaultEvent } from "../../engine/faults.js";

export interface FaultRow {
  id: string;
  target: string;
  cause: string;
  title: string;
  source: "auto" | "manual";
  severity: string;
  openedAt: number;
  open: boolean;
}

export interface FaultRecord extends FaultRow, Fault {}

export interface FaultFilter {
  open?: boolean;
  target?: string;
  /** opened_at in [from, to) */
  from?: number;
  to?: number;
  limit?: number;
}

/**
 * Faults as append-only event logs (engine/faults.ts reduces them to state). The row keeps a few
 * columns derived from the log (open, current severity) only to make listing cheap.
 */
export class SqliteFaultStore {
  constructor(private readonly db: Database.Database) {}

  async create(
    f: Omit<FaultRow, "id" | "open">,
    opened: Extract<FaultEvent, { type: "opened" }>,
  ): Promise<string> {
    return this.db.transaction(() => {
      const id = this.db
        .prepare(
          "INSERT INTO faults (target, cause, title, source, severity, opened_at, open) VALUES (?, ?, ?, ?, ?, ?, 1)",
        )
        .run(f.target, f.cause, f.title, f.source, f.severity, f.openedAt).lastInsertRowid;
      this.insertEvent(String(id), opened);
      return String(id);
    })();
  }

  /** Appends one event and refreshes the derived columns, atomically. */
  async append(id: string, e: FaultEvent, derived: { open: boolean; severity: string }): Promise<void> {
    this.db.transaction(() => {
      this.insertEvent(id, e);
      this.db
        .prepare("UPDATE faults SET open = ?, severity = ? WHERE id = ?")
        .run(derived.open ? 1 : 0, derived.severity, id);
    })();
  }

  async get(id: string): Promise<FaultRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM faults WHERE id = ?").get(id) as DbRow | undefined;
    return row ? this.withEvents([row])[0] : undefined;
  }

  async openFor(target: string, cause: string): Promise<FaultRecord | undefined> {
    const row = this.db
      .prepare("SELECT * FROM faults WHERE target = ? AND cause = ? AND open = 1")
      .get(target, cause) as DbRow | undefined;
    return row ? this.withEvents([row])[0] : undefined;
  }

  async list(q: FaultFilter = {}): Promise<FaultRecord[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.open !== undefined) where.push(`open = ${q.open ? 1 : 0}`);
    if (q.target) where.push("target = ?") && args.push(q.target);
    if (q.from !== undefined) where.push("opened_at >= ?") && args.push(q.from);
    if (q.to !== undefined) where.push("opened_at < ?") && args.push(q.to);
    const rows = this.db
      .prepare(
        `SELECT * FROM faults ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY opened_at DESC, id DESC LIMIT ?`,
      )
      .all(...args, q.limit ?? 1000) as DbRow[];
    return this.withEvents(rows);
  }

  private insertEvent(id: string, e: FaultEvent): void {
    this.db
      .prepare("INSERT INTO fault_events (fault_id, type, at, data) VALUES (?, ?, ?, ?)")
      .run(id, e.type, e.at, JSON.stringify(e));
  }

  private withEvents(rows: DbRow[]): FaultRecord[] {
    const events = this.db.prepare("SELECT data FROM fault_events WHERE fault_id = ? ORDER BY id");
    return rows.map((r) => ({
      id: String(r.id),
      target: r.target,
      cause: r.cause,
      title: r.title,
      source: r.source,
      severity: r.severity,
      openedAt: r.opened_at,
      open: r.open === 1,
      events: (events.all(r.id) as { data: string }[]).map((e) => JSON.parse(e.data) as FaultEvent),
    }));
  }
}

/** A faults table row (both stores). */
export interface DbRow {
  id: number;
  target: string;
  cause: string;
  title: string;
  source: "auto" | "manual";
  severity: string;
  opened_at: number;
  open: number;
}
