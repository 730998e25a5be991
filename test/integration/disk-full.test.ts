// A real full disk: small tmpfs file systems mounted for the test (we run as root; without the
// permission to mount, the test fails in CI and is skipped, saying why, elsewhere).
// - Under the server's database: the server says "database disk is full" once, counts it, keeps
//   serving, refuses batches with store_unavailable (the agent keeps them in its spool), and stores
//   everything once space is back.
// - Under the agent's spool: the agent says so once, does not crash, keeps and still sends what it
//   had spooled.
// Both end with every seq the agent produced stored exactly once.
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
const serverDisk = join(dir, "server-disk");
const agentDisk = join(dir, "agent-disk");

/**
 * Mounts a 32 MiB tmpfs (more than a WAL grows to between checkpoints, ~4 MiB) on each directory;
 * the reason when that is not allowed here.
 */
function mountSmallDisks(dirs: string[]): string | undefined {
  try {
    for (const d of dirs) {
      mkdirSync(d);
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=32m,mode=0700", "tmpfs", d], { stdio: "pipe" });
    }
    return undefined;
  } catch (e) {
    return `mount -t tmpfs failed (${String((e as { stderr?: Buffer }).stderr ?? e).trim()}): this test needs root (or CAP_SYS_ADMIN) to give opswatch a real full disk`;
  }
}
const cannotMount = mountSmallDisks([serverDisk, agentDisk]);
if (cannotMount && process.env.CI === "true") throw new Error(cannotMount);
if (cannotMount) console.warn(`skipping disk-full test: ${cannotMount}`);

const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
  for (const d of [serverDisk, agentDisk]) execFileSync("umount", ["-l", d], { stdio: "ignore" });
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

/** A server and an agent (id df) probing four URLs every 50 ms, with the given file locations. */
async function setup(name: string, serverDb: string, spoolDb: string) {
  if (!site.listening) await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  const sitePort = (site.address() as AddressInfo).port;
  const port = await freePort("tcp");
  const api = `http://127.0.0.1:${port}`;
  const config = (probing: boolean) => `server:
  listen: 127.0.0.1:${port}
  database: ${serverDb}
  anonymous_read: true
  api_tokens: [{ name: alice, token: op-token, role: operator }]
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
  const probing = join(dir, `${name}-probing.yaml`);
  const drain = join(dir, `${name}-drain.yaml`);
  writeFileSync(probing, config(true));
  writeFileSync(drain, config(false));
  const server = start(["server", "-c", probing], `${name}-server`);
  await waitReady(server, `${api}/readyz`);
  const agent = start(["agent", "-c", probing], `${name}-agent-1`);
  const stored = () =>
    query<{ n: number; uniq: number; max: number | null }>(
      serverDb,
      "SELECT count(*) AS n, count(DISTINCT seq) AS uniq, max(seq) AS max FROM results WHERE agent = 'df'",
    );
  const spoolDepth = () => query<{ n: number }>(spoolDb, "SELECT count(*) AS n FROM spool").n;
  await eventually(async () => stored().n >= 50, 15_000, "first results stored");
  return {
    api,
    server,
    agent,
    stored,
    spoolDepth,
    /**
     * Stops the probing agent; a drain-only agent on the same spool sends what is left. Then every
     * result the agent ever produced — seq 1..last, last being its spool's AUTOINCREMENT counter —
     * must be stored, exactly once.
     */
    async expectAllStored(): Promise<void> {
      await agent.stop();
      start(["agent", "-c", drain], `${name}-agent-2`);
      await eventually(async () => spoolDepth() === 0, 20_000, "spool drained");
      const last = query<{ seq: number }>(
        spoolDb,
        "SELECT seq FROM sqlite_sequence WHERE name = 'spool'",
      ).seq;
      expect(last).toBeGreaterThan(50);
      expect(stored()).toEqual({ n: last, uniq: last, max: last });
    },
  };
}

describe.skipIf(cannotMount !== undefined)("a full disk", () => {
  it("under the server's database: logged once, served on, and every result stored once space is back", async () => {
    const s = await setup("server-full", join(serverDisk, "server.db"), join(dir, "spool-1.db"));
    const { api, server } = s;

    // Take the rest of the disk: the next WAL pages the server needs cannot be written.
    const filler = join(serverDisk, "filler");
    expect(fill(filler)).toBeGreaterThan(0);
    await eventually(
      async () => (await metric(api, /^opswatch_store_errors_total\{kind="disk_full"\} (\d+)/m)) > 0,
      20_000,
      "a disk_full store error counted",
    );
    expect(await metric(api, /^opswatch_store_writable (\d+)/m)).toBe(0);
    // The agent keeps producing and keeps its results: its spool grows while nothing is acked.
    const depthDuringOutage = s.spoolDepth();
    await new Promise((r) => setTimeout(r, 2000));
    expect(s.spoolDepth()).toBeGreaterThan(depthDuringOutage);
    // Still serving: health and the API answer, the process is alive.
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect((await fetch(`${api}/api/v1/targets`)).status).toBe(200);
    // The figures are served too (from the rollups saved so far when unsaved ones cannot be flushed).
    expect((await fetch(`${api}/api/v1/indicators`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    // A write through the API is refused with a reason, never a 500. (A small write can still fit
    // into space SQLite already holds — the WAL restarts after a checkpoint — and then succeeds.)
    const report = await fetch(`${api}/api/v1/faults`, {
      method: "POST",
      headers: { authorization: "Bearer op-token", "content-type": "application/json" },
      body: JSON.stringify({ target: "web", title: "disk test", severity: "P3" }),
    });
    expect([201, 503]).toContain(report.status);
    if (report.status === 503)
      expect(await report.json()).toEqual({
        error: "store_unavailable",
        message: expect.stringMatching(/^database disk is full: .*server\.db; retry later$/),
      });
    // One clear line, not one per batch: dozens of batches were refused in these seconds.
    expect(server.output().match(/database disk is full: [^"\\]*server\.db/g) ?? []).toHaveLength(1);
    expect(server.output()).not.toMatch(/store commit failed|rollup flush failed/);
    expect(
      await metric(api, /^opswatch_ingest_rejected_total\{reason="store_unavailable"\} (\d+)/m),
    ).toBeGreaterThan(1);

    // Space is back: the server recovers by itself.
    rmSync(filler);
    await eventually(
      async () => (await metric(api, /^opswatch_store_writable (\d+)/m)) === 1,
      20_000,
      "writable again",
    );
    expect(server.output()).toMatch(/the store writes again/);
    await s.expectAllStored();
    expect(server.child.exitCode).toBeNull();
  });

  it("under the agent's spool: logged once, no crash, the spooled results still delivered", async () => {
    const s = await setup("agent-full", join(dir, "server-2.db"), join(agentDisk, "spool.db"));
    const { agent } = s;
    const filler = join(agentDisk, "filler");
    expect(fill(filler)).toBeGreaterThan(0);
    await eventually(
      async () => /agent spool disk is full/.test(agent.output()),
      20_000,
      "the agent reporting its full spool disk",
    );
    await new Promise((r) => setTimeout(r, 2000)); // ~160 results cannot be recorded meanwhile
    expect(agent.child.exitCode).toBeNull();
    expect(agent.output().match(/agent spool disk is full: [^"\\]*spool\.db/g) ?? []).toHaveLength(1);
    expect(agent.output()).not.toMatch(/could not record result/);

    rmSync(filler);
    await eventually(async () => /agent spool writes again/.test(agent.output()), 20_000, "spool writable");
    // What could not be recorded never got a seq; everything that did arrives.
    await s.expectAllStored();
  });
});
