import type Database from "better-sqlite3";
import type { Run, Verdict } from "../../engine/types.js";

export interface StreamKey {
  target: string;
  indicator: string;
  check: string;
  agent: string;
}

export interface RunRow extends StreamKey, Run {}

/** Rollups: the run-length encoded verdict streams (see engine/runs.ts), upserted by (stream, start). */
export class SqliteRunStore {
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly saveTx: (rows: readonly RunRow[]) => void;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO runs (target, indicator, check_id, agent, start, last, count, verdict, hold)
       VALUES (@target, @indicator, @check, @agent, @start, @last, @count, @verdict, @hold)
       ON CONFLICT (target, indicator, check_id, agent, start)
       DO UPDATE SET last = excluded.last, count = excluded.count, verdict = excluded.verdict, hold = excluded.hold`,
    );
    // Rows as arrays, without the columns the caller already knows: a monthly report reads millions.
    this.select = db
      .prepare(
        `SELECT check_id, agent, start, last, count, verdict, hold FROM runs
         WHERE target = ? AND indicator = ? AND start < ? AND last >= ?
         ORDER BY check_id, agent, start`,
      )
      .raw(true);
    this.saveTx = db.transaction((rows: readonly RunRow[]) => {
      for (const r of rows) this.upsert.run(r);
    });
  }

  async save(rows: readonly RunRow[]): Promise<void> {
    if (rows.length) this.saveTx(rows);
  }

  /** Runs of one target and indicator that may matter for [from, to): start < to and last ≥ from. */
  async load(target: string, indicator: string, from: number, to: number): Promise<RunRow[]> {
    const rows = this.select.all(target, indicator, to, from) as [
      string,
      string,
      number,
      number,
      number,
      Verdict,
      number,
    ][];
    const out = new Array<RunRow>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [check, agent, start, last, count, verdict, hold] = rows[i] as (typeof rows)[number];
      out[i] = { target, indicator, check, agent, start, last, count, verdict, hold };
    }
    return out;
  }

  /** The newest run of every stream: where the rollup resumes after a restart. */
  async tails(): Promise<RunRow[]> {
    return this.db
      .prepare(
        `SELECT target, indicator, check_id AS "check", agent, max(start) AS start, last, count, verdict, hold
         FROM runs GROUP BY target, indicator, check_id, agent`,
      )
      .all() as RunRow[];
  }

  /**
   * Deletes the runs of a stream that reach `from` or later, before they are encoded again from raw
   * results; returns where that encoding must start (the start of the first deleted run, or `from`).
   */
  async deleteFrom(key: StreamKey, from: number): Promise<number> {
    const args = [key.target, key.indicator, key.check, key.agent, from];
    const where = "target = ? AND indicator = ? AND check_id = ? AND agent = ? AND last >= ?";
    const { start } = this.db.prepare(`SELECT min(start) AS start FROM runs WHERE ${where}`).get(...args) as {
      start: number | null;
    };
    this.db.prepare(`DELETE FROM runs WHERE ${where}`).run(...args);
    return Math.min(start ?? from, from);
  }
}
