// The SQLite store's safety at the file level: integrity at start (a damaged file is refused with what
// to do), forward-only migrations (a newer file is refused), and the checks and steps of backup and
// restore on real files.
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { Result } from "../../protocol/messages.js";
import { backupSqlite, checkSqliteFile, restoreSqlite, SCHEMA_VERSION } from "../../server/store/backup.js";
import { SqliteStore } from "../../server/store/sqlite.js";

const tmp = () => mkdtempSync(join(tmpdir(), "opswatch-backup-unit-"));

const result = (seq: number): Result => ({
  v: 1,
  agent: "a1",
  seq,
  target: "web",
  check: "home",
  kind: "http",
  ts: 1_800_000_000_000 + seq * 1000,
  duration_ms: 12,
  ok: true,
  values: { "http.status": 200 },
});

/** A store file with `n` results of agent a1 (seq 1..n), closed. */
async function storeWith(file: string, n: number): Promise<void> {
  const s = new SqliteStore(file);
  await s.commit([Array.from({ length: n }, (_, i) => result(i + 1))]);
  await s.close();
}

const count = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT count(*) AS n, max(seq) AS max FROM results").get() as {
      n: number;
      max: number;
    };
  } finally {
    db.close();
  }
};

/** Overwrites the first b-tree page after the header page with garbage: the file stays a SQLite file. */
function damage(file: string): void {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const root = db
    .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'results'")
    .pluck()
    .get() as number;
  db.close();
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
  closeSync(fd);
}

describe("integrity at start", () => {
  it("refuses a damaged database and tells the operator to restore a backup", async () => {
    const dir = tmp();
    const file = join(dir, "s.db");
    await storeWith(file, 50);
    damage(file);
    let message = "";
    try {
      new SqliteStore(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/SQLite integrity check failed for .*s\.db/);
    expect(message).toContain("opswatch restore");
  });

  it("refuses a file whose header is garbage with the same advice", () => {
    const file = join(tmp(), "s.db");
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    expect(() => new SqliteStore(file)).toThrow(
      /integrity check failed .*file is not a database.*opswatch restore/,
    );
  });

  it("refuses a database written by a newer opswatch (migrations are forward-only)", async () => {
    const dir = tmp();
    const file = join(dir, "s.db");
    await storeWith(file, 1);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore(file)).toThrow(
      `database schema version ${SCHEMA_VERSION + 1} is newer than this opswatch (${SCHEMA_VERSION})`,
    );
    // and restore refuses it as a backup, naming both versions
    expect(() => checkSqliteFile(file)).toThrow(/schema version \d+, newer than this opswatch/);
  });
});

describe("backup", () => {
  it("copies every committed result into one checked, self-contained file", async () => {
    const dir = tmp();
    const file = join(dir, "s.db");
    const live = new SqliteStore(file); // still open, WAL mode: the copy must include the WAL's rows
    await live.commit([Array.from({ length: 300 }, (_, i) => result(i + 1))]);
    const out = join(dir, "b.db");
    const steps: number[] = [];
    const r = await backupSqlite(file, out, { onProgress: (p) => steps.push(p.done) });
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(count(out)).toEqual({ n: 300, max: 300 });
    expect(existsSync(`${out}-wal`)).toBe(false);
    expect(statSync(out).mode & 0o777).toBe(0o600); // password and token hashes inside
    // journal mode DELETE: byte 18 of the header is 1 (legacy), not 2 (WAL)
    expect(readFileSync(out)[18]).toBe(1);
    // a second backup to the same name needs --force
    await expect(backupSqlite(file, out)).rejects.toThrow(/exists; give --force/);
    await live.close();
  });

  it("refuses a database path that does not exist (never creates an empty one)", async () => {
    const dir = tmp();
    await expect(backupSqlite(join(dir, "typo.db"), join(dir, "b.db"))).rejects.toThrow(/does not exist/);
    expect(existsSync(join(dir, "typo.db"))).toBe(false);
  });
});

describe("restore", () => {
  // As root (the usual way to run it), the restored file must belong to the server's user, not root.
  it.skipIf(process.getuid?.() !== 0)(
    "gives a fresh database the owner of its directory when run as root",
    async () => {
      const dir = tmp();
      await storeWith(join(dir, "src.db"), 3);
      await backupSqlite(join(dir, "src.db"), join(dir, "b.db"));
      const home = join(dir, "home");
      mkdirSync(home);
      chownSync(home, 65534, 65534); // nobody:nogroup stands in for opswatch:opswatch
      await restoreSqlite(join(dir, "b.db"), join(home, "s.db"));
      expect(statSync(join(home, "s.db"))).toMatchObject({ uid: 65534, gid: 65534 });
    },
  );

  it("refuses files that are not a good opswatch database", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "text.db"), "hello, not a database\n");
    expect(() => checkSqliteFile(join(dir, "text.db"))).toThrow(/not a SQLite database/);
    const other = new Database(join(dir, "other.db"));
    other.exec("CREATE TABLE t (x)");
    other.close();
    expect(() => checkSqliteFile(join(dir, "other.db"))).toThrow(/not an opswatch store/);
    await storeWith(join(dir, "bad.db"), 50);
    damage(join(dir, "bad.db"));
    expect(() => checkSqliteFile(join(dir, "bad.db"))).toThrow(/fails integrity_check/);
  });

  it("replaces an existing database only with --force, keeping the old one and dropping its WAL", async () => {
    const dir = tmp();
    const backup = join(dir, "b.db");
    await storeWith(join(dir, "src.db"), 20);
    await backupSqlite(join(dir, "src.db"), backup);
    const target = join(dir, "live.db");
    await storeWith(target, 5);
    // A stale WAL of the old file: replayed into the restored one it would corrupt it.
    writeFileSync(`${target}-wal`, "stale");
    writeFileSync(`${target}-shm`, "stale");
    await expect(restoreSqlite(backup, target)).rejects.toThrow(/exists; give --force/);
    expect(count(target).n).toBe(5); // untouched
    const r = await restoreSqlite(backup, target, { force: true, now: Date.parse("2026-11-02T00:00:00Z") });
    expect(r.previous).toBe(`${target}.replaced-2026-11-02T00-00-00-000Z`);
    expect(existsSync(`${target}-shm`)).toBe(false);
    expect(readFileSync(`${r.previous}-wal`, "utf8")).toBe("stale");
    expect(count(r.previous as string).n).toBe(5);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    // the server opens it and sees the 20 results
    const s = new SqliteStore(target);
    expect(await s.lastSeq("a1")).toBe(20);
    await s.close();
  });
});
