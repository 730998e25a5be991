// SNMP polling benchmark: opswatch's agent path (Scheduler + snmp prober, in a child process) and Debian's
// snmp_exporter (driven like Prometheus) poll the same UPS-MIB responders (Debian snmpd) at the same
// offered rate, one after the other; each poller's CPU and RSS are read from /proc. Not a test: run it by
// hand (`npm run bench:snmp`), results in bench/README.md.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { type PollPlan, planPoll } from "../agent/snmp/profile-plan.js";
import { loadProfiles } from "../agent/snmp/profile-registry.js";
import { type AgentInput, runtime, startAgent } from "./agent-process.js";
import { startExporter } from "./exporter.js";
import { cpuSeconds, machineBusySeconds, memoryMb, sampleRss } from "./proc.js";
import { driveExporter, upsModuleYaml } from "./snmp-exporter.js";
import { startFullAgent } from "./snmp-full.js";
import { type Responders, type SnmpdCounters, startResponders } from "./snmp-responders.js";
import { median } from "./stats.js";

const usage = `usage: npm run bench:snmp -- [options]      (or: npx tsx bench/snmp.ts, but tsx adds ~40 MB to the agent's RSS)
  --devices LIST       device counts to run, comma-separated (default 100,1000)
  --rate N             polls/s offered to each poller in total: each device every devices/N s (default 1000)
  --seconds S          measured window per poller (default 10)
  --warmup S           before measuring: JIT warm; at least one interval + 1 s, so every device was
                       polled once (sessions open) before the window (default 3)
  --concurrency N      polls in flight at most, both pollers (default 64)
  --timeout-ms N       per poll, retries included (default 3000)
  --retries N          (default 1)
  --max-repetitions N  GETBULK (default 20)
  --gomaxprocs LIST    snmp_exporter runs: GOMAXPROCS values, "default" = unset, "" = none (default 1,default)
  --exporter PATH      snmp_exporter binary (default /usr/bin/prometheus-snmp-exporter)
  --skip-full          skip the whole-agent run (CLI agent + spool + uplink to a real server)
  --repeat N           run every poller N times, interleaved; ratios from the medians (default 1)
  --node-flags="…"     extra node flags for the opswatch child, e.g. --node-flags=--max-semi-space-size=4
  --cpu-prof DIR       run the opswatch child with --cpu-prof, .cpuprofile files into DIR
  --json               also print the rows as one JSON line
  --help`;

const { values: opt } = parseArgs({
  options: {
    devices: { type: "string", default: "100,1000" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    concurrency: { type: "string", default: "64" },
    "timeout-ms": { type: "string", default: "3000" },
    retries: { type: "string", default: "1" },
    "max-repetitions": { type: "string", default: "20" },
    gomaxprocs: { type: "string", default: "1,default" },
    exporter: { type: "string", default: "/usr/bin/prometheus-snmp-exporter" },
    repeat: { type: "string", default: "1" },
    "skip-full": { type: "boolean", default: false },
    "node-flags": { type: "string", default: "" },
    "cpu-prof": { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (opt.help) {
  console.log(usage);
  process.exit(0);
}
const num = (name: keyof typeof opt, min: number, max: number): number => {
  const n = Number(opt[name]);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number in ${min}..${max}\n${usage}`);
    process.exit(2);
  }
  return n;
};
const deviceCounts = String(opt.devices)
  .split(",")
  .map((s) => Number(s));
if (deviceCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 5000)) {
  console.error(`--devices: counts in 1..5000, e.g. 100,1000\n${usage}`);
  process.exit(2);
}
const rate = num("rate", 1, 100_000);
const seconds = num("seconds", 1, 3600);
const warmup = num("warmup", 0, 600);
const concurrency = num("concurrency", 1, 1024);
const timeoutMs = num("timeout-ms", 100, 60_000);
const retries = num("retries", 0, 5);
const maxRepetitions = num("max-repetitions", 1, 200);
const repeat = num("repeat", 1, 20);
const nodeFlags = String(opt["node-flags"]).split(" ").filter(Boolean);
/** Each device once per interval, so `rate` polls/s in total. */
const intervalMs = (n: number) => Math.round((n / rate) * 1000);
const warmupMs = (n: number) => Math.max(warmup * 1000, intervalMs(n) + 1000);
const gomaxprocs = String(opt.gomaxprocs).split(",").filter(Boolean); // "" = opswatch only

/**
 * What one UPS poll fetches: opswatch polls with the real profile; the exporter's module GETs and walks
 * exactly what the prober's own plan (agent/snmp/profile-plan.ts) says a poll of a healthy UPS reads.
 * The responders' snmpInPkts check it: requests per poll must match.
 */
const UPS_PROFILE = "ups-rfc1628";
const POLL_PLAN: PollPlan = planPoll(loadProfiles().compile([UPS_PROFILE]), {}, new Map());
/** What every successful opswatch poll must say about the UPS bench/snmp-ups.ts serves. */
const EXPECT: AgentInput["expect"] = {
  "battery.charge": 95,
  "ups.status": "OL",
  "ups.load_powered": true,
  "ups.mains_normal": true,
};
/** The exporter's line for the same battery charge. */
const EXPORTER_EXPECT = "\nupsEstimatedChargeRemaining 95\n";

interface Row {
  poller: string;
  devices: number;
  offeredPerSec: number;
  pollsPerSec: number;
  cpuSeconds: number;
  pollsPerCpuSecond: number;
  rssMb: number; // largest VmRSS sampled while measuring
  endRssMb: number; // VmRSS at the end of the window
  peakRssMb: number; // VmHWM: the largest RSS since the process started
  failed: number;
  wrong: number;
  skipped: number;
  requestsPerPoll: number; // request datagrams snmpd received per ok poll
  responderCpuPct: number; // all snmpd processes, % of one core
  responderMaxCpuPct: number; // the busiest snmpd process
  driverCpuPct: number; // this process (the exporter's scrape driver), % of one core
  machineBusyPct: number; // whole machine, % of one core (2 cores = 200 %)
  samples: string[];
  heap?: string; // opswatch: V8 heap used / total and external memory at the end of the window
}

interface Window {
  counts(): Promise<{
    ok: number;
    failed: number;
    wrong: number;
    skipped: number;
    samples: string[];
    memory?: NodeJS.MemoryUsage;
  }>;
}

/** Measures `pid` for `seconds` after the warm-up: polls (from `w`), CPU, RSS, responder and machine load. */
async function measure(
  poller: string,
  n: number,
  pid: number,
  w: Window,
  responders: Responders,
): Promise<Row> {
  await sleep(warmupMs(n));
  const snap = async () => ({
    counts: await w.counts(),
    cpu: cpuSeconds(pid),
    snmpd: await responders.counters(),
    snmpdCpu: responders.pids.map(cpuSeconds),
    self: process.cpuUsage(),
    machine: machineBusySeconds(),
    t: performance.now(),
  });
  const a = await snap();
  const rss = sampleRss(pid);
  await sleep(seconds * 1000);
  const b = await snap();
  const rssMb = rss.stop();
  const wall = (b.t - a.t) / 1000;
  const ok = b.counts.ok - a.counts.ok;
  const cpu = b.cpu - a.cpu;
  const snmpdCpu = b.snmpdCpu.map((c, i) => c - (a.snmpdCpu[i] ?? 0));
  const d = (k: keyof SnmpdCounters) => b.snmpd[k] - a.snmpd[k];
  const selfCpu = (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6;
  return {
    poller,
    devices: n,
    offeredPerSec: rate,
    pollsPerSec: ok / wall,
    cpuSeconds: cpu,
    pollsPerCpuSecond: ok / cpu,
    rssMb,
    endRssMb: memoryMb(pid, "VmRSS"),
    peakRssMb: memoryMb(pid, "VmHWM"),
    failed: b.counts.failed - a.counts.failed,
    wrong: b.counts.wrong - a.counts.wrong,
    skipped: b.counts.skipped - a.counts.skipped,
    // The counter reads themselves are one request per snmpd process.
    requestsPerPoll: (d("inPkts") - responders.pids.length) / Math.max(1, ok),
    responderCpuPct: (100 * snmpdCpu.reduce((s, c) => s + c, 0)) / wall,
    responderMaxCpuPct: (100 * Math.max(...snmpdCpu)) / wall,
    driverCpuPct: (100 * selfCpu) / wall,
    machineBusyPct: (100 * (b.machine - a.machine)) / wall,
    samples: b.counts.samples,
    ...(b.counts.memory ? { heap: heapSummary(b.counts.memory) } : {}),
  };
}

const heapSummary = (m: NodeJS.MemoryUsage) => {
  const mb = (x: number) => (x / 1024 / 1024).toFixed(1);
  return `RSS ${mb(m.rss)} MB = V8 heap ${mb(m.heapUsed)} used / ${mb(m.heapTotal)} total, external ${mb(m.external)}, rest (code, stacks, libuv, malloc) ${mb(m.rss - m.heapTotal - m.external)}`;
};

async function runOpswatch(n: number, responders: Responders): Promise<Row> {
  const input: AgentInput = {
    targets: responders.devices.slice(0, n).map((d, i) => ({
      id: `ups-${i}`,
      name: `UPS ${i}`,
      checks: [
        {
          id: "snmp",
          kind: "snmp",
          address: `${d.host}:${d.port}`,
          interval: `${intervalMs(n)}ms`,
          timeout: `${timeoutMs}ms`,
          retries,
          profile: UPS_PROFILE,
          max_repetitions: maxRepetitions,
        },
      ],
    })),
    concurrency,
    expect: EXPECT,
  };
  const prof = opt["cpu-prof"]
    ? ["--cpu-prof", `--cpu-prof-dir=${resolve(opt["cpu-prof"])}`, `--cpu-prof-name=opswatch-${n}.cpuprofile`]
    : [];
  const agent = await startAgent(input, [...process.execArgv, ...nodeFlags, ...prof]);
  const row = await measure(`opswatch (${runtime})`, n, agent.pid, agent, responders);
  await agent.stop();
  return row;
}

async function runFullAgent(n: number, responders: Responders, dir: string): Promise<Row> {
  const agent = await startFullAgent({
    dir: mkdtempSync(join(dir, "full-")),
    devices: responders.devices.slice(0, n),
    intervalMs: intervalMs(n),
    timeoutMs,
    retries,
    concurrency,
    maxRepetitions,
    profile: UPS_PROFILE,
    nodeFlags,
  });
  try {
    const row = await measure(
      "opswatch agent (CLI, spool, uplink)",
      n,
      agent.pid,
      { counts: async () => ({ ok: await agent.ingested(), failed: 0, wrong: 0, skipped: 0, samples: [] }) },
      responders,
    );
    // Committed results count as polls; correctness is checked on the newest result of every target.
    const off = await agent.notOnLine();
    return { ...row, wrong: off.count, samples: off.samples };
  } finally {
    await agent.stop();
  }
}

async function runExporter(
  n: number,
  responders: Responders,
  dir: string,
  procs: string,
  port: number,
): Promise<Row> {
  const configFile = join(dir, "snmp.yml");
  writeFileSync(configFile, upsModuleYaml(POLL_PLAN, { timeoutMs, retries, maxRepetitions }));
  const exporter = await startExporter({
    name: "snmp_exporter",
    bin: String(opt.exporter),
    configFile,
    port,
    env: procs === "default" ? {} : { GOMAXPROCS: procs },
  });
  try {
    const driver = driveExporter({
      url: exporter.url,
      devices: responders.devices.slice(0, n),
      intervalMs: intervalMs(n),
      timeoutMs,
      concurrency,
      expectLine: EXPORTER_EXPECT,
    });
    try {
      return await measure(
        `snmp_exporter GOMAXPROCS=${procs}`,
        n,
        exporter.pid,
        { counts: async () => driver.counts() },
        responders,
      );
    } finally {
      await driver.stop();
    }
  } finally {
    await exporter.stop();
  }
}

// ---------- report ----------
const f0 = (x: number) => Math.round(x).toLocaleString("en-US");
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

function table(rows: Row[]): string {
  const head = [
    "poller",
    "devices",
    "offered/s",
    "polls/s",
    "polls / CPU-s",
    "CPU % of a core",
    "RSS MB: window max / end / process peak",
    "failed / wrong / skipped",
    "requests per poll",
    "snmpd CPU % (busiest)",
    "driver CPU %",
    "machine busy %",
  ];
  const lines = rows.map((r) => [
    r.poller,
    f0(r.devices),
    f0(r.offeredPerSec),
    f0(r.pollsPerSec),
    `**${f0(r.pollsPerCpuSecond)}**`,
    f1((100 * r.cpuSeconds) / seconds),
    `${f1(r.rssMb)} / ${f1(r.endRssMb)} / ${f1(r.peakRssMb)}`,
    `${r.failed} / ${r.wrong} / ${r.skipped}`,
    f2(r.requestsPerPoll),
    `${f1(r.responderCpuPct)} (${f1(r.responderMaxCpuPct)})`,
    r.poller.startsWith("snmp_exporter") ? f1(r.driverCpuPct) : "–",
    f1(r.machineBusyPct),
  ]);
  return [head, head.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/**
 * Per device count: each opswatch run (the polling path; the whole agent) ÷ each exporter setting, and
 * its RSS; medians over the repeats.
 */
function ratios(rows: Row[]): string[] {
  const pollers = (prefix: string) => [
    ...new Set(rows.filter((r) => r.poller.startsWith(prefix)).map((r) => r.poller)),
  ];
  return deviceCounts.flatMap((n) => {
    const of = (poller: string, key: "pollsPerCpuSecond" | "rssMb" | "endRssMb" | "peakRssMb") =>
      median(rows.filter((r) => r.devices === n && r.poller === poller).map((r) => r[key]));
    return pollers("opswatch").flatMap((ours) => [
      ...pollers("snmp_exporter").map((theirs) => {
        const ratio = of(ours, "pollsPerCpuSecond") / of(theirs, "pollsPerCpuSecond");
        return `${f0(n)} devices: ${ours} ÷ ${theirs} = ${f2(ratio)}× polls per CPU-second (goal ≥ 1.0: ${ratio >= 1 ? "met" : "MISSED"})`;
      }),
      `${f0(n)} devices: ${ours} RSS window max ${f1(of(ours, "rssMb"))} MB, end ${f1(of(ours, "endRssMb"))} MB, process peak ${f1(of(ours, "peakRssMb"))} MB (goal < 100)`,
    ]);
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-bench-snmp-"));
  const maxDevices = Math.max(...deviceCounts);
  console.error(`starting snmpd responders for ${maxDevices} devices…`);
  const responders = await startResponders(maxDevices);
  const rows: Row[] = [];
  try {
    for (let round = 1; round <= repeat; round++)
      for (const n of deviceCounts) {
        console.error(`round ${round}, ${n} devices: opswatch…`);
        rows.push(await runOpswatch(n, responders));
        if (!opt["skip-full"]) {
          console.error(`round ${round}, ${n} devices: opswatch agent (CLI)…`);
          rows.push(await runFullAgent(n, responders, dir));
        }
        for (const [i, procs] of gomaxprocs.entries()) {
          console.error(`round ${round}, ${n} devices: snmp_exporter GOMAXPROCS=${procs}…`);
          rows.push(await runExporter(n, responders, dir, procs, 19116 + i));
        }
      }
  } finally {
    await responders.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nSNMP polling: ${rate} polls/s offered, ${seconds} s measured after ${deviceCounts.map((n) => `${warmupMs(n) / 1000} s`).join(" / ")} of warm-up, concurrency ${concurrency}, timeout ${timeoutMs} ms, retries ${retries}, max-repetitions ${maxRepetitions}; ${responders.pids.length} snmpd processes; profile ${UPS_PROFILE}: GET ${POLL_PLAN.get.length} OIDs, walk ${POLL_PLAN.walks.length}${nodeFlags.length > 0 ? `; opswatch child: node ${nodeFlags.join(" ")}` : ""}\n`,
  );
  console.log(table(rows));
  console.log("");
  for (const line of ratios(rows)) console.log(line);
  for (const r of rows) {
    if (r.heap) console.log(`${r.poller} @ ${r.devices}: ${r.heap}`);
    for (const s of r.samples) console.log(`  ${r.poller} @ ${r.devices}: ${s}`);
  }
  if (opt.json) console.log(JSON.stringify(rows));
}

await main();
