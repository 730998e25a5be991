// Indicator benchmark: every indicator for N targets × one month of results, computed from the runs
// rollup as the server does it, with time and peak RSS measured in a fresh child process; and the
// naive way (every raw result, sample by sample) on a few targets, extrapolated. Not a test: run it by
// hand, see bench/README.md ("Indicator computation").
//   npx tsx bench/indicators.ts [--targets 1000] [--interval 30s]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import Database from "better-sqlite3";
import { Config } from "../config/schema.js";
import { indicatorSpecs } from "../engine/mapping.js";
import { appendRun, encodeRuns } from "../engine/runs.js";
import type { Run, Sample } from "../engine/types.js";
import { monthPeriod } from "../engine/zone.js";
import { parseDuration } from "../lib/duration.js";
import type { Result } from "../protocol/messages.js";
import type { RunRow } from "../server/store/runs.js";
import { SqliteStore } from "../server/store/sqlite.js";
import type { ChildArgs, ChildReport, Summary } from "./indicators-child.js";
import {
  benchConfig,
  checkVerdictTable,
  type Kind,
  mix,
  rawResult,
  rng,
  type StreamData,
  targetStreams,
  verdictOfCode,
} from "./indicators-data.js";

const usage = `usage: npx tsx bench/indicators.ts [options]
  --targets N          targets (default 1000): ~2 % response-time (at most 20, 60-s operations kept as raw
                       results), the rest 40 % websites (2 agents), 30 % UPS (ups_power_stability and
                       room_power_stability), 30 % firewalls (SNMP + TCP checks)
  --interval D         interval of the website, UPS and firewall checks (default 30s)
  --month YYYY-MM      the month computed (default 2026-11, zone Asia/Shanghai)
  --history-months N   older months of runs in the table (copies of the generated month shifted back by
                       32 days each), so the 31-day lookback and the table size are realistic (default 1)
  --naive-targets N    targets computed the naive way, from raw results (default 10)
  --verify N           streams checked for appendRun streaming = encodeRuns (default 8)
  --repeat N           computations in the child; the first (cold) one is the figure (default 2)
  --seed N             scenario seed (default 1)
  --dir DIR            where the databases go (default a new temp directory, removed at the end)
  --keep               keep the databases
  --reuse              measure again on the databases a previous --dir DIR --keep run built (same options)
  --profile DIR        run the rollup child with --cpu-prof, writing the .cpuprofile into DIR
  --json               also print the summary as one JSON line
  --help`;

const { values: opt } = parseArgs({
  options: {
    targets: { type: "string", default: "1000" },
    interval: { type: "string", default: "30s" },
    month: { type: "string", default: "2026-11" },
    "history-months": { type: "string", default: "1" },
    "naive-targets": { type: "string", default: "10" },
    verify: { type: "string", default: "8" },
    repeat: { type: "string", default: "2" },
    seed: { type: "string", default: "1" },
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
    reuse: { type: "boolean", default: false },
    profile: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (opt.help) {
  console.log(usage);
  process.exit(0);
}
const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(2);
};
const int = (name: keyof typeof opt, min: number, max: number): number => {
  const n = Number(opt[name]);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number in ${min}..${max}`);
  return n;
};
const nTargets = int("targets", 1, 100_000);
const historyMonths = int("history-months", 0, 24);
const naiveTargets = int("naive-targets", 0, 1000);
const verifyStreams = int("verify", 0, 1000);
const repeat = int("repeat", 1, 10);
const seed = int("seed", 0, 2 ** 31);
let intervalMs = 0;
try {
  intervalMs = parseDuration(opt.interval);
} catch {
  fail("--interval must be a duration such as 30s");
}
if (intervalMs < 1000 || intervalMs > 3_600_000) fail("--interval must be between 1s and 1h");
if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opt.month)) fail("--month must be YYYY-MM");

const TZ = "Asia/Shanghai";
const DAY = 86_400_000;
const MB = 1024 * 1024;
const period = monthPeriod(opt.month, TZ);
// Generated: the month with a day either side (carried-in state, raw ends of outages running past it).
const range = { start: period.start - DAY, end: period.end + DAY };
// Computed the day after the month's last day, as the monthly report is.
const now = period.end + DAY;

const sibling = (name: string) =>
  new URL(`./${name}${extname(new URL(import.meta.url).pathname)}`, import.meta.url);
const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const ms = (x: number) => (x >= 10_000 ? `${fmt(x / 1000, 1)} s` : `${fmt(x)} ms`);
const log = (s: string) => process.stderr.write(`${s}\n`);

const dir = opt.dir ? resolve(opt.dir) : mkdtempSync(join(tmpdir(), "opswatch-bench-ind-"));
mkdirSync(dir, { recursive: true });
const dbFile = join(dir, "opswatch.db");
const naiveFile = join(dir, "naive.db");
const configFile = join(dir, "config.json");

// ---------- config ----------
const bench = benchConfig(nTargets, intervalMs);
writeFileSync(configFile, JSON.stringify(bench.raw));
const config = Config.parse(bench.raw);
const specs = indicatorSpecs(config.targets);
const specsOf = new Map<string, typeof specs>();
for (const s of specs) specsOf.set(s.target, [...(specsOf.get(s.target) ?? []), s]);
const mains = {
  nominalVoltage: config.indicators.room_power_stability.nominal_voltage,
  tolerance: config.indicators.room_power_stability.tolerance,
};
checkVerdictTable(mains);
const kinds = mix(nTargets);
// The naive subset: targets of each kind in proportion (response-time targets read raw rows anyway).
const naiveSet = new Set<string>();
{
  const avail = { web: kinds.web, ups: kinds.ups, fw: kinds.fw };
  const total = avail.web + avail.ups + avail.fw;
  let left = Math.min(naiveTargets, total);
  for (const k of ["web", "ups", "fw"] as const) {
    const take = k === "fw" ? left : Math.min(left, Math.round((naiveTargets * avail[k]) / total));
    for (const t of bench.targets.filter((x) => x.kind === k).slice(0, take)) naiveSet.add(t.id);
    left -= take;
  }
}

log(
  `opswatch indicator bench: ${nTargets} targets (${kinds.web} web ×2 agents, ${kinds.rt} response-time, ${kinds.ups} UPS, ${kinds.fw} firewalls), ` +
    `${opt.month} ${TZ}, interval ${opt.interval}, history ${historyMonths} month(s), dir ${dir}`,
);

// ---------- build the store ----------
interface Counts {
  streams: number;
  /** Results generated (whole generated range). */
  results: number;
  /** Results inside the month. */
  resultsInMonth: number;
  /** Verdict samples encoded (a UPS result counts once per indicator). */
  samples: number;
  runs: number;
  runsInMonth: number;
  historyRuns: number;
  rtRows: number;
  naiveRows: number;
}

interface BuildMeta {
  args: string;
  /** Targets whose raw results are in naive.db. */
  naive: string[];
  counts: Counts;
  byKind: [Kind, { targets: number; results: number; runs: number }][];
  time: Record<"generate" | "samples" | "encode" | "save" | "rtInsert" | "naiveInsert" | "verify", number>;
  buildMs: number;
  resultsOf: [string, number][];
  verified: { stream: string; samples: number; runs: number; appendUsPerSample: number; equal: boolean }[];
  faultCount: number;
}

async function build(): Promise<Omit<BuildMeta, "args" | "naive">> {
  for (const f of [dbFile, naiveFile])
    for (const x of ["", "-wal", "-shm"]) rmSync(`${f}${x}`, { force: true });
  const store = new SqliteStore(dbFile, { synchronous: "normal" });
  const naiveStore = naiveSet.size ? new SqliteStore(naiveFile, { synchronous: "normal" }) : undefined;

  // Maintenance: a weekly window for the portals and a monthly one for the UPS room (recorded in time),
  // a one-off firewall window, and one recorded after it started (listed, excludes nothing).
  const at = (iso: string) => Date.parse(iso);
  const month = opt.month;
  await store.maintenance.create(
    {
      groups: ["web"],
      recurrence: { every: "week", weekdays: [0], at: "02:00", duration: 2 * 3_600_000, from: "2026-01-01" },
      createdAt: at("2026-01-01T00:00:00+08:00"),
      reason: "weekly CMS release",
      approvedBy: "chief",
    },
    "bench",
  );
  await store.maintenance.create(
    {
      groups: ["ups"],
      recurrence: { every: "month", dayOfMonth: 15, at: "01:00", duration: 3_600_000, from: "2026-01-01" },
      createdAt: at("2026-01-01T00:00:00+08:00"),
      reason: "UPS self-test",
      approvedBy: "chief",
    },
    "bench",
  );
  const firstFw = bench.targets.find((t) => t.kind === "fw")?.id;
  const firstUps = bench.targets.find((t) => t.kind === "ups")?.id;
  if (firstFw)
    await store.maintenance.create(
      {
        targets: [firstFw],
        start: at(`${month}-12T22:00:00+08:00`),
        end: at(`${month}-12T23:30:00+08:00`),
        createdAt: at(`${month}-10T10:00:00+08:00`),
        reason: "firmware upgrade",
        approvedBy: "chief",
      },
      "bench",
    );
  if (firstUps)
    await store.maintenance.create(
      {
        targets: [firstUps],
        start: at(`${month}-20T10:00:00+08:00`),
        end: at(`${month}-20T11:00:00+08:00`),
        createdAt: at(`${month}-20T10:30:00+08:00`),
        reason: "recorded after the fact",
        approvedBy: "chief",
      },
      "bench",
    );

  // Faults: about one for every three targets, acknowledged and resolved at various delays, some late.
  let faultCount = 0;
  {
    const r = rng(seed ^ 0x5eed);
    const sev = { web: "P2", rt: "P3", ups: "P1", fw: "P1" } as const;
    for (const t of bench.targets) {
      if (r() > 0.33) continue;
      const openedAt = period.start + Math.floor(r() * (period.end - period.start));
      const severity = r() < 0.1 ? "P4" : sev[t.kind];
      const cause =
        t.kind === "web"
          ? "website_uptime"
          : t.kind === "ups"
            ? "ups_power_stability"
            : t.kind === "fw"
              ? "firewall_stability"
              : "response_time";
      const id = await store.faults.create(
        { target: t.id, cause, title: `${t.id} down`, source: "auto", severity, openedAt },
        { type: "opened", at: openedAt, severity, source: "auto", cause },
      );
      faultCount++;
      let open = true;
      if (r() < 0.9) {
        const ack = openedAt + Math.floor(60_000 * (2 + r() * 40));
        await store.faults.append(
          id,
          { type: "acknowledged", at: ack, actor: "duty", note: "looking" },
          { open, severity },
        );
        if (r() < 0.9) {
          open = false;
          const done = ack + Math.floor(3_600_000 * r() * 10);
          await store.faults.append(
            id,
            { type: "resolved", at: done, actor: "duty", note: "fixed" },
            { open, severity },
          );
        }
      }
    }
  }

  const counts: Counts = {
    streams: 0,
    results: 0,
    resultsInMonth: 0,
    samples: 0,
    runs: 0,
    runsInMonth: 0,
    historyRuns: 0,
    rtRows: 0,
    naiveRows: 0,
  };
  const byKind = new Map<Kind, { targets: number; results: number; runs: number }>();
  const time = { generate: 0, samples: 0, encode: 0, save: 0, rtInsert: 0, naiveInsert: 0, verify: 0 };
  /** Results of each target in the generated range (what a naive read of the target returns). */
  const resultsOf = new Map<string, number>();
  const verified: {
    stream: string;
    samples: number;
    runs: number;
    appendUsPerSample: number;
    equal: boolean;
  }[] = [];
  const verifyPlan = new Map<Kind, number>();
  for (const k of ["web", "ups", "fw", "rt"] as const) verifyPlan.set(k, Math.ceil(verifyStreams / 4));

  let pending: RunRow[] = [];
  const flushRuns = async () => {
    const t = performance.now();
    await store.runs.save(pending);
    time.save += performance.now() - t;
    pending = [];
  };
  let rtBatch: Result[] = [];
  let rtSeq = 0;
  const flushRt = async () => {
    const t = performance.now();
    await store.commit([rtBatch]);
    time.rtInsert += performance.now() - t;
    rtBatch = [];
  };
  const naiveSeq = new Map<string, number>();

  const tBuild = performance.now();
  let lastLog = tBuild;
  for (const [index, meta] of bench.targets.entries()) {
    let t = performance.now();
    const streams: StreamData[] = targetStreams(meta, range, seed * 1_000_003 + index);
    time.generate += performance.now() - t;
    const kindRow = byKind.get(meta.kind) ?? { targets: 0, results: 0, runs: 0 };
    kindRow.targets++;
    let targetResults = 0;
    for (const s of streams) {
      counts.streams++;
      counts.results += s.ts.length;
      targetResults += s.ts.length;
      kindRow.results += s.ts.length;
      for (const x of s.ts) if (x >= period.start && x < period.end) counts.resultsInMonth++;
    }
    resultsOf.set(meta.id, targetResults);
    for (const spec of specsOf.get(meta.id) ?? [])
      for (const check of spec.checks)
        for (const s of streams.filter((x) => x.check === check.id)) {
          t = performance.now();
          const samples: Sample[] = new Array(s.ts.length);
          for (let i = 0; i < s.ts.length; i++)
            samples[i] = { ts: s.ts[i] as number, verdict: verdictOfCode(s.codes[i] as number, spec.via) };
          time.samples += performance.now() - t;
          t = performance.now();
          const runs = encodeRuns(samples, check.hold, TZ);
          time.encode += performance.now() - t;
          counts.samples += samples.length;
          counts.runs += runs.length;
          kindRow.runs += runs.length;
          for (const run of runs) {
            if (run.start < period.end && run.last >= period.start) counts.runsInMonth++;
            pending.push({
              target: meta.id,
              indicator: spec.indicator,
              check: check.id,
              agent: s.agent,
              ...run,
            });
          }
          // Older months: the same runs shifted back by 32 days each (Asia/Shanghai has no DST, so a
          // whole-day shift keeps every run inside one local day).
          for (let h = 1; h <= historyMonths; h++)
            for (const run of runs) {
              counts.historyRuns++;
              const shift = h * 32 * DAY;
              pending.push({
                target: meta.id,
                indicator: spec.indicator,
                check: check.id,
                agent: s.agent,
                ...run,
                start: run.start - shift,
                last: run.last - shift,
              });
            }
          if (pending.length >= 50_000) await flushRuns();
          // appendRun, one sample at a time as the evaluator does at ingest, must give the same runs.
          const left = verifyPlan.get(meta.kind) ?? 0;
          if (left > 0) {
            verifyPlan.set(meta.kind, left - 1);
            t = performance.now();
            const streamed: Run[] = [];
            let inOrder = true;
            for (const sample of samples) inOrder &&= appendRun(streamed, sample, check.hold, TZ);
            const took = performance.now() - t;
            time.verify += took;
            verified.push({
              stream: `${meta.id}/${spec.indicator}/${check.id}/${s.agent}`,
              samples: samples.length,
              runs: runs.length,
              appendUsPerSample: (took * 1000) / samples.length,
              equal: inOrder && isDeepStrictEqual(streamed, runs),
            });
          }
        }
    byKind.set(meta.kind, kindRow);
    // Raw results: the response-time operations (their percentiles need them) and the naive subset.
    if (meta.kind === "rt")
      for (const s of streams)
        for (let i = 0; i < s.ts.length; i++) {
          rtBatch.push(rawResult(s, i, ++rtSeq));
          counts.rtRows++;
          if (rtBatch.length >= 10_000) await flushRt();
        }
    if (naiveStore && naiveSet.has(meta.id)) {
      t = performance.now();
      let batch: Result[] = [];
      for (const s of streams)
        for (let i = 0; i < s.ts.length; i++) {
          const seq = (naiveSeq.get(s.agent) ?? 0) + 1;
          naiveSeq.set(s.agent, seq);
          batch.push(rawResult(s, i, seq));
          counts.naiveRows++;
          if (batch.length >= 10_000) {
            await naiveStore.commit([batch]);
            batch = [];
          }
        }
      if (batch.length) await naiveStore.commit([batch]);
      time.naiveInsert += performance.now() - t;
    }
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(
        `  … ${index + 1}/${bench.targets.length} targets, ${fmt(counts.results)} results, ${fmt(counts.runs)} runs, ${ms(lastLog - tBuild)}`,
      );
    }
  }
  await flushRuns();
  if (rtBatch.length) await flushRt();
  const buildMs = performance.now() - tBuild;
  await store.close();
  await naiveStore?.close();
  return { counts, byKind: [...byKind], time, buildMs, resultsOf: [...resultsOf], verified, faultCount };
}

// What the databases were built from: --reuse refuses databases built from other options.
const buildArgs = JSON.stringify({
  nTargets,
  intervalMs,
  month: opt.month,
  historyMonths,
  seed,
});
const metaFile = join(dir, "build.json");
let built: BuildMeta;
if (opt.reuse) {
  let text = "";
  try {
    text = readFileSync(metaFile, "utf8");
  } catch {
    fail(`--reuse: no build.json in ${dir}`);
  }
  built = JSON.parse(text) as BuildMeta;
  if (built.args !== buildArgs) fail(`--reuse: ${dir} was built with other options (${built.args})`);
  const missing = [...naiveSet].filter((t) => !built.naive.includes(t));
  if (missing.length)
    fail(`--reuse: no raw results of ${missing.join(", ")} (use --naive-targets ≤ the build's)`);
  log("reusing the databases built before");
} else {
  built = { args: buildArgs, naive: [...naiveSet], ...(await build()) };
  writeFileSync(metaFile, JSON.stringify(built));
}
const { counts, time, buildMs, verified, faultCount } = built;
const byKind = new Map(built.byKind);
const resultsOf = new Map(built.resultsOf);
const bad = verified.filter((v) => !v.equal);
if (bad.length) {
  console.error(`appendRun streaming differs from encodeRuns on ${bad.map((b) => b.stream).join(", ")}`);
  process.exit(1);
}

// ---------- sizes ----------
const fileSize = (f: string) => {
  let n = 0;
  for (const x of ["", "-wal"])
    try {
      n += statSync(`${f}${x}`).size;
    } catch {}
  return n;
};
const dbBytes = fileSize(dbFile);
const naiveBytes = naiveSet.size ? fileSize(naiveFile) : 0;
const tableBytes: Record<string, number> = {};
{
  const db = new Database(dbFile, { readonly: true });
  try {
    for (const row of db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").all() as {
      name: string;
      bytes: number;
    }[])
      tableBytes[row.name] = row.bytes;
  } catch {
    // dbstat is not compiled in: table sizes are left out.
  }
  db.close();
}

// ---------- the measured computations, each in a fresh process ----------
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
async function runChild(
  args: ChildArgs,
  profile?: string,
): Promise<ChildReport & { outsideRssMaxMb: number }> {
  const prof = profile ? ["--cpu-prof", `--cpu-prof-dir=${resolve(profile)}`] : [];
  const child = spawn(
    process.execPath,
    [...process.execArgv, "--expose-gc", ...prof, sibling("indicators-child").pathname, JSON.stringify(args)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.add(child);
  let outsideMax = 0;
  // Sampled from outside too: the computation is synchronous between awaits, so the child's own timers
  // would not fire during it.
  const sampler = setInterval(() => {
    outsideMax = Math.max(outsideMax, rssMb(child.pid as number));
  }, 10);
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  clearInterval(sampler);
  children.delete(child);
  if (code !== 0) throw new Error(`${args.mode} child exited with ${code}`);
  return {
    ...(JSON.parse(out.trim().split("\n").at(-1) as string) as ChildReport),
    outsideRssMaxMb: outsideMax,
  };
}

log(`built in ${ms(buildMs)}; computing ${opt.month} in a fresh process …`);
const loadBefore = loadavg();
const rollup = await runChild({ mode: "rollup", db: dbFile, configFile, period, now, repeat }, opt.profile);
let naive: (ChildReport & { outsideRssMaxMb: number }) | undefined;
if (naiveSet.size) {
  log(`naive computation of ${naiveSet.size} targets from ${fmt(counts.naiveRows)} raw results …`);
  naive = await runChild({
    mode: "naive",
    db: dbFile,
    naiveDb: naiveFile,
    configFile,
    period,
    now,
    targets: [...naiveSet],
  });
}

// ---------- agreement between the two ways ----------
const key = (s: Summary) => `${s.indicator}\0${s.target}`;
const rollupByKey = new Map(rollup.summaries.map((s) => [key(s), s]));
const mismatches = (naive?.summaries ?? []).filter((s) => !isDeepStrictEqual(s, rollupByKey.get(key(s))));

// ---------- report ----------
const first = rollup.runs[0] as ChildReport["runs"][number];
const peakMb = Math.max(first.vmHwmMb ?? 0, first.rssSampledMaxMb);
const naiveRun = naive?.runs[0];
const totalReads = specs.reduce((s, sp) => s + (resultsOf.get(sp.target) ?? 0), 0);
const naivePerRowUs =
  naive && naiveRun && naive.rawRows ? (naiveRun.wallMs * 1000) / naive.rawRows : undefined;
const naiveExtrapolatedMs = naivePerRowUs === undefined ? undefined : (naivePerRowUs * totalReads) / 1000;
const rawBytesPerRow = naiveBytes && counts.naiveRows ? naiveBytes / counts.naiveRows : undefined;

const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? "?",
  node: process.version,
  memTotalMb: Math.round(
    Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0) / 1024,
  ),
};
const lines: string[] = [];
const p = (s = "") => lines.push(s);
p(`machine: ${machine.nproc} × ${machine.cpu}, ${fmt(machine.memTotalMb)} MB RAM, node ${machine.node}`);
p(
  `scenario: ${nTargets} targets — ${kinds.web} websites (2 agents), ${kinds.rt} response-time (60-s operations), ${kinds.ups} UPS (2 indicators), ${kinds.fw} firewalls (2 checks)`,
);
p(
  `          ${counts.streams} result streams, interval ${opt.interval}, ${opt.month} ${TZ} ± 1 day, ${specs.length} (target, indicator) figures, ${faultCount} faults, 4 maintenance windows`,
);
p();
p("data");
p(`  results represented           ${fmt(counts.results)} (${fmt(counts.resultsInMonth)} inside the month)`);
for (const [k, v] of byKind)
  p(
    `    ${k.padEnd(4)} ${String(v.targets).padStart(5)} targets  ${fmt(v.results).padStart(12)} results  ${fmt(v.runs).padStart(9)} runs`,
  );
p(`  verdict samples encoded       ${fmt(counts.samples)} (a UPS result is judged once per indicator)`);
p(
  `  runs (rollup rows)            ${fmt(counts.runs)} for the generated range (${fmt(counts.runsInMonth)} touching the month) + ${fmt(counts.historyRuns)} history = ${fmt(counts.runs + counts.historyRuns)}`,
);
p(`  compression                   ${fmt(counts.samples / Math.max(1, counts.runs), 0)} samples per run`);
p(`  raw response-time results     ${fmt(counts.rtRows)} rows`);
p(
  `  database                      ${fmt(dbBytes / MB, 1)} MB${Object.keys(tableBytes).length ? ` (runs ${fmt((tableBytes.runs ?? 0) / MB, 1)} MB, results ${fmt(((tableBytes.results ?? 0) + (tableBytes.results_target_ts ?? 0)) / MB, 1)} MB incl. index)` : ""}`,
);
if (rawBytesPerRow)
  p(
    `  raw results, for comparison   ${fmt(rawBytesPerRow, 0)} B/row → ${fmt((rawBytesPerRow * counts.results) / 1024 ** 3, 1)} GB for ${fmt(counts.results)} results`,
  );
p();
p("rollup build (what ingest does incrementally, here in one pass)");
p(`  generate scenario             ${ms(time.generate)}`);
p(`  code → verdict samples        ${ms(time.samples)}`);
p(
  `  encodeRuns                    ${ms(time.encode)}  (${fmt((time.encode * 1e6) / counts.samples, 0)} ns/sample)`,
);
p(`  save runs (upsert)            ${ms(time.save)}`);
p(
  `  insert response-time rows     ${ms(time.rtInsert)}  (${fmt(counts.rtRows / (time.rtInsert / 1000))} rows/s)`,
);
if (naiveSet.size)
  p(`  insert naive-subset rows      ${ms(time.naiveInsert)}  (${fmt(counts.naiveRows)} rows)`);
p(`  total build                   ${ms(buildMs)}`);
p(
  verified.length
    ? `  appendRun = encodeRuns        ${verified.length} streams checked, all equal; appendRun ${fmt(verified.reduce((s, v) => s + v.appendUsPerSample, 0) / verified.length, 2)} µs/sample`
    : "  appendRun = encodeRuns        not checked (--verify 0)",
);
p();
p(`IndicatorService.compute(${opt.month}) in a fresh process`);
p(
  `  load average before: ${loadBefore.map((x) => x.toFixed(2)).join(" ")} on ${cpus().length} CPUs (other processes inflate wall time; CPU time is steadier)`,
);
p(`  open store (incl. quick_check) ${ms(rollup.openMs)}`);
rollup.runs.forEach((r, i) => {
  p(
    `  ${i === 0 ? "cold" : `warm ${i}`}: wall ${ms(r.wallMs)}, CPU ${ms(r.cpuUserMs)} user + ${ms(r.cpuSystemMs)} sys, RSS before ${fmt(r.rssBeforeMb)} MB, peak ${fmt(
      Math.max(r.vmHwmMb ?? 0, r.rssSampledMaxMb),
    )} MB (VmHWM ${r.vmHwmMb === null ? "n/a" : fmt(r.vmHwmMb)}, sampled ${fmt(r.rssSampledMaxMb)}); event loop blocked up to ${ms(r.eventLoopMaxBlockMs)}`,
  );
});
p(
  `  peak RSS of the whole child   ${fmt(rollup.processHwmMb ?? 0)} MB (VmHWM), ${fmt(rollup.outsideRssMaxMb)} MB sampled from outside every 10 ms`,
);
p(
  `  cold run: runs.load ${ms(rollup.loadMs ?? 0)} for ${fmt(rollup.runRowsLoaded ?? 0)} runs in ${fmt(rollup.loadCalls ?? 0)} queries (${fmt((rollup.loadCalls ?? 0) - specs.length)} re-read with the 31-day lookback); store.operations ${ms(rollup.operationsMs ?? 0)} for ${fmt(rollup.operationRows ?? 0)} raw rows; engine and the rest ${ms(first.wallMs - (rollup.loadMs ?? 0) - (rollup.operationsMs ?? 0))}`,
);
p(`  figures as JSON (GET /api/v1/indicators body) ${fmt((rollup.responseBytes ?? 0) / MB, 1)} MB`);
p(
  `  goal < 5 s and < 500 MB: ${first.wallMs < 5000 && peakMb < 500 ? "MET" : "MISSED"} (${ms(first.wallMs)}, ${fmt(peakMb)} MB)`,
);
p();
p("figures (sanity)");
for (const o of rollup.overview ?? [])
  p(
    `  ${o.id.padEnd(22)} value ${o.value === null ? "n/a" : o.id === "response_time" ? `${fmt(o.value)} ms` : `${fmt(o.value * 100, 4)} %`}  met ${o.met}  targets ${o.targets}, not met ${o.notMet}, low coverage ${o.lowCoverage}, outages ${o.outages}, flaps ${o.flaps}`,
  );
if (naive && naiveRun && naivePerRowUs !== undefined && naiveExtrapolatedMs !== undefined) {
  p();
  p(`naive: raw results sample by sample, ${naiveSet.size} targets (${[...naiveSet].join(", ")})`);
  p(
    `  ${fmt(naive.rawRows ?? 0)} rows read in ${ms(naiveRun.wallMs)} (${fmt(naivePerRowUs, 2)} µs/row), peak ${fmt(Math.max(naiveRun.vmHwmMb ?? 0, naiveRun.rssSampledMaxMb))} MB`,
  );
  p(
    `  extrapolated to all ${specs.length} figures (${fmt(totalReads)} row reads): ${ms(naiveExtrapolatedMs)} — ${fmt(naiveExtrapolatedMs / first.wallMs, 0)}× the rollup's cold time`,
  );
  p(
    `  same figures as the rollup for those targets: ${mismatches.length === 0 ? "yes" : `NO (${mismatches.map(key).join(", ")})`}`,
  );
}
console.log(lines.join("\n"));
if (opt.json)
  console.log(
    JSON.stringify({
      machine,
      targets: nTargets,
      interval: opt.interval,
      month: opt.month,
      counts,
      dbBytes,
      tableBytes,
      build: { ...time, totalMs: buildMs },
      verified,
      compute: {
        loadAverage: loadBefore,
        loadCalls: rollup.loadCalls,
        runRowsLoaded: rollup.runRowsLoaded,
        operationRows: rollup.operationRows,
        responseBytes: rollup.responseBytes,
        openMs: rollup.openMs,
        runs: rollup.runs,
        loadMs: rollup.loadMs,
        operationsMs: rollup.operationsMs,
        processHwmMb: rollup.processHwmMb,
        outsideRssMaxMb: rollup.outsideRssMaxMb,
      },
      naive: naive
        ? {
            targets: [...naiveSet],
            rawRows: naive.rawRows,
            run: naiveRun,
            perRowUs: naivePerRowUs,
            extrapolatedMs: naiveExtrapolatedMs,
            mismatches: mismatches.map(key),
          }
        : null,
    }),
  );
if (!opt.keep && !opt.dir) rmSync(dir, { recursive: true, force: true });
else log(`databases kept in ${dir}`);
if (mismatches.length) process.exit(1);
