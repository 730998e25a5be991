import type { AgentConfig, Config } from "../config/schema.js";
import type { Logger } from "../lib/log.js";
import { VERSION } from "../lib/version.js";
import { createProbers, runProbe } from "./probers/index.js";
import { type Job, Scheduler } from "./scheduler.js";
import { Spool } from "./spool.js";
import { Uplink } from "./uplink.js";

export interface RunningAgent {
  spool: Spool;
  uplink: Uplink;
  jobs: readonly Job[];
  stop(): Promise<void>;
}

/** The checks this agent runs: those without an `agents` list, and those naming it. */
export function jobsFor(config: Config, agentId: string): Job[] {
  return config.targets.flatMap((target) =>
    target.checks.filter((c) => !c.agents || c.agents.includes(agentId)).map((check) => ({ target, check })),
  );
}

export function startAgent(config: Config & { agent: AgentConfig }, logger: Logger): RunningAgent {
  const ac = config.agent;
  const log = logger.child({ agent: ac.id });
  const spool = new Spool(ac.spool);
  const probers = createProbers();
  const uplink = new Uplink({
    url: ac.server,
    agent: ac.id,
    token: ac.token,
    version: VERSION,
    spool,
    batchMax: ac.batch_max,
    batchDelayMs: ac.batch_delay,
    inFlight: ac.in_flight,
    reconnectMaxMs: ac.reconnect_max,
    logger: log,
  });
  const jobs = jobsFor(config, ac.id);
  const scheduler = new Scheduler({
    agent: ac.id,
    jobs,
    probe: (check, signal) => runProbe(probers, check, signal),
    concurrency: ac.concurrency,
    timezone: config.site.timezone,
    logger: log,
    onResult: (r) => {
      spool.append(r);
      uplink.notify();
    },
  });
  uplink.start();
  scheduler.start();
  log.info(
    { checks: jobs.length, spool: ac.spool, pending: spool.depth(), server: ac.server },
    "agent started",
  );
  return {
    spool,
    uplink,
    jobs,
    async stop() {
      await scheduler.stop();
      await uplink.stop();
      for (const p of probers.values()) p.close?.();
      spool.close();
      log.info({ pending: spool.depth() }, "agent stopped");
    },
  };
}
