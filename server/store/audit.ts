import type Database from "better-sqlite3";
import type { AuditEntry, AuditQuery, AuditStore } from "./store.js";

/** The audit log: INSERT only (triggers in migration 3 refuse UPDATE and DELETE). */
export class SqliteAuditStore implements AuditStore {
  constructor(private readonly db: Database.Database) {}

  async append(e: Omit<AuditEntry, "id">): Promise<string> {
    return String(
      this.db
        .prepare(
          `INSERT INTO audit (at, actor, role, via, addr, action, object, before, after)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...auditValues(e)).lastInsertRowid,
    );
  }

  async list(q: AuditQuery): Promise<{ items: AuditEntry[]; next?: string }> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.from !== undefined) where.push("at >= ?") && args.push(q.from);
    if (q.to !== undefined) where.push("at < ?") && args.push(q.to);
    if (q.actor !== undefined) where.push("actor = ?") && args.push(q.actor);
    if (q.action !== undefined) where.push("action = ?") && args.push(q.action);
    if (q.cursor !== undefined) where.push("id < ?") && args.push(decodeCursor(q.cursor));
    const rows = this.db
      .prepare(
        `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
      )
      .all(...args, q.limit + 1) as Row[];
    const items = rows.slice(0, q.limit).map(toEntry);
    const last = items[items.length - 1];
    return rows.length > q.limit && last
      ? { items, next: Buffer.from(last.id).toString("base64url") }
      : { items };
  }

  async counts(from: number, to: number): Promise<Record<string, number>> {
    const rows = this.db
      .prepare(
        "SELECT action, count(*) AS n FROM audit WHERE at >= ? AND at < ? GROUP BY action ORDER BY action",
      )
      .all(from, to) as { action: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.action, r.n]));
  }
}

/** Cursors are opaque to clients: the id of the last entry seen. */
export function decodeCursor(c: string): number {
  const id = Buffer.from(c, "base64url").toString();
  if (!/^\d+$/.test(id)) throw new RangeError("invalid cursor");
  return Number(id);
}

interface Row {
  id: number;
  at: number;
  actor: string;
  role: AuditEntry["role"];
  via: AuditEntry["via"];
  addr: string;
  action: string;
  object: string;
  before: string | null;
  after: string | null;
}

export function toEntry(r: Row): AuditEntry {
  return {
    id: String(r.id),
    at: r.at,
    actor: r.actor,
    role: r.role,
    via: r.via,
    addr: r.addr,
    action: r.action,
    object: r.object,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  };
}

/** An entry's column values in the order of the audit INSERT (both stores use it). */
export function auditValues(e: Omit<AuditEntry, "id">) {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  return [e.at, e.actor, e.role, e.via, e.addr, e.action, e.object, json(e.before), json(e.after)];
}
