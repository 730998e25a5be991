// Shared pieces of the fault-injection tests: real `opswatch server|agent` processes on configs written
// here, a loopback HTTP site to probe, and direct reads of the server store and the agent spools.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll } from "vitest";
import { type OpswatchProcess, runOpswatch } from "../../peers/opswatch.js";

export interface Harness {
  dir: string;
  /** Starts `opswatch <args>`, logging to `<dir>/<name>.log`; stopped (SIGTERM) by stopAll(). */
  start(args: string[], name: string): OpswatchProcess;
  stopAll(): Promise<void>;
}

export function harness(prefix: string): Harness {
  const dir = mkdtempSync(join(tmpdir(), `opswatch-fi-${prefix}-`));
  const running: OpswatchProcess[] = [];
  return {
    dir,
    start(args, name) {
      const p = runOpswatch(args, { logFile: join(dir, `${name}.log`) });
      running.push(p);
      return p;
    },
    async stopAll() {
      await Promise.all(running.map((p) => p.stop()));
    },
  };
}

/**
 * The setup every fault-injection file shares: a harness and a loopback site to probe, both stopped
 * after the file's tests.
 */
export function harnessWithSite(prefix: string): {
  h: Harness;
  site: Promise<{ port: number; server: Server }>;
} {
  const h = harness(prefix);
  const site = startSite();
  afterAll(async () => {
    await h.stopAll();
    (await site).server.close();
  });
  return { h, site };
}

/** A crash: SIGKILL, no shutdown handler runs; resolves once the process is gone. */
export async function killHard(p: OpswatchProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise((r) => p.child.once("exit", r));
  p.child.kill("SIGKILL");
  await gone;
}

/** A web site on loopback that answers every request with 200 "ok". */
export async function startSite(): Promise<{ port: number; server: Server }> {
  const server = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, server };
}

export interface Check {
  target: string;
  check: string;
  interval: string;
}

/** `checks` HTTP checks of the site, `prefix-1` … `prefix-N`, one target each. */
export function httpChecks(prefix: string, n: number, interval: string): Check[] {
  return Array.from({ length: n }, (_, i) => ({ target: `${prefix}-${i + 1}`, check: "home", interval }));
}

function targetsYaml(checks: readonly Check[], sitePort: number): string {
  if (checks.length === 0) return "targets: []\n";
  return `targets:\n${checks
    .map(
      (c) =>
        `  - { id: ${c.target}, name: ${c.target}, checks: [{ id: ${c.check}, kind: http, url: "http://127.0.0.1:${sitePort}/", interval: ${c.interval}, timeout: 2s }] }`,
    )
    .join("\n")}\n`;
}

export function writeServerConfig(
  file: string,
  o: { port: number; db: string; agents: readonly string[]; checks: readonly Check[]; sitePort: number },
): void {
  writeFileSync(
    file,
    `log_level: warn
server:
  listen: 127.0.0.1:${o.port}
  database: ${o.db}
  agents:
${o.agents.map((a) => `    - { id: ${a}, token: ${a}-t0ken }`).join("\n")}
${targetsYaml(o.checks, o.sitePort)}`,
  );
}

export function writeAgentConfig(
  file: string,
  o: {
    id: string;
    serverPort: number;
    spool: string;
    checks: readonly Check[];
    sitePort: number;
    metricsPort?: number;
    batchMax?: number;
    inFlight?: number;
  },
): void {
  writeFileSync(
    file,
    `log_level: info
agent:
  id: ${o.id}
  server: ws://127.0.0.1:${o.serverPort}/ws/agent
  token: ${o.id}-t0ken
  spool: ${o.spool}
  batch_max: ${o.batchMax ?? 50}
  in_flight: ${o.inFlight ?? 4}
  batch_delay: 20ms
  reconnect_max: 1s
  concurrency: 64
${o.metricsPort ? `  metrics_listen: 127.0.0.1:${o.metricsPort}\n` : ""}${targetsYaml(o.checks, o.sitePort)}`,
  );
}

/** One query on a SQLite file another process may be writing (WAL lets readers in). */
export function query<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export interface StoredRow {
  seq: number;
  target: string;
  ts: number;
  /** When the server received it (ms). */
  received: number;
}

/** What the server committed for one agent, by sequence number. */
export const stored = (db: string, agent: string): StoredRow[] =>
  query<StoredRow>(db, "SELECT seq, target, ts, received FROM results WHERE agent = ? ORDER BY seq", agent);

/** How many results the agent ever spooled: the highest sequence number it handed out. */
export function produced(spool: string): number {
  const rows = query<{ seq: number }>(spool, "SELECT seq FROM sqlite_sequence WHERE name = 'spool'");
  return rows[0]?.seq ?? 0;
}

export const spoolDepth = (spool: string): number =>
  query<{ n: number }>(spool, "SELECT count(*) AS n FROM spool")[0]?.n ?? 0;

export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** Within each target, probe start times increase with the sequence number. */
export function inOrderPerTarget(rows: readonly StoredRow[]): boolean {
  const last = new Map<string, number>();
  for (const r of rows) {
    if ((last.get(r.target) ?? -Infinity) > r.ts) return false;
    last.set(r.target, r.ts);
  }
  return true;
}

/** Arrival order follows the sequence: a result never reaches the server before an older one. */
export function receivedInOrder(rows: readonly StoredRow[]): boolean {
  return rows.every((r, i) => i === 0 || (rows[i - 1]?.received ?? 0) <= r.received);
}

/** The value of an unlabelled (or exactly-labelled) sample in a Prometheus text exposition. */
export function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
