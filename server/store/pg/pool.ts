import pg from "pg";

/** Something that runs queries: the pool, or one client inside a transaction. */
export type Db = pg.Pool | pg.PoolClient;

/** BIGINT (ms timestamps, ids, seqs) parsed to JS numbers: every value opswatch stores is < 2^53. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 && format !== "binary") return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection (database restart) must not crash the server: the pool
  // drops it and the next query opens a new one.
  pool.on("error", () => undefined);
  return pool;
}

/** deadlock_detected, serialization_failure: safe to run the whole transaction again. */
const RETRYABLE = new Set(["40P01", "40001"]);

/** Runs `fn` in one transaction on one client; retried a few times on a deadlock. */
export async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const c = await pool.connect();
    try {
      await c.query("BEGIN");
      const out = await fn(c);
      await c.query("COMMIT");
      c.release();
      return out;
    } catch (e) {
      const broken = await c.query("ROLLBACK").then(
        () => false,
        () => true,
      );
      c.release(broken);
      const code = (e as { code?: string }).code;
      if (attempt >= 3 || !code || !RETRYABLE.has(code)) throw e;
    }
  }
}

/** The first row's first column, or undefined. */
export async function one<T>(sql: string, args: unknown[], db: Db): Promise<T | undefined> {
  const { rows } = await db.query({ text: sql, values: args, rowMode: "array" });
  return (rows[0] as unknown[] | undefined)?.[0] as T | undefined;
}

/** Numbered placeholders for a query built piece by piece: `p(v)` appends v and returns "$n". */
export function params(): { values: unknown[]; p: (v: unknown) => string } {
  const values: unknown[] = [];
  return {
    values,
    p: (v) => {
      values.push(v);
      return `$${values.length}`;
    },
  };
}
