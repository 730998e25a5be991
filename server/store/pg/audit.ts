import type pg from "pg";
import { auditValues, decodeCursor, toEntry } from "../audit.js";
import type { AuditEntry, AuditQuery, AuditStore } from "../store.js";
import { params } from "./pool.js";

type Row = Parameters<typeof toEntry>[0];

/** The audit log: INSERT only (triggers of migration 3 refuse UPDATE, DELETE and TRUNCATE). */
export class PgAuditStore implements AuditStore {
  constructor(private readonly pool: pg.Pool) {}

  async append(e: Omit<AuditEntry, "id">): Promise<string> {
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO audit (at, actor, role, via, addr, action, object, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      auditValues(e),
    );
    return String(rows[0]?.id);
  }

  async list(q: AuditQuery): Promise<{ items: AuditEntry[]; next?: string }> {
    const where: string[] = [];
    const { values, p } = params();
    if (q.from !== undefined) where.push(`at >= ${p(q.from)}`);
    if (q.to !== undefined) where.push(`at < ${p(q.to)}`);
    if (q.actor !== undefined) where.push(`actor = ${p(q.actor)}`);
    if (q.action !== undefined) where.push(`action = ${p(q.action)}`);
    if (q.cursor !== undefined) where.push(`id < ${p(decodeCursor(q.cursor))}`);
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY id DESC LIMIT ${p(q.limit + 1)}`,
      values,
    );
    const items = rows.slice(0, q.limit).map(toEntry);
    const last = items[items.length - 1];
    return rows.length > q.limit && last
      ? { items, next: Buffer.from(last.id).toString("base64url") }
      : { items };
  }

  async counts(from: number, to: number): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ action: string; n: number }>(
      "SELECT action, count(*) AS n FROM audit WHERE at >= $1 AND at < $2 GROUP BY action ORDER BY action",
      [from, to],
    );
    return Object.fromEntries(rows.map((r) => [r.action, r.n]));
  }
}
