// The store suite against a real PostgreSQL cluster (Debian package postgresql), one database per test.
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { PgStore } from "../../server/store/pg/store.js";
import { type PostgresCluster, requirePostgres, startPostgres } from "../peers/postgres.js";
import { storeSuite } from "./store-suite.js";

const hasPostgres = requirePostgres();
let cluster: PostgresCluster;
let n = 0;

/** One statement on its own connection, as a person with psql would. */
async function onDatabase(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe.skipIf(!hasPostgres)("PgStore", () => {
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 30_000);
  afterAll(() => cluster?.stop());

  storeSuite(
    async () => {
      const url = await cluster.createDatabase(`suite${++n}`);
      const store = await PgStore.open(url);
      return {
        store,
        raw: (sql) => onDatabase(url, sql),
        markNewer: () => onDatabase(url, "UPDATE opswatch_schema SET version = 99"),
        reopen: () => PgStore.open(url),
        close: () => store.close(),
      };
    },
    { multiServer: true },
  );
});
