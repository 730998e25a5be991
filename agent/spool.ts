import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "../lib/log.js";
import type { Result } from "../protocol/messages.js";

export type Unsequenced = Omit<Result, "seq">;

export interface SpooledRow {
  seq: number;
  /** The result as a JSON object text, ready to put into a batch frame. */
  json: string;
}

/**
 * The agent's durable queue. Every result is committed here (and gets its sequence number) before it
 * is sent; a row leaves only when the server acked its batch as committed, or it is moved to `dead`
 * when the server refused it as invalid, so nothing the agent produced is ever silently lost.
 */
export class Spool {
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly readStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private depthCache: number;
  /** Results the server acked as committed (or refused) since this process started: for /metrics. */
  acked = 0;
  /** Results that could not be recorded (the spool's disk was full) since this process started. */
  lost = 0;
  private full: { since: number; last: number; lost: number } | undefined;

  constructor(
    private readonly file: string,
    private readonly log?: Logger,
  ) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS dead (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.insertStmt = this.db.prepare("INSERT INTO spool (body) VALUES (?)");
    this.readStmt = this.db.prepare("SELECT seq, body FROM spool WHERE seq > ? ORDER BY seq LIMIT ?");
    this.deleteStmt = this.db.prepare("DELETE FROM spool WHERE seq BETWEEN ? AND ?");
    this.countStmt = this.db.prepare("SELECT count(*) AS n FROM spool");
    this.depthCache = (this.countStmt.get() as { n: number }).n;
  }

  /** Commits a result durably and returns its sequence number; 0 when its disk is full (logged, counted). */
  append(r: Unsequenced): number {
    // The body omits seq: it is the row key, spliced back in by read().
    const { seq: _ignored, ...rest } = r as Unsequenced & { seq?: number };
    let seq: number;
    try {
      seq = Number(this.insertStmt.run(JSON.stringify(rest)).lastInsertRowid);
    } catch (e) {
      if (!this.diskFull(e)) throw e;
      this.lost++;
      (this.full as { lost: number }).lost++;
      return 0;
    }
    this.depthCache++;
    this.writable();
    return seq;
  }

  /**
   * A write failed for lack of space (or an I/O error): logged once per episode, not per result. The
   * rows already in the spool stay and are still sent; only new results cannot be recorded.
   */
  private diskFull(e: unknown): boolean {
    const code = String((e as { code?: unknown }).code ?? "");
    if (code !== "SQLITE_FULL" && !code.startsWith("SQLITE_IOERR")) return false;
    const now = Date.now();
    if (!this.full) {
      this.full = { since: now, last: now, lost: 0 };
      this.log?.error(
        { code, spool: this.depthCache },
        `agent spool disk is full: ${this.file} — new results cannot be recorded until space is freed; the ${this.depthCache} results already spooled are kept and still sent`,
      );
    }
    this.full.last = now;
    return true;
  }

  /** A write succeeded: ends a full-disk episode once writes have worked for a few seconds. */
  private writable(): void {
    if (!this.full || Date.now() - this.full.last < 5000) return;
    this.log?.warn(
      { lost: this.full.lost, seconds: Math.round((Date.now() - this.full.since) / 1000) },
      `agent spool writes again: ${this.file}; ${this.full.lost} result(s) could not be recorded meanwhile`,
    );
    this.full = undefined;
  }

  /** Up to `limit` rows with seq > after, oldest first. */
  read(after: number, limit: number): SpooledRow[] {
    return (this.readStmt.all(after, limit) as { seq: number; body: string }[]).map((r) => ({
      seq: r.seq,
      json: `{"seq":${r.seq},${r.body.slice(1)}`,
    }));
  }

  /** Removes an acked range, after moving any refused results to `dead` with the server's reason. */
  ack(first: number, last: number, refused: readonly { seq: number; reason: string }[] = []): void {
    try {
      this.ackTx(first, last, refused);
    } catch (e) {
      // Disk full: the rows stay and are sent again after the next reconnect (the server drops replays).
      if (!this.diskFull(e)) throw e;
    }
  }

  private ackTx(first: number, last: number, refused: readonly { seq: number; reason: string }[]): void {
    this.db.transaction(() => {
      const now = Date.now();
      for (const r of refused)
        this.db
          .prepare(
            "INSERT OR REPLACE INTO dead (seq, body, reason, at) SELECT seq, body, ?, ? FROM spool WHERE seq = ?",
          )
          .run(r.reason, now, r.seq);
      const removed = this.deleteStmt.run(first, last).changes;
      this.depthCache -= removed;
      this.acked += removed;
    })();
  }

  depth(): number {
    return this.depthCache;
  }

  /** Probe start time (ms) of the oldest result still waiting, or undefined when the spool is empty. */
  oldestTs(): number | undefined {
    const row = this.db
      .prepare("SELECT json_extract(body, '$.ts') AS ts FROM spool ORDER BY seq LIMIT 1")
      .get() as { ts: number | null } | undefined;
    return row?.ts ?? undefined;
  }

  deadCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM dead").get() as { n: number }).n;
  }

  /**
   * Aligns with the server's highest committed seq of this agent, sent on every connect:
   * - a spool that never talked to the server (new or replaced file) renumbers its rows above that
   *   seq, or the server would take them for replays and drop them;
   * - a known spool drops rows the server already committed (their ack was lost with the connection).
   */
  reconcile(serverLastSeq: number): { renumbered: number; dropped: number } {
    try {
      return this.reconcileTx(serverLastSeq);
    } catch (e) {
      // Disk full: a known spool just keeps the rows (the server drops them as replays); a new one
      // must not send unrenumbered rows, so that error goes up and the uplink reconnects later.
      const synced = this.db.prepare("SELECT value FROM meta WHERE key = 'synced'").get() !== undefined;
      if (synced && this.diskFull(e)) return { renumbered: 0, dropped: 0 };
      throw e;
    }
  }

  private reconcileTx(serverLastSeq: number): { renumbered: number; dropped: number } {
    return this.db.transaction(() => {
      const synced = this.db.prepare("SELECT value FROM meta WHERE key = 'synced'").get() !== undefined;
      let renumbered = 0;
      let dropped = 0;
      if (!synced) {
        const { min, next } = this.db
          .prepare(
            "SELECT min(seq) AS min, (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'spool') + 1 AS next FROM spool",
          )
          .get() as { min: number | null; next: number };
        if (next <= serverLastSeq || (min !== null && min <= serverLastSeq)) {
          const shift = serverLastSeq;
          // Two steps through negative keys so no intermediate row collides with another.
          renumbered = this.db.prepare("UPDATE spool SET seq = -(seq + ?)").run(shift).changes;
          this.db.prepare("UPDATE spool SET seq = -seq").run();
          this.db.prepare("DELETE FROM sqlite_sequence WHERE name = 'spool'").run();
          this.db
            .prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('spool', ?)")
            .run(next - 1 + shift);
        }
        this.db.prepare("INSERT INTO meta (key, value) VALUES ('synced', '1')").run();
      } else {
        dropped = this.db.prepare("DELETE FROM spool WHERE seq <= ?").run(serverLastSeq).changes;
        this.depthCache -= dropped;
        this.acked += dropped; // committed by the server; only the ack was lost
      }
      return { renumbered, dropped };
    })();
  }

  close(): void {
    this.db.close();
  }
}
