// Child process (forked, with an IPC channel): opswatch's side of the probe benchmarks. It probes through
// the agent's own path — a config parsed by config/load.ts, jobsFor, the Scheduler (interval, random
// phase, bounded concurrency, timeout) and the probers from the registry — and only counts the results
// instead of spooling them (the spool and uplink are the ingest bench's subject). The parent
// (bench/agent-process.ts) measures this process's CPU and RSS through /proc and asks for the counts.
import { pino } from "pino";
import { stringify } from "yaml";
import { jobsFor } from "../agent/agent.js";
import { createProbers, runProbe } from "../agent/probers/index.js";
import { Scheduler } from "../agent/scheduler.js";
import { parseConfig } from "../config/load.js";

export interface AgentInput {
  /** The config's `targets`, each with its checks. */
  targets: unknown[];
  concurrency: number;
  /** Values every successful probe must carry, to catch a prober that "succeeds" without reading. */
  expect: Record<string, number | string | boolean>;
}

export interface AgentCounts {
  ok: number;
  failed: number;
  /** ok but without an expected value */
  wrong: number;
  /** turns the Scheduler skipped because the previous probe of that check was still running */
  skipped: number;
  samples: string[]; // first few failures / wrong results, for the report
  memory?: NodeJS.MemoryUsage; // where the RSS goes (V8 heap vs the rest), at the time of the reply
}

/** The input comes over IPC: a 1,000-target config is larger than one argv string may be (128 kB). */
export type ToAgent = { type: "start"; input: AgentInput } | { type: "count" } | { type: "stop" };
export type FromAgent = { type: "ready" } | { type: "counts"; counts: AgentCounts } | { type: "stopped" };

const send = (m: FromAgent) => process.send?.(m);
const counts: AgentCounts = { ok: 0, failed: 0, wrong: 0, skipped: 0, samples: [] };
const sample = (s: string) => {
  if (counts.samples.length < 5) counts.samples.push(s.slice(0, 300));
};

function start(input: AgentInput): () => Promise<void> {
  const text = stringify(
    {
      agent: {
        id: "bench",
        server: "ws://127.0.0.1:9/ws/agent", // never connected: no uplink runs here
        token: "bench",
        concurrency: input.concurrency,
      },
      targets: input.targets,
    },
    { aliasDuplicateObjects: false },
  ); // the shared check keys would become YAML aliases, refused past 100
  const config = parseConfig(text, "bench-agent.yaml", "agent");

  // Warnings go to a counter, not to a terminal: a prober that falls behind warns once per skipped turn.
  const logger = pino(
    { level: "warn" },
    {
      write(line: string) {
        if (line.includes("previous run still busy")) counts.skipped++;
        else sample(`log: ${line}`);
      },
    },
  );

  const probers = createProbers();
  const scheduler = new Scheduler({
    agent: "bench",
    jobs: jobsFor(config, "bench"),
    probe: (check, signal) => runProbe(probers, check, signal),
    concurrency: input.concurrency,
    timezone: config.site.timezone,
    logger,
    onResult(r) {
      if (!r.ok) {
        counts.failed++;
        sample(`${r.target}: ${r.error}`);
        return;
      }
      const off = Object.entries(input.expect).filter(([name, value]) => r.values[name] !== value);
      if (off.length > 0) {
        counts.wrong++;
        sample(
          `${r.target}: ${off.map(([name]) => `${name} = ${JSON.stringify(r.values[name])}`).join(", ")}`,
        );
      } else counts.ok++;
    },
  });
  scheduler.start();
  return async () => {
    await scheduler.stop();
    for (const p of probers.values()) p.close?.();
  };
}

let stop: (() => Promise<void>) | undefined;
process.on("message", async (m: ToAgent) => {
  if (m.type === "start") {
    stop = start(m.input);
    send({ type: "ready" });
  } else if (m.type === "count")
    send({
      type: "counts",
      counts: { ...counts, samples: [...counts.samples], memory: process.memoryUsage() },
    });
  else {
    await stop?.();
    send({ type: "stopped" });
    process.disconnect();
  }
});
