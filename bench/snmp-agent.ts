// Child process (forked, with an IPC channel): opswatch's side of the SNMP benchmark. It polls the
// devices through the agent's own path — a config parsed by config/load.ts, jobsFor, the Scheduler
// (interval, random phase, bounded concurrency, timeout) and the snmp prober from the registry — and only
// counts the results instead of spooling them (the spool and uplink are the ingest bench's subject).
// The parent measures this process's CPU and RSS through /proc and asks for the counts over IPC.
import { pino } from "pino";
import { stringify } from "yaml";
import { jobsFor } from "../agent/agent.js";
import { createProbers, runProbe } from "../agent/probers/index.js";
import { Scheduler } from "../agent/scheduler.js";
import { parseConfig } from "../config/load.js";
import type { Device } from "./snmp-responders.js";

export interface AgentInput {
  devices: Device[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  concurrency: number;
  /** Keys added to every snmp check, e.g. `{ profile: "ups-rfc1628" }` or `{ oids: {…} }`. */
  check: Record<string, unknown>;
  /** Values every successful poll must carry, to catch a poller that "succeeds" without reading. */
  expect: Record<string, number | string | boolean>;
}

export interface AgentCounts {
  ok: number;
  failed: number;
  /** ok but without an expected value */
  wrong: number;
  /** turns the Scheduler skipped because the previous poll of that device was still running */
  skipped: number;
  samples: string[]; // first few failures / wrong results, for the report
  memory?: NodeJS.MemoryUsage; // where the RSS goes (V8 heap vs the rest), at the time of the reply
}

export type ToAgent = { type: "count" } | { type: "stop" };
export type FromAgent = { type: "ready" } | { type: "counts"; counts: AgentCounts } | { type: "stopped" };

const input = JSON.parse(process.argv[2] ?? "") as AgentInput;
const send = (m: FromAgent) => process.send?.(m);
const counts: AgentCounts = { ok: 0, failed: 0, wrong: 0, skipped: 0, samples: [] };
const sample = (s: string) => {
  if (counts.samples.length < 5) counts.samples.push(s.slice(0, 300));
};

const text = stringify(
  {
    agent: {
      id: "bench",
      server: "ws://127.0.0.1:9/ws/agent", // never connected: no uplink runs here
      token: "bench",
      concurrency: input.concurrency,
    },
    targets: input.devices.map((d, i) => ({
      id: `ups-${i}`,
      name: `UPS ${i}`,
      checks: [
        {
          id: "snmp",
          kind: "snmp",
          address: `${d.host}:${d.port}`,
          interval: `${input.intervalMs}ms`,
          timeout: `${input.timeoutMs}ms`,
          retries: input.retries,
          ...input.check,
        },
      ],
    })),
  },
  { aliasDuplicateObjects: false },
); // the shared check keys would become YAML aliases, refused past 100
const config = parseConfig(text, "bench-snmp.yaml", "agent");

// Warnings go to a counter, not to a terminal: a poller that falls behind warns once per skipped turn.
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
      sample(`${r.target}: ${off.map(([name]) => `${name} = ${JSON.stringify(r.values[name])}`).join(", ")}`);
    } else counts.ok++;
  },
});

process.on("message", async (m: ToAgent) => {
  if (m.type === "count")
    send({
      type: "counts",
      counts: { ...counts, samples: [...counts.samples], memory: process.memoryUsage() },
    });
  else {
    await scheduler.stop();
    for (const p of probers.values()) p.close?.();
    send({ type: "stopped" });
    process.disconnect();
  }
});
scheduler.start();
send({ type: "ready" });
