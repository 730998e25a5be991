// The agent keeps probing while the server is down (killed, not stopped politely); after the server
// comes back, every result produced meanwhile arrives exactly once and in order.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-saf-"));
const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
});

function writeConfig(file: string, port: number, sitePort: number, withTargets: boolean): void {
  writeFileSync(
    file,
    `server:
  listen: 127.0.0.1:${port}
  database: ${dir}/server.db
  agents: [{ id: saf, token: t0ken }]
agent:
  id: saf
  server: ws://127.0.0.1:${port}/ws/agent
  token: t0ken
  spool: ${dir}/spool.db
  batch_max: 7
  batch_delay: 20ms
  reconnect_max: 1s
targets:
${withTargets ? `  - { id: web, name: Web, checks: [{ id: home, kind: http, url: "http://127.0.0.1:${sitePort}/", interval: 100ms, timeout: 1s }] }` : "  []"}
`,
  );
}

function start(args: string[], name: string): OpswatchProcess {
  const p = runOpswatch(args, { logFile: join(dir, `${name}.log`) });
  running.push(p);
  return p;
}

/** One query on a SQLite file another process is writing (WAL lets readers in). */
function query<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
const storedSeqs = () =>
  query<{ seq: number; ts: number }>(
    `${dir}/server.db`,
    "SELECT seq, ts FROM results WHERE agent = 'saf' ORDER BY seq",
  );

describe("store and forward", () => {
  it("delivers every result produced during a server outage exactly once, in order", async () => {
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    const port = await freePort("tcp");
    const api = `http://127.0.0.1:${port}`;
    const probing = join(dir, "probing.yaml");
    const drainOnly = join(dir, "drain.yaml");
    writeConfig(probing, port, (site.address() as AddressInfo).port, true);
    writeConfig(drainOnly, port, 0, false);

    let server = start(["server", "-c", probing], "server-1");
    await waitReady(server, `${api}/readyz`);
    let agent = start(["agent", "-c", probing], "agent-1");
    await eventually(async () => storedSeqs().length >= 5, 10_000, "first results stored");

    server.child.kill("SIGKILL"); // a crash: no goodbye, acks in flight are lost
    await new Promise((r) => server.child.once("exit", r));
    const outageStart = Date.now();
    await new Promise((r) => setTimeout(r, 2500)); // ~25 results at 100 ms pile up in the spool
    const outageEnd = Date.now();

    server = start(["server", "-c", probing], "server-2");
    await waitReady(server, `${api}/readyz`);
    await eventually(
      async () => storedSeqs().some((r) => r.ts > outageEnd + 500),
      15_000,
      "results after the outage",
    );

    // Stop probing, then let an agent without targets drain what is left in the spool.
    expect(await agent.stop()).toBe(0);
    const [{ seq: produced }] = query<{ seq: number }>(
      `${dir}/spool.db`,
      "SELECT seq FROM sqlite_sequence WHERE name = 'spool'",
    ) as [{ seq: number }];
    agent = start(["agent", "-c", drainOnly], "agent-drain");
    await eventually(async () => agent.output().includes("uplink ready"), 10_000, "drain agent connected");
    await eventually(async () => storedSeqs().length === produced, 15_000, `all ${produced} results stored`);
    expect(await agent.stop()).toBe(0);
    expect(query(`${dir}/spool.db`, "SELECT seq FROM spool")).toEqual([]);

    const rows = storedSeqs();
    // exactly once: seq 1..produced, each present, none twice (the primary key would refuse a twin)
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: produced }, (_, i) => i + 1));
    // in order: probe start times increase with the sequence number
    const ts = rows.map((r) => r.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // and the outage really was bridged: results probed while the server was dead are stored
    const during = rows.filter((r) => r.ts > outageStart + 200 && r.ts < outageEnd - 200).length;
    expect(during).toBeGreaterThanOrEqual(10); // 2.1 s of 100 ms probes ≈ 21; allow for scheduling slack
  }, 60_000);
});
