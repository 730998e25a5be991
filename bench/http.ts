// HTTP probing benchmark: opswatch's agent path (Scheduler + http prober, in a child process) and Debian's
// blackbox_exporter (driven like Prometheus) probe the same local web site (1,000 distinct pages) at the
// same interval, one after the other; each prober's CPU and RSS are read from /proc. Not a test: run it
// by hand (`npm run bench:http`), results in bench/README.md.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { type AgentCounts, runtime, startAgent } from "./agent-process.js";
import { startExporter } from "./exporter.js";
import { blackboxYaml, driveBlackbox } from "./http-blackbox.js";
import { PAGE_BYTES, type Site, startSite } from "./http-site.js";
import { cpuSeconds, machineBusySeconds, memoryMb, sampleRss } from "./proc.js";
import { median } from "./stats.js";

const usage = `usage: npm run bench:http -- [options]      (or: npx tsx bench/http.ts, but tsx adds ~40 MB to the agent's RSS)
  --targets LIST       target counts to run, comma-separated; target N fetches /page/N (default 1000)
  --interval S         seconds between two probes of a target, both probers (default 30)
  --seconds S          measured window per prober (default 60)
  --warmup S           opswatch, before measuring: V8 needs minutes of probing at 33 probes/s before
                       the hot paths are optimized (default 300); at least one interval + 1 s
  --exporter-warmup S  blackbox_exporter, before measuring (compiled Go: no JIT to wait for); at
                       least one interval + 1 s, so every target was probed once (default 0)
  --concurrency N      probes in flight at most, both probers (default 16, the agent's default)
  --timeout-ms N       per probe (default 15000, the website check's default)
  --keyword TEXT       the body must hold it, both probers; "" = no body check (default 区政府门户网站)
  --host ADDR          the site's address, in the URLs as is: 127.0.0.1, ::1 or localhost (a name:
                       both probers resolve it on every probe) (default 127.0.0.1)
  --gomaxprocs LIST    blackbox_exporter runs: GOMAXPROCS values, "default" = unset, "" = none (default 1,default)
  --blackbox PATH      blackbox_exporter binary (default /usr/bin/prometheus-blackbox-exporter)
  --repeat N           run every prober N times, interleaved; ratios from the medians (default 1)
  --node-flags="…"     extra node flags for the opswatch child, e.g. --node-flags=--max-semi-space-size=4
  --cpu-prof DIR       run the opswatch child with --cpu-prof, .cpuprofile files into DIR
  --json               also print the rows as one JSON line
  --help`;

const { values: opt } = parseArgs({
  options: {
    targets: { type: "string", default: "1000" },
    interval: { type: "string", default: "30" },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "300" },
    "exporter-warmup": { type: "string", default: "0" },
    concurrency: { type: "string", default: "16" },
    "timeout-ms": { type: "string", default: "15000" },
    keyword: { type: "string", default: "区政府门户网站" },
    host: { type: "string", default: "127.0.0.1" },
    gomaxprocs: { type: "string", default: "1,default" },
    blackbox: { type: "string", default: "/usr/bin/prometheus-blackbox-exporter" },
    repeat: { type: "string", default: "1" },
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
const targetCounts = String(opt.targets)
  .split(",")
  .map((s) => Number(s));
if (targetCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 20_000)) {
  console.error(`--targets: counts in 1..20000, e.g. 100,1000\n${usage}`);
  process.exit(2);
}
const intervalMs = num("interval", 0.1, 3600) * 1000;
const seconds = num("seconds", 1, 3600);
const atLeastOneRound = (s: number) => Math.max(s * 1000, intervalMs + 1000);
const warmupMs = atLeastOneRound(num("warmup", 0, 3600));
const exporterWarmupMs = atLeastOneRound(num("exporter-warmup", 0, 3600));
const concurrency = num("concurrency", 1, 1024);
const timeoutMs = num("timeout-ms", 100, 120_000);
const repeat = num("repeat", 1, 20);
const keyword = String(opt.keyword);
const host = String(opt.host);
const nodeFlags = String(opt["node-flags"]).split(" ").filter(Boolean);
const gomaxprocs = String(opt.gomaxprocs).split(",").filter(Boolean); // "" = opswatch only

/** What every successful opswatch probe must report: the status and the whole page read. */
const EXPECT = { "http.status": 200, "http.content_length": PAGE_BYTES };

interface Row {
  prober: string;
  targets: number;
  offeredPerSec: number;
  probesPerSec: number;
  cpuSeconds: number;
  probesPerCpuSecond: number;
  rssMb: number; // largest VmRSS sampled while measuring
  endRssMb: number; // VmRSS at the end of the window
  peakRssMb: number; // VmHWM: the largest RSS since the process started
  failed: number;
  wrong: number;
  skipped: number;
  connectionsPerRequest: number; // at the site: 1.00 = a new connection for every probe
  requestsPerProbe: number; // at the site, per ok probe
  siteCpuPct: number; // the web site process, % of one core
  driverCpuPct: number; // this process (blackbox's scrape driver), % of one core
  machineBusyPct: number; // whole machine, % of one core (2 cores = 200 %)
  samples: string[];
  heap?: string; // opswatch: V8 heap used / total and external memory at the end of the window
}

interface Window {
  counts(): Promise<Pick<AgentCounts, "ok" | "failed" | "wrong" | "skipped" | "samples" | "memory">>;
}

/** Measures `pid` for `seconds` after `warmup` ms: probes (from `w`), CPU, RSS, site and machine load. */
async function measure(
  prober: string,
  n: number,
  pid: number,
  w: Window,
  site: Site,
  warmup: number,
): Promise<Row> {
  await sleep(warmup);
  const snap = async () => ({
    counts: await w.counts(),
    cpu: cpuSeconds(pid),
    site: await site.counts(),
    siteCpu: cpuSeconds(site.pid),
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
  const requests = b.site.requests - a.site.requests;
  const selfCpu = (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6;
  return {
    prober,
    targets: n,
    offeredPerSec: (n * 1000) / intervalMs,
    probesPerSec: ok / wall,
    cpuSeconds: cpu,
    probesPerCpuSecond: ok / cpu,
    rssMb,
    endRssMb: memoryMb(pid, "VmRSS"),
    peakRssMb: memoryMb(pid, "VmHWM"),
    failed: b.counts.failed - a.counts.failed,
    wrong: b.counts.wrong - a.counts.wrong,
    skipped: b.counts.skipped - a.counts.skipped,
    connectionsPerRequest: (b.site.connections - a.site.connections) / Math.max(1, requests),
    requestsPerProbe: requests / Math.max(1, ok),
    siteCpuPct: (100 * (b.siteCpu - a.siteCpu)) / wall,
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

const pageUrls = (site: Site, n: number) => Array.from({ length: n }, (_, i) => site.url(i));

async function runOpswatch(n: number, site: Site): Promise<Row> {
  const targets = pageUrls(site, n).map((url, i) => ({
    id: `site-${i}`,
    name: `Site ${i}`,
    checks: [
      {
        id: "home",
        kind: "http",
        url,
        interval: `${intervalMs}ms`,
        timeout: `${timeoutMs}ms`,
        ...(keyword ? { keyword } : {}),
      },
    ],
  }));
  const prof = opt["cpu-prof"]
    ? ["--cpu-prof", `--cpu-prof-dir=${resolve(opt["cpu-prof"])}`, `--cpu-prof-name=opswatch-${n}.cpuprofile`]
    : [];
  const agent = await startAgent({ targets, concurrency, expect: EXPECT }, [
    ...process.execArgv,
    ...nodeFlags,
    ...prof,
  ]);
  const name = `opswatch (${[runtime, ...nodeFlags].join(" ")})`;
  const row = await measure(name, n, agent.pid, agent, site, warmupMs);
  await agent.stop();
  return row;
}

async function runBlackbox(n: number, site: Site, dir: string, procs: string, port: number): Promise<Row> {
  const configFile = join(dir, "blackbox.yml");
  writeFileSync(configFile, blackboxYaml({ timeoutMs, keyword }));
  const exporter = await startExporter({
    name: "blackbox_exporter",
    bin: String(opt.blackbox),
    configFile,
    port,
    env: procs === "default" ? {} : { GOMAXPROCS: procs },
  });
  try {
    const driver = driveBlackbox({
      url: exporter.url,
      targets: pageUrls(site, n),
      intervalMs,
      timeoutMs,
      concurrency,
    });
    try {
      return await measure(
        `blackbox_exporter GOMAXPROCS=${procs}`,
        n,
        exporter.pid,
        { counts: async () => driver.counts() },
        site,
        exporterWarmupMs,
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
    "prober",
    "targets",
    "offered/s",
    "probes/s",
    "probes / CPU-s",
    "CPU % of a core",
    "RSS MB: window max / end / process peak",
    "failed / wrong / skipped",
    "connections per request",
    "requests per probe",
    "site CPU %",
    "driver CPU %",
    "machine busy %",
  ];
  const lines = rows.map((r) => [
    r.prober,
    f0(r.targets),
    f1(r.offeredPerSec),
    f1(r.probesPerSec),
    `**${f0(r.probesPerCpuSecond)}**`,
    f1((100 * r.cpuSeconds) / seconds),
    `${f1(r.rssMb)} / ${f1(r.endRssMb)} / ${f1(r.peakRssMb)}`,
    `${r.failed} / ${r.wrong} / ${r.skipped}`,
    `${f2(r.connectionsPerRequest)}${reused(r) ? " ⚠" : ""}`,
    f2(r.requestsPerProbe),
    f1(r.siteCpuPct),
    r.prober.startsWith("blackbox") ? f1(r.driverCpuPct) : "–",
    f1(r.machineBusyPct),
  ]);
  return [head, head.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** A prober that reuses connections skips connect (and TLS): not what a probe must measure. */
const reused = (r: Row) => r.connectionsPerRequest < 0.99;

/** Per target count: opswatch ÷ each blackbox setting, medians over the repeats. */
function ratios(rows: Row[]): string[] {
  return targetCounts.flatMap((n) => {
    const of = (prober: string) => rows.filter((r) => r.targets === n && r.prober === prober);
    const ours = rows.find((r) => r.targets === n && r.prober.startsWith("opswatch"))?.prober ?? "";
    const oursRate = median(of(ours).map((r) => r.probesPerCpuSecond));
    const rss = `opswatch RSS (medians) window max ${f1(median(of(ours).map((r) => r.rssMb)))} MB, end ${f1(median(of(ours).map((r) => r.endRssMb)))} MB, process peak ${f1(median(of(ours).map((r) => r.peakRssMb)))} MB (goal < 100)`;
    const theirs = [...new Set(rows.filter((r) => r.prober.startsWith("blackbox")).map((r) => r.prober))];
    return [
      `${f0(n)} targets: opswatch ${f0(oursRate)} probes per CPU-second (median of ${of(ours).length})`,
      ...theirs.map((p) => {
        const rate = median(of(p).map((r) => r.probesPerCpuSecond));
        const ratio = oursRate / rate;
        return `${f0(n)} targets: opswatch ÷ ${p} (${f0(rate)}) = ${f2(ratio)}× probes per CPU-second (goal ≥ 1.0: ${ratio >= 1 ? "met" : "MISSED"})`;
      }),
      `${f0(n)} targets: ${rss}`,
      ...rows
        .filter((r) => r.targets === n && reused(r))
        .map(
          (r) =>
            `${f0(n)} targets: ⚠ ${r.prober} reused connections (${f2(r.connectionsPerRequest)} per request): its figures are not comparable`,
        ),
    ];
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-bench-http-"));
  const site = await startSite({ host, pages: Math.max(...targetCounts), keyword });
  const rows: Row[] = [];
  try {
    for (let round = 1; round <= repeat; round++)
      for (const n of targetCounts) {
        console.error(`round ${round}, ${n} targets: opswatch…`);
        rows.push(await runOpswatch(n, site));
        for (const [i, procs] of gomaxprocs.entries()) {
          console.error(`round ${round}, ${n} targets: blackbox_exporter GOMAXPROCS=${procs}…`);
          rows.push(await runBlackbox(n, site, dir, procs, 19115 + i));
        }
      }
  } finally {
    await site.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nHTTP probing: every target every ${intervalMs / 1000} s (GET ${site.url(0).replace(/0$/, "N")}, ${PAGE_BYTES} B, keyword ${keyword ? JSON.stringify(keyword) : "none"}), ${seconds} s measured after a warm-up of ${warmupMs / 1000} s (opswatch) / ${exporterWarmupMs / 1000} s (blackbox_exporter), concurrency ${concurrency}, timeout ${timeoutMs} ms\n`,
  );
  console.log(table(rows));
  console.log("");
  for (const line of ratios(rows)) console.log(line);
  for (const r of rows) {
    if (r.heap) console.log(`${r.prober} @ ${r.targets}: ${r.heap}`);
    for (const s of r.samples) console.log(`  ${r.prober} @ ${r.targets}: ${s}`);
  }
  if (opt.json) console.log(JSON.stringify(rows));
}

await main();
