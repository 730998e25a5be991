// A throwaway PostgreSQL cluster (Debian package `postgresql`): initdb in a temp dir, postgres on a free
// loopback port, one database per test. PostgreSQL refuses to run as root, so under uid 0 (CI containers)
// the cluster runs as the `postgres` system user the package creates.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./ports.js";

/** The newest installed server's bin directory (/usr/lib/postgresql/<version>/bin), if any. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], "bin");
}

/**
 * True when PostgreSQL is installed. Missing: false locally (describe.skipIf), a thrown error naming the
 * Debian package under CI=true, as requirePeer (test/peers/require-peer.ts) does for other peers.
 */
export function requirePostgres(): boolean {
  if (postgresBin()) return true;
  if (process.env.CI === "true")
    throw new Error(
      'PostgreSQL not found (/usr/lib/postgresql/*/bin/initdb): CI must install the Debian package "postgresql" (apt-get install postgresql)',
    );
  return false;
}

export const PG_USER = "opswatch";
/** The role's password: over TCP the cluster asks for it (scram), so URLs carry it, as in production. */
export const PG_PASSWORD = "pg-secret-7f3a";

export interface PostgresCluster {
  port: number;
  /** postgres://opswatch:…@127.0.0.1:port/db */
  url(db: string): string;
  /** A fresh empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian package "postgresql")');
  const dir = mkdtempSync(path.join(tmpdir(), "opswatch-pg-"));
  const data = path.join(dir, "data");
  // Root may not run the server: hand the directory to the postgres user and run as it.
  const asUser: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    asUser.uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    asUser.gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  }
  const pwfile = path.join(dir, "pw");
  writeFileSync(pwfile, PG_PASSWORD, { mode: 0o600 });
  if (asUser.uid !== undefined && asUser.gid !== undefined)
    for (const f of [dir, pwfile]) chownSync(f, asUser.uid, asUser.gid);
  const opts = { cwd: dir, ...asUser, env: { ...process.env, LC_ALL: "C" } };
  execFileSync(
    path.join(bin, "initdb"),
    [
      "-D",
      data,
      "-U",
      PG_USER,
      `--pwfile=${pwfile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
    ].concat(["-E", "UTF8", "--locale=C", "--no-sync"]),
    { ...opts, stdio: "pipe" },
  );
  const port = await freePort("tcp");
  const child: ChildProcess = spawn(
    path.join(bin, "postgres"),
    ["-D", data, "-k", dir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"].concat(
      ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      ["-c", "max_connections=200"],
    ),
    { ...opts, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const url = (db: string) => `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${db}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT"); // fast shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited (${child.exitCode}):\n${log}`);
    }
    const c = new pg.Client({ connectionString: url("postgres") });
    const ok = await c.connect().then(
      () => true,
      () => false,
    );
    await c.end().catch(() => undefined);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not accept connections within 15 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url("postgres") });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    stop,
  };
}
