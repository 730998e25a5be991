// Two opswatch servers on one PostgreSQL database (docs/operations.md "PostgreSQL"): agents stream to
// server A, A is killed, the agents are re-pointed to server B and replay their spools — every result is
// stored exactly once. Scheduled jobs fired on both servers run once.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import type { Config, ServerConfig } from "../../config/schema.js";
import { createLogger } from "../../lib/log.js";
import { startServer } from "../../server/server.js";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { PG_PASSWORD, type PostgresCluster, requirePostgres, startPostgres } from "../peers/postgres.js";

const hasPostgres = requirePostgres();
const dir = mkdtempSync(join(tmpdir(), "opswatch-multi-"));
const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
let cluster: PostgresCluster;

beforeAll(async () => {
  if (!hasPostgres) return;
  cluster = await startPostgres();
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
}, 30_000);
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
  await cluster?.stop();
});

const AGENTS = ["a1", "a2"];

function config(o: { port: number; agent: string; server: number; probe: boolean }): string {
  const sitePort = (site.address() as AddressInfo).port;
  return `server:
  listen: 127.0.0.1:${o.port}
  database: "\${OPSWATCH_PG_URL}"
  agents: [${AGENTS.map((a) => `{ id: ${a}, token: tok-${a} }`).join(", ")}]
agent:
  id: ${o.agent}
  server: ws://127.0.0.1:${o.server}/ws/agent
  token: tok-${o.agent}
  spool: ${dir}/spool-${o.agent}.db
  batch_max: 5
  batch_delay: 20ms
  reconnect_max: 1s
targets:
${
  o.probe
    ? `  - id: web
    name: Web
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:${sitePort}/", interval: 100ms, timeout: 1s }]`
    : "  []"
}
`;
}

function start(args: string[], name: string, env: NodeJS.ProcessEnv = {}): OpswatchProcess {
  const p = runOpswatch(args, { logFile: join(dir, `${name}.log`), env });
  running.push(p);
  return p;
}

async function sql<T>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

/** The highest seq an agent ever assigned: its spool's AUTOINCREMENT counter. */
function produced(agent: string): number {
  const db = new Database(`${dir}/spool-${agent}.db`, { readonly: true });
  try {
    return (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'spool'").get() as { seq: number }).seq;
  } finally {
    db.close();
  }
}

describe.skipIf(!hasPostgres)("two servers on one PostgreSQL database", () => {
  it("stores every result of agents moving from a killed server to another exactly once", async () => {
    const url = await cluster.createDatabase("multi");
    const env = { OPSWATCH_PG_URL: url };
    const [pa, pb] = [await freePort("tcp"), await freePort("tcp")];
    const file = (name: string, o: Parameters<typeof config>[0]) => {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, config(o));
      return f;
    };
    const serverA = start(
      ["server", "-c", file("server-a", { port: pa, agent: "a1", server: pa, probe: true })],
      "server-a",
      env,
    );
    const serverB = start(
      ["server", "-c", file("server-b", { port: pb, agent: "a1", server: pb, probe: true })],
      "server-b",
      env,
    );
    await Promise.all([
      waitReady(serverA, `http://127.0.0.1:${pa}/readyz`),
      waitReady(serverB, `http://127.0.0.1:${pb}/readyz`),
    ]);
    const count = async (agent: string) =>
      Number(
        (await sql<{ n: string }>(url, `SELECT count(*) AS n FROM results WHERE agent = '${agent}'`))[0]?.n,
      );

    let agents = AGENTS.map((a) =>
      start(["agent", "-c", file(`${a}-to-a`, { port: 0, agent: a, server: pa, probe: true })], `${a}-1`),
    );
    for (const a of AGENTS)
      await eventually(async () => (await count(a)) >= 5, 10_000, `${a}'s first results on A`);

    serverA.child.kill("SIGKILL"); // a crash: acks in flight are lost, the agents resend those
    await new Promise((r) => serverA.child.once("exit", r));
    await new Promise((r) => setTimeout(r, 500)); // results pile up in the spools
    for (const p of agents) expect(await p.stop()).toBe(0);
    const before = Object.fromEntries(
      await Promise.all(AGENTS.map(async (a) => [a, await count(a)] as const)),
    );
    // re-pointed to B: each resumes from B's welcome (the database's last seq) and replays its spool
    agents = AGENTS.map((a) =>
      start(["agent", "-c", file(`${a}-to-b`, { port: 0, agent: a, server: pb, probe: true })], `${a}-2`),
    );
    for (const a of AGENTS)
      await eventually(
        async () => (await count(a)) >= (before[a] ?? 0) + 10,
        10_000,
        `${a}'s results through B`,
      );
    for (const p of agents) expect(await p.stop()).toBe(0);
    // drain what is left in the spools, without probing
    agents = AGENTS.map((a) =>
      start(
        ["agent", "-c", file(`${a}-drain`, { port: 0, agent: a, server: pb, probe: false })],
        `${a}-drain`,
      ),
    );
    for (const p of agents)
      await eventually(async () => p.output().includes("uplink ready"), 10_000, "drain agent connected");
    for (const a of AGENTS) {
      const n = produced(a);
      await eventually(async () => (await count(a)) === n, 15_000, `all ${n} results of ${a}`);
    }
    for (const p of agents) expect(await p.stop()).toBe(0);

    for (const a of AGENTS) {
      const seqs = (
        await sql<{ seq: number }>(url, `SELECT seq FROM results WHERE agent = '${a}' ORDER BY seq`)
      ).map((r) => Number(r.seq));
      // exactly once: 1..N, none missing, none twice
      expect(seqs).toEqual(Array.from({ length: produced(a) }, (_, i) => i + 1));
      expect(produced(a)).toBeGreaterThan(before[a] ?? 0);
    }
    // B took over agents A had fed: it re-read their rollups at hello
    expect(serverB.output()).toContain("reloaded an agent's rollups");
    // the database password never reaches a log line
    for (const p of [serverA, serverB]) expect(p.output()).not.toContain(PG_PASSWORD);
    expect(await serverB.stop()).toBe(0);
  }, 60_000);

  it("runs a scheduled job fired on both servers once", async () => {
    const url = await cluster.createDatabase("jobs");
    process.env.OPSWATCH_TEST_PG = url;
    const now = Date.parse("2026-03-09T08:00:30+08:00"); // the daily plan's 08:00 run is due
    const servers = await Promise.all(
      ["a", "b"].map((name) => {
        const reports = join(dir, `reports-${name}`);
        mkdirSync(reports, { recursive: true });
        const cfg = parseConfig(
          `site: { timezone: Asia/Shanghai }
server: { listen: "127.0.0.1:0", database: "\${OPSWATCH_TEST_PG}" }
reports: { enabled: true, dir: ${reports}, formats: [json] }
targets:
  - { id: web, name: Web, indicators: [{ id: website_uptime }], checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 5s }] }
inspections:
  - { id: daily, name: 每日巡检, schedule: "0 8 * * *", tolerance: 10m }`,
          "inline.yaml",
        ) as Config & { server: ServerConfig };
        return startServer(cfg, createLogger("silent"), { clock: () => now - 60_000 });
      }),
    );
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    try {
      // Both servers started at 07:59:30 (their clock), the plan first seen then. At 08:00:30 both
      // ticks fire: one server starts the run, the other finds the lock taken or the run recorded.
      const due = await Promise.all([a.inspections.runDue(now), b.inspections.runDue(now)]);
      expect(due.flatMap((d) => d.started)).toHaveLength(1);
      const runs = await sql<{ n: string }>(url, "SELECT count(*) AS n FROM inspection_runs");
      expect(Number(runs[0]?.n)).toBe(1);
      // The monthly report: the winner holds the lock (60 s) after writing, the other gets undefined.
      const fa = a.reports.fire();
      const fb = b.reports.fire();
      const first = await Promise.race([fa, fb]);
      expect(first).toBeUndefined();
      await a.close(); // stopping ends the hold
      await b.close();
      const runsDone = (await Promise.all([fa, fb])).filter((x) => x !== undefined);
      expect(runsDone.map((r) => r.month)).toEqual(["2026-02"]);
      const written = ["a", "b"].map((n) => readdirSync(join(dir, `reports-${n}`)).length);
      expect(written.sort()).toEqual([0, 1]); // one report file, on one server
    } finally {
      await Promise.allSettled(servers.map((s) => s.close()));
    }
  }, 30_000);
});
