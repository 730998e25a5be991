// The agent's own Prometheus metrics (agent.metrics_listen): how full the spool is, whether the uplink
// is up, what was produced and acked, and why trap packets were refused. Labels are bounded enums only
// (check kinds, reject reasons): never a target, a token or a community.
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Logger } from "../lib/log.js";
import type { Spool } from "./spool.js";
import type { TrapReceiver } from "./traps/receiver.js";
import type { Uplink } from "./uplink.js";

export interface AgentMetricsSources {
  spool: Spool;
  uplink: Uplink;
  /** The trap receiver, once started (it starts after the metrics exist, as it counts into them). */
  traps: () => TrapReceiver | undefined;
  now?: () => number;
}

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly results: Counter<"kind">;
  private readonly probeSeconds: Histogram<"kind">;

  constructor(s: AgentMetricsSources) {
    const r = this.registry;
    const now = s.now ?? Date.now;
    collectDefaultMetrics({ register: r });
    this.results = new Counter({
      name: "opswatch_agent_results_total",
      help: "Results produced and committed to the spool (probe results and trap events), by check kind",
      labelNames: ["kind"],
      registers: [r],
    });
    this.probeSeconds = new Histogram({
      name: "opswatch_agent_probe_duration_seconds",
      help: "How long probes took, by check kind (trap events are not probes)",
      labelNames: ["kind"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [r],
    });
    new Gauge({
      name: "opswatch_agent_spool_depth",
      help: "Results in the spool waiting for the server's ack",
      registers: [r],
      collect() {
        this.set(s.spool.depth());
      },
    });
    new Gauge({
      name: "opswatch_agent_spool_oldest_age_seconds",
      help: "Age of the oldest result waiting in the spool (0 when empty)",
      registers: [r],
      collect() {
        const ts = s.spool.oldestTs();
        this.set(ts === undefined ? 0 : Math.max(0, (now() - ts) / 1000));
      },
    });
    new Gauge({
      name: "opswatch_agent_uplink_connected",
      help: "1 while the uplink is authenticated and streaming, else 0",
      registers: [r],
      collect() {
        this.set(s.uplink.connected ? 1 : 0);
      },
    });
    new Counter({
      name: "opswatch_agent_uplink_reconnects_total",
      help: "Uplink connections lost or refused after which a reconnect was scheduled",
      registers: [r],
      collect() {
        this.reset();
        this.inc(s.uplink.reconnects);
      },
    });
    new Counter({
      name: "opswatch_agent_acked_total",
      help: "Results the server acknowledged (committed, or refused into the dead table) and left the spool",
      registers: [r],
      collect() {
        this.reset();
        this.inc(s.spool.acked);
      },
    });
    new Counter({
      name: "opswatch_agent_results_lost_total",
      help: "Results that could not be written to the spool (its disk was full): the only results ever lost",
      registers: [r],
      collect() {
        this.reset();
        this.inc(s.spool.lost);
      },
    });
    new Counter({
      name: "opswatch_agent_traps_rejected_total",
      help: "Trap packets the receiver refused, by reason (agent/traps/reject.ts); absent without a receiver",
      labelNames: ["reason"],
      registers: [r],
      collect() {
        this.reset();
        const traps = s.traps();
        if (traps) for (const [reason, n] of Object.entries(traps.stats().rejected)) this.inc({ reason }, n);
      },
    });
  }

  /** One result committed to the spool. */
  produced(r: { kind: string; duration_ms: number }): void {
    this.results.inc({ kind: r.kind });
    if (r.kind !== "trap") this.probeSeconds.observe({ kind: r.kind }, r.duration_ms / 1000);
  }

  /** Serves GET /metrics on host:port; resolves once listening, rejects when the port cannot be bound. */
  async listen(at: { host: string; port: number }, log: Logger): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "not_found", message: "only GET /metrics is served here" }));
        return;
      }
      this.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": this.registry.contentType });
          res.end(text);
        },
        (e: Error) => {
          log.error({ err: e.message }, "agent metrics collection failed");
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "metrics_failed", message: e.message }));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(at.port, at.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    log.info({ metrics: `http://${at.host}:${at.port}/metrics` }, "agent metrics listening");
    return server;
  }
}
