// Online backup and offline restore of the SQLite store (docs/operations.md, "Backup and restore").
// PostgreSQL is backed up with pg_dump: these functions refuse a postgres:// database.
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { copyFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import { migrations } from "./migrations.js";

const HEADER = Buffer.from("SQLite format 3\0", "latin1");
/** The schema version this opswatch writes (PRAGMA user_version after the last migration). */
export const SCHEMA_VERSION = migrations.length;

export const isPostgresUrl = (database: string) => /^postgres(ql)?:\/\//i.test(database);

export interface Progress {
  /** Pages copied so far and in all (SQLite pages, usually 4 KiB). */
  done: number;
  total: number;
  /** The server wrote during the copy: SQLite started over and the rest goes in one step. */
  restarted: boolean;
}

export interface CheckedFile {
  file: string;
  schemaVersion: number;
  bytes: number;
}

/**
 * Copies a live database into `out` while the server keeps writing: SQLite's backup API from a
 * connection of our own. Copied in steps (progress between them); when the server writes meanwhile,
 * SQLite restarts the copy, so after one restart the rest is copied in a single step — one read
 * transaction, which WAL lets run alongside the server's writes. The copy is a self-contained file
 * (rollback journal, no -wal) checked with integrity_check before it gets its final name.
 */
export async function backupSqlite(
  source: string,
  out: string,
  opts: { force?: boolean; onProgress?: (p: Progress) => void } = {},
): Promise<CheckedFile> {
  if (!existsSync(source)) throw new Error(`database ${source} does not exist`);
  if (existsSync(out) && !opts.force) throw new Error(`${out} exists; give --force to overwrite it`);
  const partial = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  // fileMustExist: never create an empty database where the operator mistyped the path.
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    let lastRemaining = Number.POSITIVE_INFINITY;
    let restarted = false;
    await db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages > lastRemaining) restarted = true; // the server wrote: SQLite started over
        opts.onProgress?.({ done: totalPages - remainingPages, total: totalPages, restarted });
        lastRemaining = remainingPages;
        // ~1 % per step, at least 256 pages; after a restart everything at once.
        return restarted ? 0x7fffffff : Math.max(256, Math.ceil(totalPages / 100));
      },
    });
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  try {
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma("journal_mode = DELETE"); // one file: nothing to forget next to it
    } finally {
      copy.close();
    }
    const checked = checkSqliteFile(partial);
    chmodSync(partial, 0o600); // it holds password and token hashes, like the database itself
    const fd = openSync(partial, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, out);
    return { ...checked, file: out };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

/**
 * Checks that a file is an opswatch SQLite database this opswatch can open: the SQLite header,
 * integrity_check, a results table, and a schema version not newer than ours.
 */
export function checkSqliteFile(file: string): CheckedFile {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const head = Buffer.alloc(HEADER.length);
  const fd = openSync(file, "r");
  let bytes: number;
  try {
    bytes = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (bytes < HEADER.length || !head.equals(HEADER))
    throw new Error(`${file} is not a SQLite database (no "SQLite format 3" header)`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    let problems: string[];
    try {
      const rows = db.pragma("integrity_check") as { integrity_check: string }[];
      problems = rows.map((r) => r.integrity_check).filter((s) => s !== "ok");
    } catch (e) {
      problems = [(e as Error).message]; // damaged where the check itself must read (SQLITE_CORRUPT)
    }
    if (problems.length)
      throw new Error(
        `${file} fails integrity_check (${problems.length} problem(s)), first: ${problems[0]}; use another backup`,
      );
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new Error(
        `${file} has schema version ${version}, newer than this opswatch (${SCHEMA_VERSION}): restore it with the opswatch version that wrote it`,
      );
    const hasResults = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'results'")
      .get();
    if (!hasResults)
      throw new Error(`${file} is a SQLite database but not an opswatch store (no results table)`);
    const pages = db.pragma("page_count", { simple: true }) as number;
    const size = db.pragma("page_size", { simple: true }) as number;
    return { file, schemaVersion: version, bytes: pages * size };
  } finally {
    db.close();
  }
}

export interface Restored extends CheckedFile {
  /** Where the replaced database was moved (with its -wal), if there was one. */
  previous?: string;
}

/**
 * Puts a checked backup in place of `target` while the server is stopped: copied to a temporary file
 * in the target's directory, fsynced, then renamed over the target (atomic: the path holds either the
 * old or the new database, never half of one). The old database is kept beside it under
 * `<target>.replaced-<time>` (a hard link, with its -wal), and the old -wal/-shm are removed from the
 * target's name: a stale WAL replayed into the restored file would corrupt it.
 */
export async function restoreSqlite(
  backup: string,
  target: string,
  opts: { force?: boolean; now?: number } = {},
): Promise<Restored> {
  const checked = checkSqliteFile(backup);
  const exists = existsSync(target);
  if (exists && !opts.force)
    throw new Error(`${target} exists; give --force to replace it (it is kept as ${target}.replaced-…)`);
  const tmp = join(dirname(target), `.${basename(target)}.restore-${process.pid}`);
  mkdirSync(dirname(target), { recursive: true }); // a fresh server's directory may not exist yet
  try {
    await copyFile(backup, tmp);
    const copy = new Database(tmp, { fileMustExist: true });
    copy.pragma("journal_mode = DELETE"); // the server turns WAL on again when it opens the file
    copy.close();
    chmodSync(tmp, 0o600);
    // Run as root, the file would be root's and the server (user opswatch) could not write it: give it
    // the owner of the database it replaces, or of the directory.
    if (process.getuid?.() === 0) {
      const owner = statSync(exists ? target : dirname(target));
      chownSync(tmp, owner.uid, owner.gid);
    }
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  let previous: string | undefined;
  if (exists) {
    previous = `${target}.replaced-${new Date(opts.now ?? Date.now()).toISOString().replace(/[:.]/g, "-")}`;
    if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${previous}-wal`);
    linkSync(target, previous);
  }
  rmSync(`${target}-wal`, { force: true });
  rmSync(`${target}-shm`, { force: true });
  renameSync(tmp, target);
  syncDir(dirname(target));
  return { ...checked, file: target, ...(previous ? { previous } : {}) };
}

/** Makes a rename durable: fsync of the directory holding the entry. */
function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
