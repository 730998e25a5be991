// A real full disk under the server's database: a small tmpfs mounted for the test (we run as root;
// without the permission to mount, the test fails in CI and is skipped, saying why, elsewhere). The
// server must say "database disk is full" once, count it, keep serving, refuse batches with
// store_unavailable (the agent keeps them in its spool), and store everything once space is back:
// every seq the agent produced, exactly once.
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-diskfull-"));
const disk = join(dir, "disk");
mkdirSync(disk);

/** Mounts a 32 MiB tmpfs (more than a WAL grows to between checkpoints, ~4 MiB) on `disk`; the reason when that is not allowed here. */
function mountSmallDisk(): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=32m,mode=0700", "tmpfs", disk], { stdio: "pipe" });
    return undefined;
  } catch (e) {
    return `mount -t tmpfs failed (${String((e as { stderr?: Buffer }).stderr ?? e).trim()}): this test needs root (or CAP_SYS_ADMIN) to give the server a real full disk`;
  }
}
const cannotMount = mountSmallDisk();
if (cannotMount && process.env.CI === "true") throw new Error(cannotMount);
if (cannotMount) console.warn(`skipping disk-full test: ${cannotMount}`);

const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
  if (!cannotMount) execFileSync("umount", ["-l", disk]);
});

function start(args: string[], name: string): OpswatchProcess {
  const p = runOpswatch(args, { logFile: join(dir, `${name}.log`) });
  running.push(p);
  return p;
}

function query<T>(file: string, sql: string): T {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
}
const serverDb = join(disk, "server.db");
const spoolDb = join(dir, "spool.db");
const stored = () =>
  query<{ n: number; uniq: number; max: number | null }>(
    serverDb,
    "SELECT count(*) AS n, count(DISTINCT seq) AS uniq, max(seq) AS max FROM results WHERE agent = 'df'",
  );
const spoolDepth = () => query<{ n: number }>(spoolDb, "SELECT count(*) AS n FROM spool").n;
/** The agent's last seq: its spool's AUTOINCREMENT counter (every result it ever produced got one). */
const produced = () =>
  query<{ seq: number }>(spoolDb, "SELECT seq FROM sqlite_sequence WHERE name = 'spool'").seq;

/** Fills the file system holding `file` until the kernel says ENOSPC; returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024, 0x55);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
  } finally {
    closeSync(fd);
  }
  return n;
}

const metric = async (api: string, line: RegExp) => {
  const text = await (await fetch(`${api}/metrics`)).text();
  return Number(line.exec(text)?.[1] ?? Number.NaN);
};

describe.skipIf(cannotMount !== undefined)("disk full under the server's database", () => {
  it("logs it once, keeps serving, and stores every result once space is back", async () => {
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    const sitePort = (site.address() as AddressInfo).port;
    const port = await freePort("tcp");
    const api = `http://127.0.0.1:${port}`;
    const config = (probing: boolean) => `server:
  listen: 127.0.0.1:${port}
  database: ${serverDb}
  anonymous_read: true
  agents: [{ id: df, token: t0ken }]
agent:
  id: df
  server: ws://127.0.0.1:${port}/ws/agent
  token: t0ken
  spool: ${spoolDb}
  batch_max: 20
  batch_delay: 20ms
  reconnect_max: 500ms
targets:
${
  probing
    ? `  - id: web
    name: Web
    checks:
${[1, 2, 3, 4].map((i) => `      - { id: c${i}, kind: http, url: "http://127.0.0.1:${sitePort}/p${i}?${"x".repeat(200)}", interval: 50ms, timeout: 1s }`).join("\n")}`
    : "  []"
}
`;
    writeFileSync(join(dir, "probing.yaml"), config(true));
    writeFileSync(join(dir, "drain.yaml"), config(false));

    const server = start(["server", "-c", join(dir, "probing.yaml")], "server");
    await waitReady(server, `${api}/readyz`);
    let agent = start(["agent", "-c", join(dir, "probing.yaml")], "agent-1");
    await eventually(async () => stored().n >= 50, 15_000, "first results stored");

    // Take the rest of the disk: the next WAL pages the server needs cannot be written.
    const filler = join(disk, "filler");
    const took = fill(filler);
    expect(took).toBeGreaterThan(0);
    await eventually(
      async () => (await metric(api, /^opswatch_store_errors_total\{kind="disk_full"\} (\d+)/m)) > 0,
      20_000,
      "a disk_full store error counted",
    );
    expect(await metric(api, /^opswatch_store_writable (\d+)/m)).toBe(0);
    // The agent keeps producing and keeps its results: its spool grows while nothing is acked.
    const depthDuringOutage = spoolDepth();
    await new Promise((r) => setTimeout(r, 2000));
    expect(spoolDepth()).toBeGreaterThan(depthDuringOutage);
    // Still serving: health and the API answer, the process is alive.
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect((await fetch(`${api}/api/v1/targets`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    // One clear line, not one per batch: dozens of batches were refused in these seconds.
    const full = server.output().match(/database disk is full: [^"\\]*server\.db/g) ?? [];
    expect(full.length).toBe(1);
    expect(server.output()).not.toMatch(/store commit failed/);
    const refused = await metric(api, /^opswatch_ingest_rejected_total\{reason="store_unavailable"\} (\d+)/m);
    expect(refused).toBeGreaterThan(1);

    // Space is back: the server recovers by itself.
    rmSync(filler);
    await eventually(
      async () => (await metric(api, /^opswatch_store_writable (\d+)/m)) === 1,
      20_000,
      "writable again",
    );
    expect(server.output()).toMatch(/the store writes again/);

    // Stop probing; a drain-only agent on the same spool sends what is left.
    await agent.stop();
    agent = start(["agent", "-c", join(dir, "drain.yaml")], "agent-2");
    await eventually(async () => spoolDepth() === 0, 20_000, "spool drained");
    const last = produced();
    const s = stored();
    // Every result the agent ever produced (seq 1..last) is stored, exactly once.
    expect(s).toEqual({ n: last, uniq: last, max: last });
    expect(server.child.exitCode).toBeNull();
  });
});
