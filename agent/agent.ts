import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AgentConfig, Config } from "../config/schema.js";
import type { Logger } from "../lib/log.js";
import { VERSION } from "../lib/version.js";
import { AgentMetrics } from "./metrics.js";
import { createProbers, runProbe } from "./probers/index.js";
import { type Job, Scheduler } from "./scheduler.js";
import { Spool } from "./spool.js";
import { TrapReceiver } from "./traps/receiver.js";
import { resolveSources, snmpHosts } from "./traps/sources.js";
import { Uplink, type UplinkTls } from "./uplink.js";

export interface RunningAgent {
  spool: Spool;
  uplink: Uplink;
  jobs: readonly Job[];
  /** The SNMP trap receiver, when `agent.traps.listen` is set. */
  traps?: TrapReceiver;
  /** SIGHUP: a new token and TLS files (from the re-read config); reconnects with them. */
  reload(ac: AgentConfig): void;
  stop(): Promise<void>;
}

/** The PEM text of agent.tls's files (read at start and on SIGHUP; a missing file throws with its name). */
function uplinkTls(ac: AgentConfig): UplinkTls | undefined {
  const t = ac.tls;
  if (!t) return undefined;
  return {
    ...(t.ca_file ? { ca: readFileSync(t.ca_file, "utf8") } : {}),
    ...(t.cert_file ? { cert: readFileSync(t.cert_file, "utf8") } : {}),
    ...(t.key_file ? { key: readFileSync(t.key_file, "utf8") } : {}),
  };
}

/** The checks this agent runs: those without an `agents` list, and those naming it. */
export function jobsFor(config: Config, agentId: string): Job[] {
  return config.targets.flatMap((target) =>
    target.checks.filter((c) => !c.agents || c.agents.includes(agentId)).map((check) => ({ target, check })),
  );
}

/**
 * Starts probing and uplink; rejects (having started nothing) when the trap receiver or the metrics
 * endpoint cannot listen.
 */
export async function startAgent(
  config: Config & { agent: AgentConfig },
  logger: Logger,
): Promise<RunningAgent> {
  const ac = config.agent;
  const log = logger.child({ agent: ac.id });
  const spool = new Spool(ac.spool, log);
  const probers = createProbers({ indicators: config.indicators });
  const uplink = new Uplink({
    url: ac.server,
    agent: ac.id,
    token: ac.token,
    ...(ac.tls ? { tls: uplinkTls(ac) } : {}),
    version: VERSION,
    spool,
    batchMax: ac.batch_max,
    batchDelayMs: ac.batch_delay,
    inFlight: ac.in_flight,
    reconnectMaxMs: ac.reconnect_max,
    logger: log,
  });
  const jobs = jobsFor(config, ac.id);
  let traps: TrapReceiver | undefined;
  const metrics = new AgentMetrics({ spool, uplink, traps: () => traps });
  const scheduler = new Scheduler({
    agent: ac.id,
    jobs,
    probe: (check, signal) => runProbe(probers, check, signal),
    concurrency: ac.concurrency,
    timezone: config.site.timezone,
    logger: log,
    onResult: (r) => {
      spool.append(r);
      metrics.produced(r);
      uplink.notify();
    },
  });
  const { listen, ...trapConfig } = ac.traps;
  if (listen) {
    try {
      traps = await TrapReceiver.start({
        agent: ac.id,
        config: { ...trapConfig, listen },
        sources: await resolveSources(snmpHosts(jobs), log),
        onEvent: (r) => {
          spool.append(r);
          metrics.produced(r);
          uplink.notify();
        },
        onPoll: (target) => scheduler.pollNow(target),
        logger: log,
      });
    } catch (e) {
      spool.close();
      throw e;
    }
  }
  let metricsServer: Server | undefined;
  if (ac.metrics_listen) {
    try {
      metricsServer = await metrics.listen(ac.metrics_listen, log);
    } catch (e) {
      await traps?.close();
      spool.close();
      throw e;
    }
  }
  uplink.start();
  scheduler.start();
  log.info(
    {
      checks: jobs.length,
      spool: ac.spool,
      pending: spool.depth(),
      server: ac.server,
      traps: listen ? `${listen.host}:${listen.port}` : "off",
      metrics: ac.metrics_listen ? `${ac.metrics_listen.host}:${ac.metrics_listen.port}` : "off",
    },
    "agent started",
  );
  return {
    spool,
    uplink,
    jobs,
    ...(traps ? { traps } : {}),
    reload(next) {
      uplink.setCredentials(next.token, uplinkTls(next));
      log.info({ tls: next.tls !== undefined }, "credentials reloaded; reconnecting");
    },
    async stop() {
      await traps?.close();
      await scheduler.stop();
      await uplink.stop();
      const ms = metricsServer;
      if (ms)
        await new Promise<void>((done) => {
          ms.close(() => done());
          ms.closeAllConnections(); // a scraper's keep-alive connection must not hold the exit
        });
      for (const p of probers.values()) p.close?.();
      spool.close();
      log.info({ pending: spool.depth() }, "agent stopped");
    },
  };
}
