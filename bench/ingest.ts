// Ingest benchmark: simulated agents (in 1-2 child processes) stream batches over WebSocket to a real
// server (a child process, measured through /proc), then the SQLite batched-insert ceiling is measured
// in-process for comparison. Not a test: run it by hand, see bench/README.md.
//   npx tsx bench/ingest.ts [--agents 8] [--seconds 15] [--batch 500] [--window 4] [--sync full|normal]
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { AgentMessage, Result } from "../protocol/messages.js";
import { SqliteStore } from "../server/store/sqlite.js";
import type { AgentsInput, AgentsReport, FromAgents, ToAgents } from "./agents.js";
import { agentIds, ResultSource } from "./results.js";

const usage = `usage: npx tsx bench/ingest.ts [options]
  --agents N          simulated agents (default 8)
  --seconds S         measured run after the warm-up (default 15)
  --warmup S          warm-up before measuring (default 2)
  --batch N           results per batch (default 500)
  --window N          batches in flight per agent (default 4)
  --sync full|normal  server.synchronous (default full)
  --rate N            open loop: N results/s offered in total, latency counted from when a batch was due
                      (default 0: closed loop, every agent keeps its window full)
  --ts-spread MS      result ts spread at random over the last MS milliseconds (default 1000)
  --workers N         processes running the agents, 1-2 (default 1, 2 from 16 agents)
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
    rate: { type: "string", default: "0" },
    "ts-spread": { type: "string", default: "1000" },
    workers: { type: "string" },
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
const rate = int("rate", 0, 10_000_000);
const spreadMs = int("ts-spread", 0, 3_600_000);
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
/** Core-seconds the whole machine spent busy and in iowait so far (from /proc/stat), to spot a noisy run. */
function machineSeconds(): { busy: number; iowait: number } {
  const f = (/^cpu +(.*)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1] ?? "").split(" ").map(Number);
  const ticks = (i: number) => f[i] ?? 0; // user nice system idle iowait irq softirq steal
  const total = [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, i) => sum + ticks(i), 0);
  return { busy: (total - ticks(3) - ticks(4)) / clkTck, iowait: ticks(4) / clkTck };
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

/** Child processes still running, killed if the bench itself fails. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
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
  track(child);
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
    const input: AgentsInput = {
      url,
      agents: creds.filter((_, i) => i % workers === w),
      batch,
      window,
      batchesPerSec: rate / agents / batch,
      spreadMs,
    };
    const proc = track(fork(sibling("agents").pathname, [JSON.stringify(input)], { stdio: "inherit" }));
    const ready = new Promise<void>((ok, fail) => {
      proc.on("message", (m: FromAgents) => m.type === "ready" && ok());
      proc.once("disconnect", () => fail(new Error("agents process ended before its agents connected")));
    });
    const report = new Promise<AgentsReport>((ok, fail) => {
      proc.on("message", (m: FromAgents) => m.type === "report" && ok(m.report));
      proc.once("disconnect", () => fail(new Error("agents process ended without a report")));
    });
    return { proc, pid: proc.pid as number, ready, report };
  });
  const clientCpu = () => pool.reduce((sum, w) => sum + cpuSeconds(w.pid), 0);
  await Promise.all(pool.map((w) => w.ready));
  await sleep(warmup * 1000);

  const send = (m: ToAgents) => {
    for (const w of pool) w.proc.send(m);
  };
  const before = {
    t: performance.now(),
    server: cpuSeconds(pid),
    serverMain: cpuSeconds(pid, pid),
    client: clientCpu(),
    machine: machineSeconds(),
    commits: await commitMetrics(url),
  };
  send({ type: "measure" });
  await sleep(seconds * 1000);
  send({ type: "stop" });
  const wall = (performance.now() - before.t) / 1000;
  const server = cpuSeconds(pid) - before.server;
  const serverMain = cpuSeconds(pid, pid) - before.serverMain;
  const client = clientCpu() - before.client;
  const machine = machineSeconds();
  const commitsEnd = await commitMetrics(url);

  const reports = await Promise.all(pool.map((w) => w.report));
  clearInterval(sampler);
  const exitCode = await stopChild(child);
  const db = new Database(database, { readonly: true });
  const rows = (db.prepare("SELECT count(*) AS n FROM results").get() as { n: number }).n;
  db.close();
  rmSync(database); // unwritten pages of a deleted file are dropped, not flushed during the next step

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
    clientCpuPct: (100 * client) / wall,
    // Everything else the machine ran meanwhile (other users, the bench's main process, the kernel).
    otherCpuPct: (100 * (machine.busy - before.machine.busy - server - client)) / wall,
    iowaitPct: (100 * (machine.iowait - before.machine.iowait)) / wall,
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
/**
 * Results/s of SqliteStore.commit inserting `rows` results into a fresh file (as many as the WebSocket run
 * stored, so both see the same table growth), `group` pre-built batches per transaction. Only seq and ts
 * are rewritten before each commit (as the agents make them), so the time is SQLite's.
 */
async function storeCeiling(dir: string, synchronous: "full" | "normal", group: number, rows: number) {
  const file = join(dir, `ceiling-${synchronous}-${group}.db`);
  const store = new SqliteStore(file, { synchronous });
  const sources = agentIds(agents).map((id) => new ResultSource(id, 0, spreadMs));
  // Distinct arrays for every batch of a transaction (the same array twice would insert duplicates).
  const pool = Array.from({ length: Math.max(agents, group) }, (_, i) => {
    const source = sources[i % agents] as ResultSource;
    return { source, results: source.batch(batch) };
  });
  let n = 0;
  let k = 0;
  const t0 = performance.now();
  while (n < rows) {
    const batches = Array.from({ length: group }, () => pool[k++ % pool.length] as (typeof pool)[number]);
    for (const b of batches) b.source.restamp(b.results);
    for (const o of await store.commit(batches.map((b) => b.results))) n += o.committed;
  }
  const rps = n / ((performance.now() - t0) / 1000);
  await store.close();
  rmSync(file);
  return rps;
}

/** µs per result of the CPU work the server does per frame, outside of ws and the event loop. */
function stageCosts() {
  const source = new ResultSource("bench-01", 0, spreadMs);
  const frames = Array.from({ length: 20 }, (_, id) =>
    JSON.stringify({ type: "batch", id, spool_depth: 0, results: source.batch(batch) }),
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
const row = (label: string, rps: number, ref?: number) =>
  `  ${label.padEnd(52)}${f0(rps).padStart(9)}${ref ? `    ${f2(ref / rps)}` : ""}`;

const dir = mkdtempSync(join(tmpdir(), "opswatch-bench-"));
if (opt.profile) mkdirSync(opt.profile, { recursive: true });
try {
  const load = rate > 0 ? `open loop ${f0(rate)} results/s` : "closed loop";
  console.log(
    `opswatch ingest bench: ${agents} agents (${workers} process${workers > 1 ? "es" : ""}), batch ${batch}, ` +
      `window ${window}, ${load}, sync ${sync}, ts spread ${spreadMs} ms, ` +
      `${warmup} s warm-up + ${seconds} s measured; db in ${dir}`,
  );
  const ws = await wsRun(dir);
  const group = Math.max(1, Math.round(ws.batchesPerCommit));
  const rows = ws.rowsInDb;
  const one = {
    full: await storeCeiling(dir, "full", 1, rows),
    normal: await storeCeiling(dir, "normal", 1, rows),
  };
  const ceiling = { ...one, grouped: group === 1 ? one[sync] : await storeCeiling(dir, sync, group, rows) };
  const stages = stageCosts();
  const storeUs = 1e6 / ceiling.grouped;
  const stageSum = stages.jsonParse + stages.envelopeSafeParse + stages.resultSafeParse + storeUs;
  const ok = ws.totalAcked === ws.rowsInDb;

  console.log(`
WebSocket ingest (server child, ${f1(ws.wall)} s measured)
  committed results/s       ${f0(ws.resultsPerSec)}   (${f0(ws.batchesAcked)} batches acked)
  ack latency ms            p50 ${f1(ws.p50)}  p99 ${f1(ws.p99)}  max ${f1(ws.max)}
  server CPU                ${f0(ws.serverCpuPct)} % of one core (main thread ${f0(ws.serverMainThreadPct)} %), \
${f1(ws.serverCpuUsPerResult)} µs/result
  server in store.commit    ${f0(ws.commitBusyPct)} % of wall time, ${f0(ws.commits)} commits, \
${f1(ws.batchesPerCommit)} batches/commit
  server peak RSS           ${f0(ws.peakRssMb)} MB
  client CPU (all agents)   ${f0(ws.clientCpuPct)} % of one core
  rest of the machine       ${f0(ws.otherCpuPct)} % of one core busy, ${f0(ws.iowaitPct)} % iowait (noise check)
  check                     acked ${f0(ws.totalAcked)} vs SELECT count(*) ${f0(ws.rowsInDb)}: \
${ok ? "match" : "MISMATCH"}; duplicates ${ws.duplicates}, rejected ${ws.rejected}, errors ${ws.errors.length}, \
server exit ${ws.serverExit}

Side by side (batch ${batch})                                 results/s    ws/store
${row(`ws ingest, sync ${sync}`, ws.resultsPerSec)}
${row("store ceiling, sync full, 1 batch/tx", ceiling.full, ws.resultsPerSec)}
${row("store ceiling, sync normal, 1 batch/tx", ceiling.normal, ws.resultsPerSec)}
${row(`store ceiling, sync ${sync}, ${group} batches/tx (as server)`, ceiling.grouped, ws.resultsPerSec)}

Where the server's time goes (µs per result, in-process, one core)
  JSON.parse of the frame              ${f2(stages.jsonParse)}
  AgentMessage.safeParse (envelope)    ${f2(stages.envelopeSafeParse)}
  Result.safeParse (each result)       ${f2(stages.resultSafeParse)}
  SqliteStore.commit (wall, as server) ${f2(storeUs)}
  sum                                  ${f2(stageSum)}
  server child CPU per result          ${f2(ws.serverCpuUsPerResult)}  (beyond the stages: ws framing, rollup, \
event loop, GC, live view, acks; fsync waits are not CPU)`);
  for (const e of ws.errors.slice(0, 5)) console.log(`  error: ${e}`);
  if (opt.profile) console.log(`\nserver CPU profile written to ${resolve(opt.profile)}`);
  if (opt.json) {
    const { errors, ...rest } = ws;
    const params = { agents, batch, window, rate, sync, spreadMs, seconds };
    console.log(JSON.stringify({ ...params, ...rest, errors: errors.length, ceiling, group, stages }));
  }
  if (!ok || ws.errors.length > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
