import type Database from "better-sqlite3";
import type { Run, Verdict } from "../../engine/types.js";

export interface StreamKey {
  target: string;
  indicator: string;
  check: string;
  agent: string;
}

export interface RunRow extends StreamKey, Run {}

/**
 * The longest a run can last from its first to its last sample: runs end at local midnight (encodeRuns,
 * appendRun), so they never span more than one local day (≤ 25 h even across a DST change).
 */
const MAX_RUN_SPAN_MS = 2 * 86_400_000;

/** Rollups: the run-length encoded verdict streams (see engine/runs.ts), upserted by (stream, start). */
export class SqliteRunStore {
  private readonly upsert: Database.Statement;
  private readonly nextCheck: Database.Statement;
  private readonly nextAgent: Database.Statement;
  private readonly select: Database.Statement;
  private readonly saveTx: (rows: readonly RunRow[]) => void;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO runs (target, indicator, check_id, agent, start, last, count, verdict, hold)
       VALUES (@target, @indicator, @check, @agent, @start, @last, @count, @verdict, @hold)
       ON CONFLICT (target, indicator, check_id, agent, start)
       DO UPDATE SET last = excluded.last, count = excluded.count, verdict = excluded.verdict, hold = excluded.hold`,
    );
    // load() reads stream by stream so that the primary key bounds `start` (a filter on target and
    // indicator alone would scan every run ever stored for them): the streams are found by a loose
    // index scan, one seek each; rows come as arrays without the columns the caller already knows.
    this.nextCheck = db
      .prepare("SELECT min(check_id) FROM runs WHERE target = ? AND indicator = ? AND check_id > ?")
      .pluck();
    this.nextAgent = db
      .prepare(
        "SELECT min(agent) FROM runs WHERE target = ? AND indicator = ? AND check_id = ? AND agent > ?",
      )
      .pluck();
    this.select = db
      .prepare(
        `SELECT start, last, count, verdict, hold FROM runs
         WHERE target = ? AND indicator = ? AND check_id = ? AND agent = ? AND start >= ? AND start < ? AND last >= ?
         ORDER BY start`,
      )
      .raw(true);
    this.saveTx = db.transaction((rows: readonly RunRow[]) => {
      for (const r of rows) this.upsert.run(r);
    });
  }

  async save(rows: readonly RunRow[]): Promise<void> {
    if (rows.length) this.saveTx(rows);
  }

  /**
   * Runs of one target and indicator that may matter for [from, to): start < to and last ≥ from, in
   * (check, agent, start) order. Reads only runs starting after from − MAX_RUN_SPAN_MS, which is all of
   * them since a run never spans that long.
   */
  async load(target: string, indicator: string, from: number, to: number): Promise<RunRow[]> {
    const out: RunRow[] = [];
    type Row = [start: number, last: number, count: number, verdict: Verdict, hold: number];
    const checkAfter = (c: string) => this.nextCheck.get(target, indicator, c) as string | null;
    for (let check = checkAfter(""); check !== null; check = checkAfter(check)) {
      const agentAfter = (a: string) => this.nextAgent.get(target, indicator, check, a) as string | null;
      for (let agent = agentAfter(""); agent !== null; agent = agentAfter(agent))
        for (const [start, last, count, verdict, hold] of this.select.all(
          target,
          indicator,
          check,
          agent,
          from - MAX_RUN_SPAN_MS,
          to,
          from,
        ) as Row[])
          out.push({ target, indicator, check, agent, start, last, count, verdict, hold });
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
