// SNMP polling benchmark: opswatch's agent path (Scheduler + snmp prober, in a child process) and Debian's
// snmp_exporter (driven like Prometheus) poll the same UPS-MIB responders (Debian snmpd) at the same
// offered rate, one after the other; each poller's CPU and RSS are read from /proc. Not a test: run it by
// hand (`npm run bench:snmp`), results in bench/README.md.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import type { AgentCounts, AgentInput, FromAgent, ToAgent } from "./snmp-agent.js";
import { driveExporter, type PollSpec, startExporter, upsModuleYaml } from "./snmp-exporter.js";
import { cpuSeconds, machineBusySeconds, memoryMb, sampleRss } from "./snmp-proc.js";
import { type Responders, type SnmpdCounters, startResponders } from "./snmp-responders.js";
import { UPS } from "./snmp-ups.js";

const usage = `usage: npm run bench:snmp -- [options]      (or: npx tsx bench/snmp.ts, but tsx adds ~40 MB to the agent's RSS)
  --devices LIST       device counts to run, comma-separated (default 100,1000)
  --rate N             polls/s offered to each poller in total: each device every devices/N s (default 1000)
  --seconds S          measured window per poller (default 10)
  --warmup S           before measuring: sessions opened, JIT warm (default 3)
  --concurrency N      polls in flight at most, both pollers (default 64)
  --timeout-ms N       per poll, retries included (default 3000)
  --retries N          (default 1)
  --max-repetitions N  GETBULK (default 20)
  --gomaxprocs LIST    snmp_exporter runs: GOMAXPROCS values, "default" = unset (default 1,default)
  --exporter PATH      snmp_exporter binary (default /usr/bin/prometheus-snmp-exporter)
  --profile DIR        run the opswatch child with --cpu-prof, .cpuprofile files into DIR
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
    profile: { type: "string" },
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
const gomaxprocs = String(opt.gomaxprocs).split(",");

/**
 * What one UPS poll fetches. TEMPORARY until the profile-based prober lands: the raw GETs of
 * config/demo.yaml. Then: `profile: ups-rfc1628`, and the GETs and walks the profile does.
 */
const POLL: { check: Record<string, unknown>; spec: PollSpec; expect: AgentInput["expect"] } = (() => {
  const oids: Record<string, string> = {
    "battery.status": `${UPS}.2.1.0`,
    "battery.seconds_on_battery": `${UPS}.2.2.0`,
    "battery.runtime_minutes": `${UPS}.2.3.0`,
    "battery.charge": `${UPS}.2.4.0`,
    "input.line_bads": `${UPS}.3.1.0`,
    "input.voltage": `${UPS}.3.3.1.3.1`,
    "ups.output_source": `${UPS}.4.1.0`,
    "ups.load": `${UPS}.4.4.1.5.1`,
    "ups.alarms_present": `${UPS}.6.1.0`,
  };
  return {
    check: { oids },
    spec: { gets: Object.values(oids), walks: [] },
    expect: { name: "battery.charge", value: 95 },
  };
})();
/** The exporter's line for the same value (bench/snmp-ups.ts serves 95). */
const EXPORTER_EXPECT = "\nupsEstimatedChargeRemaining 95\n";

// Works both under tsx (sibling .ts files) and compiled (dist/bench/*.js).
const sibling = (name: string) =>
  new URL(`./${name}${extname(new URL(import.meta.url).pathname)}`, import.meta.url);

interface Row {
  poller: string;
  devices: number;
  offeredPerSec: number;
  pollsPerSec: number;
  cpuSeconds: number;
  pollsPerCpuSecond: number;
  rssMb: number; // largest VmRSS sampled while measuring
  peakRssMb: number; // VmHWM at the end of the window
  failed: number;
  wrong: number;
  skipped: number;
  requestsPerPoll: number; // request datagrams snmpd received per ok poll
  responderCpuPct: number; // all snmpd processes, % of one core
  responderMaxCpuPct: number; // the busiest snmpd process
  driverCpuPct: number; // this process (the exporter's scrape driver), % of one core
  machineBusyPct: number; // whole machine, % of one core (2 cores = 200 %)
  samples: string[];
}

interface Window {
  counts(): Promise<{ ok: number; failed: number; wrong: number; skipped: number; samples: string[] }>;
}

/** Measures `pid` for `seconds` after `warmup`: polls (from `w`), CPU, RSS, responder and machine load. */
async function measure(
  poller: string,
  n: number,
  pid: number,
  w: Window,
  responders: Responders,
): Promise<Row> {
  await sleep(warmup * 1000);
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
  };
}

/** Child processes still running, killed if the bench itself fails. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

async function runOpswatch(n: number, responders: Responders): Promise<Row> {
  const input: AgentInput = {
    devices: responders.devices.slice(0, n),
    intervalMs: Math.round((n / rate) * 1000),
    timeoutMs,
    retries,
    concurrency,
    check: { ...POLL.check },
    expect: POLL.expect,
  };
  const prof = opt.profile
    ? ["--cpu-prof", `--cpu-prof-dir=${resolve(opt.profile)}`, `--cpu-prof-name=opswatch-${n}.cpuprofile`]
    : [];
  const child = fork(sibling("snmp-agent").pathname, [JSON.stringify(input)], {
    execArgv: [...process.execArgv, ...prof],
    stdio: "inherit",
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const next = (type: FromAgent["type"]) =>
    new Promise<FromAgent>((resolve, reject) => {
      const onMessage = (m: FromAgent) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(m);
      };
      const onExit = (code: number | null) => reject(new Error(`opswatch child exited (${code})`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ask = (m: ToAgent) => child.send(m);
  await next("ready");
  const row = await measure(
    `opswatch (${process.execArgv.length > 0 ? "tsx" : "node"})`,
    n,
    child.pid as number,
    {
      async counts() {
        const reply = next("counts");
        ask({ type: "count" });
        return ((await reply) as { counts: AgentCounts }).counts;
      },
    },
    responders,
  );
  const stopped = next("stopped");
  ask({ type: "stop" });
  await stopped;
  await new Promise<void>((r) => (child.exitCode === null ? child.once("exit", () => r()) : r()));
  return row;
}

async function runExporter(
  n: number,
  responders: Responders,
  dir: string,
  procs: string,
  port: number,
): Promise<Row> {
  const configFile = join(dir, "snmp.yml");
  writeFileSync(configFile, upsModuleYaml(POLL.spec, { timeoutMs, retries, maxRepetitions }));
  const exporter = await startExporter({
    bin: String(opt.exporter),
    configFile,
    port,
    env: procs === "default" ? {} : { GOMAXPROCS: procs },
  });
  try {
    const driver = driveExporter({
      url: exporter.url,
      devices: responders.devices.slice(0, n),
      intervalMs: Math.round((n / rate) * 1000),
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
    "RSS MB (peak)",
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
    `${f1(r.rssMb)} (${f1(r.peakRssMb)})`,
    `${r.failed} / ${r.wrong} / ${r.skipped}`,
    f2(r.requestsPerPoll),
    `${f1(r.responderCpuPct)} (${f1(r.responderMaxCpuPct)})`,
    r.poller.startsWith("snmp_exporter") ? f1(r.driverCpuPct) : "–",
    f1(r.machineBusyPct),
  ]);
  return [head, head.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

function ratios(rows: Row[]): string[] {
  return deviceCounts.flatMap((n) => {
    const ours = rows.find((r) => r.devices === n && r.poller.startsWith("opswatch"));
    return rows
      .filter((r) => r.devices === n && r.poller.startsWith("snmp_exporter"))
      .map((theirs) => {
        const ratio = (ours?.pollsPerCpuSecond ?? 0) / theirs.pollsPerCpuSecond;
        const rss = ours ? `; opswatch RSS ${f1(ours.rssMb)} MB (peak ${f1(ours.peakRssMb)})` : "";
        return `${f0(n)} devices: opswatch ÷ ${theirs.poller} = ${f2(ratio)}× polls per CPU-second (goal ≥ 1.0: ${ratio >= 1 ? "met" : "MISSED"})${rss}`;
      });
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-bench-snmp-"));
  const maxDevices = Math.max(...deviceCounts);
  console.error(`starting snmpd responders for ${maxDevices} devices…`);
  const responders = await startResponders(maxDevices);
  const rows: Row[] = [];
  try {
    for (const n of deviceCounts) {
      console.error(`${n} devices: opswatch…`);
      rows.push(await runOpswatch(n, responders));
      for (const [i, procs] of gomaxprocs.entries()) {
        console.error(`${n} devices: snmp_exporter GOMAXPROCS=${procs}…`);
        rows.push(await runExporter(n, responders, dir, procs, 19116 + i));
      }
    }
  } finally {
    await responders.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nSNMP polling: ${rate} polls/s offered, ${seconds} s measured after ${warmup} s, concurrency ${concurrency}, timeout ${timeoutMs} ms, retries ${retries}, max-repetitions ${maxRepetitions}; ${responders.pids.length} snmpd processes\n`,
  );
  console.log(table(rows));
  console.log("");
  for (const line of ratios(rows)) console.log(line);
  for (const r of rows) for (const s of r.samples) console.log(`  ${r.poller} @ ${r.devices}: ${s}`);
  if (opt.json) console.log(JSON.stringify(rows));
}

await main();
