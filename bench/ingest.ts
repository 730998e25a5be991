// Ingest benchmark: simulated agents (in worker threads) stream batches over WebSocket to a real server
// (a child process, measured through /proc), then the SQLite batched-insert ceiling is measured in-process
// for comparison. Not a test: run it by hand, see bench/README.md.
//   npx tsx bench/ingest.ts [--agents 8] [--seconds 15] [--batch 500] [--window 4] [--sync full|normal]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { AgentMessage, Result } from "../protocol/messages.js";
import { SqliteStore } from "../server/store/sqlite.js";
import type { AgentsInput, AgentsReport, FromAgents, ToAgents } from "./agents.js";
import { agentIds, makeBatch } from "./results.js";

const usage = `usage: npx tsx bench/ingest.ts [options]
  --agents N          simulated agents (default 8)
  --seconds S         measured run after the warm-up (default 15)
  --warmup S          warm-up before measuring (default 2)
  --batch N           results per batch (default 500)
  --window N          batches in flight per agent (default 4)
  --sync full|normal  server.synchronous (default full)
  --workers N         worker threads running the agents, 1-2 (default 1, 2 from 16 agents)
  --ceiling-seconds S duration of each in-process store measurement (default 5)
  --profile DIR       run the server child with --cpu-prof, writing the .cpuprofile into DIR
  --json              also print the summary as one JSON line
  --help`;

const { values: opt } = parseArgs({
  options: {
    agents: { type: "string", default: "8" },
    seconds: { type: "string", default: "15" },
    warmup: { type: "string", default: "2" },
    batch: { type: "string", default: "500" },
    window: { type: "string", default: "4" },
    sync: { type: "string", default: "full" },
    workers: { type: "string" },
    "ceiling-seconds": { type: "string", default: "5" },
    profile: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (opt.help) {
  console.log(usage);
  process.exit(0);
}
const int = (name: keyof typeof opt, min: number, max: number): number => {
  const n = Number(opt[name]);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number in ${min}..${max}\n${usage}`);
    process.exit(2);
  }
  return n;
};
const agents = int("agents", 1, 64);
const seconds = int("seconds", 1, 3600);
const warmup = int("warmup", 0, 600);
const batch = int("batch", 1, 10_000);
const window = int("window", 1, 64);
const ceilingSeconds = int("ceiling-seconds", 1, 600);
if (opt.workers === undefined) opt.workers = agents >= 16 ? "2" : "1";
const workers = Math.min(int("workers", 1, 2), agents);
if (opt.sync !== "full" && opt.sync !== "normal") {
  console.error(`--sync must be full or normal\n${usage}`);
  process.exit(2);
}
const sync: "full" | "normal" = opt.sync;

// Works both under tsx (sibling .ts files) and compiled (dist/bench/*.js).
const sibling = (name: string) =>
  new URL(`./${name}${extname(new URL(import.meta.url).pathname)}`, import.meta.url);

// ---------- /proc readings of the server child ----------
const clkTck = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;
  } catch {
    return 100;
  }
})();
/** utime + stime in seconds, of the whole process or of one of its threads. */
function cpuSeconds(pid: number, tid?: number): number {
  const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}
/** Commit count and seconds spent in store.commit, from the server's own /metrics. */
async function commitMetrics(url: string): Promise<{ count: number; seconds: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const num = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    count: num("opswatch_ingest_commit_seconds_count"),
    seconds: num("opswatch_ingest_commit_seconds_sum"),
  };
}

async function startChild(dir: string, creds: { id: string; token: string }[]) {
  const database = join(dir, "server.db");
  const prof = opt.profile ? ["--cpu-prof", `--cpu-prof-dir=${resolve(opt.profile)}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      ...prof,
      sibling("server-child").pathname,
      JSON.stringify({ database, synchronous: sync, agents: creds }),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("server child did not start within 20 s")), 20_000);
    child.once("exit", (code) => fail(new Error(`server child exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const m = /^listening (\S+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
  });
  return { child, pid: child.pid as number, url, database };
}

function stopChild(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    child.once("exit", (code) => done(code));
    child.kill("SIGTERM");
  });
}

// ---------- the WebSocket run ----------
async function wsRun(dir: string) {
  const ids = agentIds(agents);
  const creds = ids.map((id) => ({ id, token: `t-${id}-${Math.random().toString(36).slice(2)}` }));
  const { child, pid, url, database } = await startChild(dir, creds);

  let peakRss = rssMb(pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMb(pid));
  }, 250);

  const pool = Array.from({ length: workers }, (_, w) => {
    const input: AgentsInput = { url, agents: creds.filter((_, i) => i % workers === w), batch, window };
    const worker = new Worker(sibling("agents"), { workerData: input });
    const ready = new Promise<void>((ok) =>
      worker.on("message", (m: FromAgents) => m.type === "ready" && ok()),
    );
    const report = new Promise<AgentsReport>((ok, fail) => {
      worker.on("message", (m: FromAgents) => m.type === "report" && ok(m.report));
      worker.on("error", fail);
    });
    return { worker, ready, report };
  });
  await Promise.all(pool.map((w) => w.ready));
  await sleep(warmup * 1000);

  const send = (m: ToAgents) => {
    for (const w of pool) w.worker.postMessage(m);
  };
  const before = {
    t: performance.now(),
    server: cpuSeconds(pid),
    serverMain: cpuSeconds(pid, pid),
    client: process.cpuUsage(),
    commits: await commitMetrics(url),
  };
  send({ type: "measure" });
  await sleep(seconds * 1000);
  send({ type: "stop" });
  const wall = (performance.now() - before.t) / 1000;
  const server = cpuSeconds(pid) - before.server;
  const serverMain = cpuSeconds(pid, pid) - before.serverMain;
  const clientUsage = process.cpuUsage(before.client);
  const commitsEnd = await commitMetrics(url);

  const reports = await Promise.all(pool.map((w) => w.report));
  clearInterval(sampler);
  const exitCode = await stopChild(child);
  const db = new Database(database, { readonly: true });
  const rows = (db.prepare("SELECT count(*) AS n FROM results").get() as { n: number }).n;
  db.close();

  const lat = reports.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const pct = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? Number.NaN;
  const sum = (f: (r: AgentsReport) => number) => reports.reduce((s, r) => s + f(r), 0);
  const committed = sum((r) => r.measuredCommitted);
  const commits = commitsEnd.count - before.commits.count;
  return {
    wall,
    resultsPerSec: committed / wall,
    batchesAcked: lat.length,
    p50: pct(0.5),
    p99: pct(0.99),
    max: lat[lat.length - 1] ?? Number.NaN,
    serverCpuPct: (100 * server) / wall,
    serverMainThreadPct: (100 * serverMain) / wall,
    serverCpuUsPerResult: (1e6 * server) / committed,
    peakRssMb: peakRss,
    clientCpuPct: (100 * (clientUsage.user + clientUsage.system)) / 1e6 / wall,
    commits,
    batchesPerCommit: lat.length / commits,
    commitBusyPct: (100 * (commitsEnd.seconds - before.commits.seconds)) / wall,
    totalAcked: sum((r) => r.totalCommitted),
    rowsInDb: rows,
    duplicates: sum((r) => r.duplicates),
    rejected: sum((r) => r.rejected),
    errors: reports.flatMap((r) => r.errors),
    serverExit: exitCode,
  };
}

// ---------- in-process: store ceiling and per-result cost of each server stage ----------
/** Results/s of SqliteStore.commit with one pre-built batch per transaction (as a lone agent would get). */
async function storeCeiling(dir: string, synchronous: "full" | "normal") {
  const store = new SqliteStore(join(dir, `ceiling-${synchronous}.db`), { synchronous });
  const ids = agentIds(agents);
  const pool = ids.flatMap((id) => [makeBatch(id, 1, batch), makeBatch(id, 1, batch)]);
  const seq = new Map<string, number>();
  let n = 0;
  const t0 = performance.now();
  for (let k = 0; performance.now() - t0 < ceilingSeconds * 1000; k++) {
    const b = pool[k % pool.length] as Result[];
    let s = seq.get(b[0]?.agent ?? "") ?? 0;
    for (const r of b) r.seq = ++s;
    seq.set(b[0]?.agent ?? "", s);
    const [o] = await store.commit([b]);
    n += o?.committed ?? 0;
  }
  const rps = n / ((performance.now() - t0) / 1000);
  await store.close();
  return rps;
}

/** µs per result of the CPU work the server does per frame, outside of ws and the event loop. */
function stageCosts() {
  const frames = Array.from({ length: 20 }, (_, i) =>
    JSON.stringify({
      type: "batch",
      id: i,
      spool_depth: 0,
      results: makeBatch("bench-01", 1 + i * batch, batch),
    }),
  );
  const messages = frames.map((f) => JSON.parse(f) as { results: unknown[] });
  const time = (perFrame: (i: number) => void) => {
    for (let i = 0; i < frames.length; i++) perFrame(i); // warm-up
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 500) for (let i = 0; i < frames.length; i++, n += batch) perFrame(i);
    return ((performance.now() - t0) * 1000) / n;
  };
  return {
    jsonParse: time((i) => JSON.parse(frames[i] as string)),
    envelopeSafeParse: time((i) => AgentMessage.safeParse(messages[i])),
    resultSafeParse: time((i) => {
      for (const r of messages[i]?.results ?? []) Result.safeParse(r);
    }),
  };
}

// ---------- main ----------
const f0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");

const dir = mkdtempSync(join(tmpdir(), "opswatch-bench-"));
if (opt.profile) mkdirSync(opt.profile, { recursive: true });
try {
  console.log(
    `opswatch ingest bench: ${agents} agents (${workers} worker thread${workers > 1 ? "s" : ""}), batch ${batch}, ` +
      `window ${window}, sync ${sync}, ${warmup} s warm-up + ${seconds} s measured; db in ${dir}`,
  );
  const ws = await wsRun(dir);
  const ceiling = { full: await storeCeiling(dir, "full"), normal: await storeCeiling(dir, "normal") };
  const stages = stageCosts();
  const storeUs = 1e6 / ceiling[sync];

  console.log(`
WebSocket ingest (server child, ${f1(ws.wall)} s measured)
  committed results/s       ${f0(ws.resultsPerSec)}   (${f0(ws.batchesAcked)} batches acked)
  ack latency ms            p50 ${f1(ws.p50)}  p99 ${f1(ws.p99)}  max ${f1(ws.max)}
  server CPU                ${f0(ws.serverCpuPct)} % of one core (main thread ${f0(ws.serverMainThreadPct)} %), ${f1(ws.serverCpuUsPerResult)} µs/result
  server in store.commit    ${f0(ws.commitBusyPct)} % of wall time, ${f0(ws.commits)} commits, ${f1(ws.batchesPerCommit)} batches/commit
  server peak RSS           ${f0(ws.peakRssMb)} MB
  client CPU (all agents)   ${f0(ws.clientCpuPct)} % of one core
  check                     acked committed ${f0(ws.totalAcked)} vs SELECT count(*) ${f0(ws.rowsInDb)}: ${
    ws.totalAcked === ws.rowsInDb ? "match" : "MISMATCH"
  }; duplicates ${ws.duplicates}, rejected ${ws.rejected}, errors ${ws.errors.length}, server exit ${ws.serverExit}

Side by side (batch ${batch})                results/s    ratio ws/store
  ws ingest, sync ${sync.padEnd(6)}                ${f0(ws.resultsPerSec).padStart(9)}
  store ceiling, sync full (1 batch/tx)  ${f0(ceiling.full).padStart(9)}    ${f2(ws.resultsPerSec / ceiling.full)}
  store ceiling, sync normal (1 batch/tx)${f0(ceiling.normal).padStart(9)}    ${f2(ws.resultsPerSec / ceiling.normal)}

Server CPU per result, in-process stage costs (µs/result, one core)
  JSON.parse of the frame        ${f2(stages.jsonParse)}
  AgentMessage.safeParse         ${f2(stages.envelopeSafeParse)}
  Result.safeParse (each result) ${f2(stages.resultSafeParse)}
  SqliteStore.commit (sync ${sync.padEnd(6)}) ${f2(storeUs)}
  sum                            ${f2(stages.jsonParse + stages.envelopeSafeParse + stages.resultSafeParse + storeUs)}
  measured in the server child   ${f2(ws.serverCpuUsPerResult)}  (rest: ws framing, event loop, GC, live view, acks)`);
  for (const e of ws.errors.slice(0, 5)) console.log(`  error: ${e}`);
  if (opt.profile) console.log(`\nserver CPU profile written to ${resolve(opt.profile)}`);
  if (opt.json) {
    const { errors, ...rest } = ws;
    console.log(
      JSON.stringify({
        agents,
        batch,
        window,
        sync,
        seconds,
        ...rest,
        errors: errors.length,
        ceiling,
        stages,
      }),
    );
  }
  if (ws.totalAcked !== ws.rowsInDb || ws.errors.length > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
