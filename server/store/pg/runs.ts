import type pg from "pg";
import type { RunRow, StreamKey } from "../runs.js";
import type { RunStore } from "../store.js";

/** As in server/store/runs.ts: a run never spans more than one local day, so 2 days bound `start`. */
const MAX_RUN_SPAN_MS = 2 * 86_400_000;

const COLS = `target, indicator, check_id AS "check", agent, start, last, count, verdict, hold`;

/**
 * The streams of one target and indicator, found by a loose index scan of the primary key (one seek
 * per stream instead of reading every run ever stored for them).
 */
const STREAMS = `WITH RECURSIVE s AS (
    (SELECT check_id, agent FROM runs WHERE target = $1 AND indicator = $2 ORDER BY check_id, agent LIMIT 1)
    UNION ALL
    SELECT n.check_id, n.agent FROM s CROSS JOIN LATERAL (
      SELECT check_id, agent FROM runs
      WHERE target = $1 AND indicator = $2 AND (check_id, agent) > (s.check_id, s.agent)
      ORDER BY check_id, agent LIMIT 1) n)`;

export class PgRunStore implements RunStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(rows: readonly RunRow[]): Promise<void> {
    if (!rows.length) return;
    // One statement may not upsert a row twice: the last version of each run wins, as in SQLite.
    const last = new Map(
      rows.map((r) => [JSON.stringify([r.target, r.indicator, r.check, r.agent, r.start]), r]),
    );
    const runs = [...last.values()];
    const col = <K extends keyof RunRow>(k: K) => runs.map((r) => r[k]);
    await this.pool.query(
      `INSERT INTO runs (target, indicator, check_id, agent, start, last, count, verdict, hold)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
           $7::bigint[], $8::text[], $9::bigint[])
         ON CONFLICT (target, indicator, check_id, agent, start)
         DO UPDATE SET last = excluded.last, count = excluded.count, verdict = excluded.verdict, hold = excluded.hold`,
      [
        col("target"),
        col("indicator"),
        col("check"),
        col("agent"),
        col("start"),
        col("last"),
        col("count"),
        col("verdict"),
        col("hold"),
      ],
    );
  }

  /** Runs with start < to and last ≥ from, in (check, agent, start) order (see SqliteRunStore.load). */
  async load(target: string, indicator: string, from: number, to: number): Promise<RunRow[]> {
    const { rows } = await this.pool.query<RunRow>(
      `${STREAMS}
       SELECT $1::text AS target, $2::text AS indicator, s.check_id AS "check", s.agent,
         r.start, r.last, r.count, r.verdict, r.hold
       FROM s CROSS JOIN LATERAL (
         SELECT start, last, count, verdict, hold FROM runs
         WHERE target = $1 AND indicator = $2 AND check_id = s.check_id AND agent = s.agent
           AND start >= $3 AND start < $4 AND last >= $5 ORDER BY start) r
       ORDER BY s.check_id, s.agent, r.start`,
      [target, indicator, from - MAX_RUN_SPAN_MS, to, from],
    );
    return rows;
  }

  /** The newest run of every stream: a loose index scan over the primary key, one seek per stream. */
  async tails(): Promise<RunRow[]> {
    const { rows } = await this.pool.query<RunRow>(
      `WITH RECURSIVE s AS (
         (SELECT target, indicator, check_id, agent FROM runs
          ORDER BY target, indicator, check_id, agent LIMIT 1)
         UNION ALL
         SELECT n.* FROM s CROSS JOIN LATERAL (
           SELECT target, indicator, check_id, agent FROM runs
           WHERE (target, indicator, check_id, agent) > (s.target, s.indicator, s.check_id, s.agent)
           ORDER BY target, indicator, check_id, agent LIMIT 1) n)
       SELECT r.* FROM s CROSS JOIN LATERAL (
         SELECT ${COLS} FROM runs
         WHERE target = s.target AND indicator = s.indicator AND check_id = s.check_id AND agent = s.agent
         ORDER BY start DESC LIMIT 1) r`,
    );
    return rows;
  }

  async deleteFrom(key: StreamKey, from: number): Promise<number> {
    const args = [key.target, key.indicator, key.check, key.agent, from];
    const { rows } = await this.pool.query<{ start: number | null }>(
      `WITH d AS (DELETE FROM runs
         WHERE target = $1 AND indicator = $2 AND check_id = $3 AND agent = $4 AND last >= $5 RETURNING start)
       SELECT min(start) AS start FROM d`,
      args,
    );
    return Math.min(rows[0]?.start ?? from, from);
  }
}
