// opswatch backup / opswatch restore: the server's SQLite store, copied online and put back offline
// (docs/operations.md, "Backup and restore"). PostgreSQL databases are backed up with pg_dump.
import { readdirSync, readlinkSync } from "node:fs";
import { connect } from "node:net";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ConfigError, loadConfig } from "../config/load.js";
import type { ServerConfig } from "../config/schema.js";
import { resolveSecret } from "../config/secrets.js";
import { backupSqlite, isPostgresUrl, restoreSqlite, SCHEMA_VERSION } from "../server/store/backup.js";
import { action, CliError } from "./client.js";

const PG_HINT =
  'is a PostgreSQL database: back it up with pg_dump and restore with pg_restore (docs/operations.md, "PostgreSQL"); opswatch backup/restore handle SQLite files only';

/** The server section's SQLite path, or a CliError (no server section, a PostgreSQL URL). */
function sqlitePath(configFile: string): { file: string; server: ServerConfig } {
  let server: ServerConfig | undefined;
  try {
    server = loadConfig(configFile, "server").server;
  } catch (e) {
    if (e instanceof ConfigError)
      throw new CliError(`${e.message}\n${e.issues.length} problem(s) in ${configFile}`);
    throw e;
  }
  if (!server) throw new CliError(`${configFile}: server: section missing (needed by this command)`);
  let database: string;
  try {
    database = resolveSecret(server.database);
  } catch (e) {
    throw new CliError(`server.database: ${(e as Error).message}`);
  }
  // Never print the URL: it may hold a password.
  if (isPostgresUrl(database)) throw new CliError(`server.database ${PG_HINT}`);
  return { file: resolve(database), server };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function registerBackupCommands(program: Command): void {
  program
    .command("backup")
    .description(
      "copy the server's SQLite database to a file while the server runs (consistent, checked with integrity_check)",
    )
    .requiredOption("-c, --config <file>", "the server's config file (YAML): server.database is copied")
    .requiredOption("--out <file>", "the backup file to write")
    .option("--force", "overwrite --out if it exists")
    .action(
      action(async (o: { config: string; out: string; force?: boolean }) => {
        const { file } = sqlitePath(o.config);
        let shown = -1;
        const started = Date.now();
        const copied = await backupSqlite(file, resolve(o.out), {
          force: o.force ?? false,
          onProgress: ({ done, total, restarted }) => {
            if (restarted && shown !== -2) {
              shown = -2;
              process.stderr.write("the server wrote meanwhile: copying the whole database in one step\n");
            }
            if (restarted) return;
            // Whole percents, only for files worth watching (> 1,000 pages ≈ 4 MiB).
            const pct = Math.floor((done / Math.max(total, 1)) * 100);
            if (total > 1000 && pct !== shown) {
              shown = pct;
              process.stderr.write(`copying ${file}: ${pct} % (${done} of ${total} pages)\n`);
            }
          },
        });
        process.stdout.write(
          `backup written: ${copied.file} (${mib(copied.bytes)}, schema version ${copied.schemaVersion}, integrity_check ok, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
        );
      }),
    );

  program
    .command("restore")
    .description(
      "replace the server's SQLite database with a backup; stop the server first (systemctl stop opswatch-server)",
    )
    .requiredOption("-c, --config <file>", "the server's config file (YAML): server.database is replaced")
    .argument("<backup-file>", "a file written by opswatch backup")
    .option("--force", "replace an existing database (the old one is kept as <database>.replaced-<time>)")
    .action(
      action(async (backup: string, o: { config: string; force?: boolean }) => {
        const { file, server } = sqlitePath(o.config);
        const holders = processesHolding(file);
        if (holders.length)
          throw new CliError(
            `${file} is open in process ${holders.join(", ")} (the server?): stop the server first (systemctl stop opswatch-server)`,
          );
        const { host, port } = server.listen;
        if (port !== 0 && (await answers(host, port)))
          throw new CliError(
            `something listens on ${host}:${port} (server.listen): stop the server before restoring (systemctl stop opswatch-server)`,
          );
        const r = await restoreSqlite(resolve(backup), file, { force: o.force ?? false });
        process.stdout.write(
          [
            `restored ${resolve(backup)} to ${r.file} (${mib(r.bytes)}, schema version ${r.schemaVersion}; this opswatch writes ${SCHEMA_VERSION}${r.schemaVersion < SCHEMA_VERSION ? ", the server migrates it when it starts" : ""})`,
            ...(r.previous
              ? [`the replaced database is kept as ${r.previous} (delete it once the server runs well)`]
              : []),
            "now start the server (systemctl start opswatch-server); agents resend what the restored file lacks from their spools",
            "",
          ].join("\n"),
        );
      }),
    );
}

/** Pids with the file open, from /proc (Linux; elsewhere, or without permission: none found). */
function processesHolding(file: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`))
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === file) {
          pids.push(Number(pid));
          break;
        }
    } catch {} // gone, or not ours to look at
  }
  return pids;
}

/** True when a TCP connection to the server's listen address succeeds within 1 s. */
function answers(host: string, port: number): Promise<boolean> {
  const to = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return new Promise((done) => {
    const s = connect({ host: to, port, timeout: 1000 });
    const end = (ok: boolean) => {
      s.destroy();
      done(ok);
    };
    s.once("connect", () => end(true));
    s.once("error", () => end(false));
    s.once("timeout", () => end(false));
  });
}
