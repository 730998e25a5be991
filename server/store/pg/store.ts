import type pg from "pg";
import type { Result } from "../../../protocol/messages.js";
import { decodeCursor, encodeCursor, toResult } from "../sqlite.js";
import type {
  AgentRecord,
  AgentSeen,
  CommitBatch,
  CommitOutcome,
  ResultPage,
  ResultQuery,
  Store,
} from "../store.js";
import { PgAuditStore } from "./audit.js";
import { PgAuthStore } from "./auth.js";
import { PgFaultStore } from "./faults.js";
import { PgInspectionStore } from "./inspections.js";
import { PgMaintenanceStore } from "./maintenance.js";
import { migratePg } from "./migrations.js";
import { createPool, one, tx } from "./pool.js";
import { PgRunStore } from "./runs.js";

type Row = Parameters<typeof toResult>[0];

const RESULT_COLS = "agent, seq, target, check_id, kind, ts, duration_ms, ok, error, vals";

/** A batch as given to commit: a bare array is a batch without a clock flag. */
const asBatch = (b: readonly Result[] | CommitBatch): CommitBatch => ("results" in b ? b : { results: b });

/**
 * The Store on PostgreSQL: several servers share one database (docs/operations.md "PostgreSQL").
 * Same semantics as SqliteStore, which the shared suite (test/integration/store-suite.ts) checks.
 */
export class PgStore implements Store {
  readonly kind = "postgres";
  readonly runs: PgRunStore;
  readonly faults: PgFaultStore;
  readonly maintenance: PgMaintenanceStore;
  readonly inspections: PgInspectionStore;
  readonly auth: PgAuthStore;
  readonly audit: PgAuditStore;

  private constructor(private readonly pool: pg.Pool) {
    this.runs = new PgRunStore(pool);
    this.faults = new PgFaultStore(pool);
    this.maintenance = new PgMaintenanceStore(pool);
    this.inspections = new PgInspectionStore(pool);
    this.auth = new PgAuthStore(pool);
    this.audit = new PgAuditStore(pool);
  }

  /** Connects and brings the schema up to date (refusing a database from a newer opswatch). */
  static async open(url: string, opts: { poolSize?: number } = {}): Promise<PgStore> {
    const pool = createPool(url, opts.poolSize);
    try {
      const c = await pool.connect();
      try {
        await migratePg(c);
      } finally {
        c.release();
      }
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PgStore(pool);
  }

  async commit(batches: readonly (readonly Result[] | CommitBatch)[]): Promise<CommitOutcome[]> {
    return tx(this.pool, async (c) => {
      const now = Date.now();
      const out: CommitOutcome[] = [];
      const maxSeq = new Map<string, number>();
      for (const { results: batch, clockOffsetMs } of batches.map(asBatch)) {
        if (!batch.length) {
          out.push({ committed: 0, duplicates: 0, fresh: [] });
          continue;
        }
        const col = <T>(f: (r: Result) => T) => batch.map(f);
        // One statement per batch; RETURNING names the rows that were new (a replay returns nothing).
        const { rows } = await c.query<{ agent: string; seq: number }>(
          `INSERT INTO results (agent, seq, target, check_id, kind, ts, duration_ms, ok, error, vals, received, clock_offset_ms)
           SELECT u.*, $11::bigint, $12::bigint FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[],
             $5::text[], $6::bigint[], $7::float8[], $8::smallint[], $9::text[], $10::text[]) AS u
           ON CONFLICT (agent, seq) DO NOTHING RETURNING agent, seq`,
          [
            col((r) => r.agent),
            col((r) => r.seq),
            col((r) => r.target),
            col((r) => r.check),
            col((r) => r.kind),
            col((r) => r.ts),
            col((r) => r.duration_ms),
            col((r) => (r.ok ? 1 : 0)),
            col((r) => r.error ?? null),
            col((r) => JSON.stringify(r.values)),
            now,
            clockOffsetMs ?? null,
          ],
        );
        const inserted = new Set(rows.map((r) => `${r.agent}\n${r.seq}`));
        // delete on first match: a key twice in one batch is fresh once, as with SQLite's INSERT OR IGNORE
        const fresh = batch.filter((r) => inserted.delete(`${r.agent}\n${r.seq}`));
        for (const r of batch) if (r.seq > (maxSeq.get(r.agent) ?? 0)) maxSeq.set(r.agent, r.seq);
        out.push({ committed: fresh.length, duplicates: batch.length - fresh.length, fresh });
      }
      if (maxSeq.size) {
        // sorted: two servers bumping the same agents lock their rows in the same order (no deadlock)
        const agents = [...maxSeq.keys()].sort();
        await c.query(
          `INSERT INTO agents (id, last_seq) SELECT * FROM unnest($1::text[], $2::bigint[])
           ON CONFLICT (id) DO UPDATE SET last_seq = GREATEST(agents.last_seq, excluded.last_seq)`,
          [agents, agents.map((a) => maxSeq.get(a))],
        );
      }
      return out;
    });
  }

  async lastSeq(agent: string): Promise<number> {
    return (await one<number>("SELECT last_seq FROM agents WHERE id = $1", [agent], this.pool)) ?? 0;
  }

  async agentSeen(s: AgentSeen): Promise<void> {
    await this.pool.query(
      `INSERT INTO agents (id, version, spool_depth, clock_offset_ms, seen) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, spool_depth = excluded.spool_depth,
         clock_offset_ms = excluded.clock_offset_ms, seen = excluded.seen`,
      [s.agent, s.version, s.spoolDepth, s.clockOffsetMs, s.seenMs],
    );
  }

  async agents(): Promise<AgentRecord[]> {
    const { rows } = await this.pool.query<{
      id: string;
      last_seq: number;
      version: string | null;
      spool_depth: number | null;
      clock_offset_ms: number | null;
      seen: number | null;
    }>("SELECT * FROM agents ORDER BY id");
    return rows.map((r) => ({
      agent: r.id,
      lastSeq: r.last_seq,
      ...(r.version === null ? {} : { version: r.version }),
      ...(r.spool_depth === null ? {} : { spoolDepth: r.spool_depth }),
      ...(r.clock_offset_ms === null ? {} : { clockOffsetMs: r.clock_offset_ms }),
      ...(r.seen === null ? {} : { seenMs: r.seen }),
    }));
  }

  async latest(): Promise<Result[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT DISTINCT ON (target, check_id, agent) ${RESULT_COLS} FROM results
       ORDER BY target, check_id, agent, ts DESC, seq DESC`,
    );
    return rows.map(toResult);
  }

  async results(q: ResultQuery): Promise<ResultPage> {
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const { rows } = await this.pool.query<Row>(
      `SELECT ${RESULT_COLS}, clock_offset_ms FROM results
       WHERE target = $1 AND ts >= $2 AND ts < $3 ${after ? "AND (ts, agent, seq) > ($5, $6, $7)" : ""}
       ORDER BY ts, agent, seq LIMIT $4`,
      [q.target, q.from, q.to, q.limit + 1, ...(after ? [after.ts, after.agent, after.seq] : [])],
    );
    const items = rows.slice(0, q.limit).map(toResult);
    const last = items[items.length - 1];
    return rows.length > q.limit && last ? { items, next: encodeCursor(last) } : { items };
  }

  async byKeys(agent: string, seqs: readonly number[]): Promise<Result[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${RESULT_COLS} FROM results WHERE agent = $1 AND seq = ANY($2::bigint[]) ORDER BY seq`,
      [agent, seqs],
    );
    return rows.map(toResult);
  }

  async operations(target: string, checks: readonly string[], from: number, to: number) {
    const { rows } = await this.pool.query<{ ts: number; ok: number; duration_ms: number }>(
      `SELECT ts, ok, duration_ms FROM results WHERE target = $1 AND ts >= $2 AND ts < $3 AND kind != 'trap'
       AND check_id = ANY($4::text[])`,
      [target, from, to, checks],
    );
    return rows.map((r) => ({ ts: r.ts, ok: r.ok === 1, durationMs: r.duration_ms }));
  }

  async uptimes(target: string, checks: readonly string[], from: number, to: number) {
    const { rows } = await this.pool.query<{ check: string; agent: string; ts: number; uptime: number }>(
      `SELECT "check", agent, ts, uptime FROM (
         SELECT check_id AS "check", agent, ts, seq, vals::jsonb -> 'sys.uptime_seconds' AS v FROM results
         WHERE target = $1 AND ts >= $2 AND ts < $3 AND ok = 1 AND check_id = ANY($4::text[])) r
       CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN v::text::float8 END AS uptime) u
       WHERE uptime IS NOT NULL ORDER BY ts, agent, seq`,
      [target, from, to, checks],
    );
    return rows;
  }

  async pruneResults(before: number, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    // Target by target through the (target, ts) index (found by a loose index scan), never a scan of
    // the whole table for old rows; the primary keys of at most `limit` of them are deleted.
    const r = await this.pool.query(
      `WITH RECURSIVE t AS (
         (SELECT target FROM results ORDER BY target LIMIT 1)
         UNION ALL
         SELECT n.target FROM t CROSS JOIN LATERAL
           (SELECT target FROM results WHERE target > t.target ORDER BY target LIMIT 1) n)
       DELETE FROM results WHERE (agent, seq) IN (
         SELECT o.agent, o.seq FROM t CROSS JOIN LATERAL
           (SELECT agent, seq FROM results WHERE target = t.target AND ts < $1 LIMIT $2) o
         LIMIT $2)`,
      [before, limit],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Runs `fn` while this server holds a session advisory lock named `name`, taken on a client of its
   * own (kept out of the pool until fn ends); undefined without running fn when another server holds it.
   */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    const c = await this.pool.connect();
    // Out of the pool for as long as fn runs: a connection lost meanwhile must not crash the process
    // (the lock goes with it; the job still finishes).
    const lost = () => undefined;
    c.on("error", lost);
    let broken = false;
    try {
      const key = `opswatch:${name}`;
      const got = await one<boolean>("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", [key], c);
      if (!got) return undefined;
      try {
        return await fn();
      } finally {
        // a failed unlock leaves the lock with the session: drop the connection to release it
        broken = await c.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]).then(
          () => false,
          () => true,
        );
      }
    } finally {
      c.off("error", lost);
      c.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
