// The store suite against SQLite files in a temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe } from "vitest";
import { SqliteStore } from "../../server/store/sqlite.js";
import { storeSuite } from "./store-suite.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** SQL on the file through a connection of its own, as a person with the sqlite3 shell would. */
function onFile(file: string, fn: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

describe("SqliteStore", () => {
  storeSuite(async () => {
    const file = join(dir, `store-${++n}.db`);
    const store = new SqliteStore(file);
    return {
      store,
      raw: async (sql) => onFile(file, (db) => db.exec(sql)),
      markNewer: async () => onFile(file, (db) => db.pragma("user_version = 99")),
      reopen: async () => new SqliteStore(file),
      close: () => store.close(),
    };
  });
});
