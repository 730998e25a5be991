// Backup while a real agent streams into a real server, restore into a fresh server (a new database
// path), and the same reports come out: the golden month of October (imported before the backup) and
// the live period the agent covered before the backup started. Every result committed before the
// backup started is in the copy (counted by seq). Both servers and the CLI are child processes, as
// an operator runs them.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { importGoldenMonth, recordGoldenHistory } from "./report.fixture.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "opswatch-backup-"));
const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
});

function start(args: string[], name: string): OpswatchProcess {
  const p = runOpswatch(args, { logFile: join(dir, `${name}.log`) });
  running.push(p);
  return p;
}

/** One read of a SQLite file (the server may be writing it: WAL lets readers in). */
function query<T>(file: string, sql: string, ...params: unknown[]): T {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

/** The golden month's targets (report.fixture.ts) plus "web", probed live by the agent. */
function config(port: number, database: string, sitePort: number): string {
  return `site: { name: 某区政务云 }
server:
  listen: 127.0.0.1:${port}
  anonymous_read: true
  database: ${database}
  api_tokens: [{ name: alice, token: op-token, role: operator }]
  agents: [{ id: live, token: t0ken }]
agent:
  id: live
  server: ws://127.0.0.1:${port}/ws/agent
  token: t0ken
  spool: ${dir}/spool.db
  batch_max: 10
  batch_delay: 20ms
targets:
  - id: portal
    name: 门户网站
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 5m, timeout: 15s }]
  - id: ups
    name: 1号UPS
    indicators: [{ id: ups_power_stability }, { id: room_power_stability }]
    checks: [{ id: snmp, kind: snmp, address: "127.0.0.1:161", interval: 5m, timeout: 10s, oids: { ups.output_source: 1.3.6.1.2.1.33.1.4.1.0 } }]
  - id: web
    name: 网站
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:${sitePort}/", interval: 100ms, timeout: 1s }]
`;
}

/** The report model without its generation time (the only fields that differ by construction). */
async function reportModel(api: string, query: string): Promise<unknown> {
  const r = await fetch(`${api}/api/v1/reports?${query}&format=json`);
  expect(r.status).toBe(200);
  const { generatedAt: _at, generatedAtMs: _ms, ...model } = (await r.json()) as Record<string, unknown>;
  return model;
}

describe("backup while ingesting, restore into a fresh server", () => {
  it("gives the same reports, and the copy holds everything committed before the backup began", async () => {
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    const sitePort = (site.address() as AddressInfo).port;
    const port1 = await freePort("tcp");
    const api1 = `http://127.0.0.1:${port1}`;
    const db1 = join(dir, "original.db");
    writeFileSync(join(dir, "original.yaml"), config(port1, db1, sitePort));
    const server = start(["server", "-c", join(dir, "original.yaml")], "server-1");
    await waitReady(server, `${api1}/readyz`);

    // October 2026: 17,750 results, two maintenance windows, two faults (report.test.ts has the figures).
    const golden = {
      db: db1,
      api: (path: string, init?: RequestInit) => fetch(`${api1}${path}`, init),
    };
    expect(await importGoldenMonth(golden)).toMatchObject({ imported: 8_917 + 8_833, rejected: 0 });
    await recordGoldenHistory(golden);

    start(["agent", "-c", join(dir, "original.yaml")], "agent");
    const live = () =>
      query<{ n: number; max: number | null; first: number | null }>(
        db1,
        "SELECT count(*) AS n, max(seq) AS max, min(ts) AS first FROM results WHERE agent = 'live'",
      );
    await eventually(async () => live().n >= 30, 15_000, "live results stored");
    // The live period ends at `end`: once a result with ts > end + 1 s is stored, every result with
    // ts < end was committed (one agent sends in seq order, each probe takes milliseconds).
    const end = Date.now();
    await eventually(
      async () =>
        query<{ n: number }>(
          db1,
          "SELECT count(*) AS n FROM results WHERE agent = 'live' AND ts > ?",
          end + 1000,
        ).n > 0,
      10_000,
      "results after the period end",
    );
    const before = live(); // committed before the backup starts
    const from = before.first as number;

    const out = join(dir, "opswatch-backup.db");
    const b = await run(process.execPath, [CLI, "backup", "-c", join(dir, "original.yaml"), "--out", out]);
    expect(b.stdout).toMatch(
      /^backup written: .*opswatch-backup\.db \(.* MiB, schema version \d+, integrity_check ok/,
    );
    expect(live().max).toBeGreaterThan(before.max as number); // the agent kept streaming meanwhile
    // Every seq 1..before.max is in the copy (seqs committed during the backup may be too).
    expect(
      query<{ n: number }>(
        out,
        "SELECT count(DISTINCT seq) AS n FROM results WHERE agent = 'live' AND seq <= ?",
        before.max,
      ).n,
    ).toBe(before.max);

    // A fresh server on a new database path (its directory does not exist yet): restore (no --force
    // needed), then start it.
    const port2 = await freePort("tcp");
    const api2 = `http://127.0.0.1:${port2}`;
    const db2 = join(dir, "restored", "restored.db");
    writeFileSync(join(dir, "restored.yaml"), config(port2, db2, sitePort));
    const r = await run(process.execPath, [CLI, "restore", "-c", join(dir, "restored.yaml"), out]);
    expect(r.stdout).toMatch(/^restored .* to .*restored\.db/);
    expect(existsSync(`${db2}-wal`)).toBe(false);
    const restored = start(["server", "-c", join(dir, "restored.yaml")], "server-2");
    await waitReady(restored, `${api2}/readyz`);

    const october = "month=2026-10";
    const period = `from=${new Date(from).toISOString()}&to=${new Date(end).toISOString()}`;
    const [o1, o2, p1, p2] = await Promise.all([
      reportModel(api1, october),
      reportModel(api2, october),
      reportModel(api1, period),
      reportModel(api2, period),
    ]);
    // The golden month as report.test.ts computes it by hand: portal 2,667,915 of 2,670,015 s up.
    expect(o1).toMatchObject({ empty: false, title: { year: 2026, month: 10 } });
    expect(JSON.stringify(o1)).toContain(String(2_667_915 / 2_670_015));
    expect(o2).toEqual(o1);
    expect(p1).toMatchObject({ empty: false });
    // The live period ends mid-run: website samples count whole runs by their start (engine/website.ts),
    // and the original's last run keeps growing past `end` while the copy's stopped at the backup. Every
    // other figure is clipped to the period and must match; the raw results of the period match below.
    const noSamples = (m: unknown) =>
      JSON.parse(JSON.stringify(m, (k, v) => (k === "samples" ? undefined : v)));
    expect(noSamples(p2)).toEqual(noSamples(p1));
    const inPeriod = "SELECT count(*) AS n FROM results WHERE agent = 'live' AND ts >= ? AND ts < ?";
    const n1 = query<{ n: number }>(db1, inPeriod, from, end).n;
    expect(n1).toBeGreaterThan(20); // 100-ms interval, a few seconds
    expect(query<{ n: number }>(db2, inPeriod, from, end).n).toBe(n1);
  });

  it("refuses a PostgreSQL database with a pointer to pg_dump, and restore over a running server", async () => {
    writeFileSync(
      join(dir, "pg.yaml"),
      "server: { database: 'postgres://opswatch:secret@db.example/opswatch' }\ntargets: []\n",
    );
    const pg = await run(process.execPath, [
      CLI,
      "backup",
      "-c",
      join(dir, "pg.yaml"),
      "--out",
      join(dir, "x"),
    ]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(pg?.code).toBe(1);
    expect(pg?.stderr).toMatch(/PostgreSQL database: back it up with pg_dump/);
    expect(pg?.stderr).not.toContain("secret");
    // server-1 still runs on original.db: restoring over it is refused before anything is touched
    const over = await run(process.execPath, [
      CLI,
      "restore",
      "-c",
      join(dir, "original.yaml"),
      join(dir, "opswatch-backup.db"),
      "--force",
    ]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(over?.code).toBe(1);
    expect(over?.stderr).toMatch(/stop the server/);
    expect(existsSync(join(dir, "original.db"))).toBe(true);
  });
});
