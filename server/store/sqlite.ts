import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Result } from "../../protocol/messages.js";
import { SqliteAuditStore } from "./audit.js";
import { SqliteAuthStore } from "./auth.js";
import { SqliteFaultStore } from "./faults.js";
import { SqliteInspectionStore } from "./inspections.js";
import { SqliteMaintenanceStore } from "./maintenance.js";
import { migrations } from "./migrations.js";
import { SqliteRunStore } from "./runs.js";
import type {
  AgentRecord,
  AgentSeen,
  CommitBatch,
  CommitOutcome,
  ResultPage,
  ResultQuery,
  Store,
  StoredResult,
} from "./store.js";

interface Row {
  agent: string;
  seq: number;
  target: string;
  check_id: string;
  kind: Result["kind"];
  ts: number;
  duration_ms: number;
  ok: number;
  error: string | null;
  vals: string;
  clock_offset_ms?: number | null;
}

export function toResult(r: Row): StoredResult {
  const out: Result = {
    v: 1,
    agent: r.agent,
    seq: r.seq,
    target: r.target,
    check: r.check_id,
    kind: r.kind,
    ts: r.ts,
    duration_ms: r.duration_ms,
    ok: r.ok === 1,
    values: JSON.parse(r.vals),
  };
  if (r.error !== null) out.error = r.error;
  if (r.clock_offset_ms != null) return { ...out, clock_offset_ms: r.clock_offset_ms };
  return out;
}

/** Brings a database to the newest schema; refuses one written by a newer opswatch. */
export function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > migrations.length)
    throw new Error(`database schema version ${version} is newer than this opswatch (${migrations.length})`);
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** A batch as given to commit: a bare array is a batch without a clock flag. */
const asBatch = (b: readonly Result[] | CommitBatch): CommitBatch => ("results" in b ? b : { results: b });

export class SqliteStore implements Store {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly bumpSeq: Database.Statement;
  private readonly commitTx: (batches: readonly CommitBatch[]) => CommitOutcome[];
  readonly runs: SqliteRunStore;
  readonly faults: SqliteFaultStore;
  readonly maintenance: SqliteMaintenanceStore;
  readonly inspections: SqliteInspectionStore;
  readonly auth: SqliteAuthStore;
  readonly audit: SqliteAuditStore;

  constructor(file: string, opts: { synchronous?: "normal" | "full" } = {}) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    let check: unknown;
    try {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma(`synchronous = ${opts.synchronous ?? "full"}`);
      this.db.pragma("busy_timeout = 5000");
      check = this.db.pragma("quick_check", { simple: true });
    } catch (e) {
      // A damaged header or a page the check itself must read: the same advice as a failed check.
      if (!/^SQLITE_(CORRUPT|NOTADB)/.test((e as { code?: string }).code ?? "")) throw e;
      check = (e as Error).message;
    }
    if (check !== "ok")
      throw new Error(
        `SQLite integrity check failed for ${file}: ${check}. The database is damaged: stop here, keep the file for analysis, and restore the newest good backup (opswatch restore -c <config> <backup-file> --force; docs/operations.md, "Backup and restore"); agents resend what the backup lacks from their spools`,
      );
    migrate(this.db);
    this.runs = new SqliteRunStore(this.db);
    this.faults = new SqliteFaultStore(this.db);
    this.maintenance = new SqliteMaintenanceStore(this.db);
    this.inspections = new SqliteInspectionStore(this.db);
    this.auth = new SqliteAuthStore(this.db);
    this.audit = new SqliteAuditStore(this.db);
    this.insert = this.db.prepare(
      `INSERT OR IGNORE INTO results (agent, seq, target, check_id, kind, ts, duration_ms, ok, error, vals, received, clock_offset_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.bumpSeq = this.db.prepare(
      `INSERT INTO agents (id, last_seq) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`,
    );
    this.commitTx = this.db.transaction((batches: readonly CommitBatch[]) => {
      const now = Date.now();
      return batches.map(({ results: batch, clockOffsetMs }) => {
        const fresh: Result[] = [];
        const maxSeq = new Map<string, number>();
        for (const r of batch) {
          const info = this.insert.run(
            r.agent,
            r.seq,
            r.target,
            r.check,
            r.kind,
            r.ts,
            r.duration_ms,
            r.ok ? 1 : 0,
            r.error ?? null,
            JSON.stringify(r.values),
            now,
            clockOffsetMs ?? null,
          );
          if (info.changes) fresh.push(r);
          if (r.seq > (maxSeq.get(r.agent) ?? 0)) maxSeq.set(r.agent, r.seq);
        }
        for (const [agent, seq] of maxSeq) this.bumpSeq.run(agent, seq);
        return { committed: fresh.length, duplicates: batch.length - fresh.length, fresh };
      });
    });
  }

  async commit(batches: readonly (readonly Result[] | CommitBatch)[]): Promise<CommitOutcome[]> {
    return this.commitTx(batches.map(asBatch));
  }

  async agents(): Promise<AgentRecord[]> {
    const rows = this.db.prepare("SELECT * FROM agents ORDER BY id").all() as {
      id: string;
      last_seq: number;
      version: string | null;
      spool_depth: number | null;
      clock_offset_ms: number | null;
      seen: number | null;
    }[];
    return rows.map((r) => ({
      agent: r.id,
      lastSeq: r.last_seq,
      ...(r.version === null ? {} : { version: r.version }),
      ...(r.spool_depth === null ? {} : { spoolDepth: r.spool_depth }),
      ...(r.clock_offset_ms === null ? {} : { clockOffsetMs: r.clock_offset_ms }),
      ...(r.seen === null ? {} : { seenMs: r.seen }),
    }));
  }

  async pruneResults(before: number, limit: number): Promise<number> {
    // Target by target through the (target, ts) index: no index on ts alone slows every insert.
    const nextTarget = this.db.prepare("SELECT min(target) FROM results WHERE target > ?").pluck();
    const del = this.db.prepare(
      `DELETE FROM results WHERE (agent, seq) IN
         (SELECT agent, seq FROM results WHERE target = ? AND ts < ? LIMIT ?)`,
    );
    let n = 0;
    for (
      let t = nextTarget.get("") as string | null;
      t !== null && n < limit;
      t = nextTarget.get(t) as string | null
    )
      n += del.run(t, before, limit - n).changes;
    return n;
  }

  async exclusive<T>(_name: string, fn: () => Promise<T>): Promise<T | undefined> {
    return fn();
  }

  async lastSeq(agent: string): Promise<number> {
    const row = this.db.prepare("SELECT last_seq FROM agents WHERE id = ?").get(agent) as
      | { last_seq: number }
      | undefined;
    return row?.last_seq ?? 0;
  }

  async agentSeen(s: AgentSeen): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO agents (id, version, spool_depth, clock_offset_ms, seen) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, spool_depth = excluded.spool_depth,
           clock_offset_ms = excluded.clock_offset_ms, seen = excluded.seen`,
      )
      .run(s.agent, s.version, s.spoolDepth, s.clockOffsetMs, s.seenMs);
  }

  async latest(): Promise<Result[]> {
    // The newest row per (target, check, agent); bare columns come from the max(ts) row in SQLite.
    const rows = this.db
      .prepare(
        `SELECT agent, seq, target, check_id, kind, max(ts) AS ts, duration_ms, ok, error, vals
         FROM results GROUP BY target, check_id, agent`,
      )
      .all() as Row[];
    return rows.map(toResult);
  }

  async results(q: ResultQuery): Promise<ResultPage> {
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = this.db
      .prepare(
        `SELECT agent, seq, target, check_id, kind, ts, duration_ms, ok, error, vals, clock_offset_ms FROM results
         WHERE target = ? AND ts >= ? AND ts < ?
           ${after ? "AND (ts, agent, seq) > (?, ?, ?)" : ""}
         ORDER BY ts, agent, seq LIMIT ?`,
      )
      .all(
        q.target,
        q.from,
        q.to,
        ...(after ? [after.ts, after.agent, after.seq] : []),
        q.limit + 1,
      ) as Row[];
    const items = rows.slice(0, q.limit).map(toResult);
    const last = items[items.length - 1];
    return rows.length > q.limit && last ? { items, next: encodeCursor(last) } : { items };
  }

  async byKeys(agent: string, seqs: readonly number[]): Promise<Result[]> {
    const rows = this.db
      .prepare(
        `SELECT agent, seq, target, check_id, kind, ts, duration_ms, ok, error, vals FROM results
         WHERE agent = ? AND seq IN (SELECT value FROM json_each(?))`,
      )
      .all(agent, JSON.stringify(seqs)) as Row[];
    return rows.map(toResult);
  }

  async operations(target: string, checks: readonly string[], from: number, to: number) {
    const rows = this.db
      .prepare(
        `SELECT ts, ok, duration_ms FROM results WHERE target = ? AND ts >= ? AND ts < ? AND kind != 'trap'
         AND check_id IN (SELECT value FROM json_each(?))`,
      )
      .all(target, from, to, JSON.stringify(checks)) as { ts: number; ok: number; duration_ms: number }[];
    return rows.map((r) => ({ ts: r.ts, ok: r.ok === 1, durationMs: r.duration_ms }));
  }

  async uptimes(target: string, checks: readonly string[], from: number, to: number) {
    return this.db
      .prepare(
        `SELECT check_id AS "check", agent, ts, json_extract(vals, '$."sys.uptime_seconds"') AS uptime
         FROM results WHERE target = ? AND ts >= ? AND ts < ? AND ok = 1
         AND check_id IN (SELECT value FROM json_each(?)) AND uptime IS NOT NULL ORDER BY ts`,
      )
      .all(target, from, to, JSON.stringify(checks)) as {
      check: string;
      agent: string;
      ts: number;
      uptime: number;
    }[];
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export function encodeCursor(r: Result): string {
  return Buffer.from(JSON.stringify([r.ts, r.agent, r.seq])).toString("base64url");
}

export function decodeCursor(c: string): { ts: number; agent: string; seq: number } {
  try {
    const [ts, agent, seq] = JSON.parse(Buffer.from(c, "base64url").toString());
    if (typeof ts === "number" && typeof agent === "string" && typeof seq === "number")
      return { ts, agent, seq };
  } catch {}
  throw new RangeError("invalid cursor");
}
