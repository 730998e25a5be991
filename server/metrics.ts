import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ErrorReason } from "../protocol/messages.js";
import { DeviceMetrics } from "./device-metrics.js";
import type { LiveView } from "./live.js";
import { ProbeMetrics } from "./probe-metrics.js";

export type RejectReason = ErrorReason | "bad_result" | "agent_mismatch" | "hello_timeout";

/**
 * Everything the server exposes on /metrics. Probe gauges use blackbox_exporter's names so existing
 * dashboards and rules work. Labels are bounded: only configured targets, checks and agents appear.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly ingested: Counter<"agent">;
  readonly duplicates: Counter<"agent">;
  readonly rejected: Counter<"reason">;
  readonly commitSeconds: Histogram;
  readonly agentConnected: Gauge<"agent">;
  readonly agentLastSeen: Gauge<"agent">;
  readonly agentSpoolDepth: Gauge<"agent">;
  /** Typed UPS / device metrics from SNMP results; observe() the committed ones. */
  readonly devices: DeviceMetrics;
  /** blackbox_exporter's probe_http_* / probe_ssl_* / … gauges and the operation histogram; observe() the committed results. */
  readonly probes: ProbeMetrics;

  constructor(live: LiveView, knownAgents: readonly string[], now: () => number = Date.now) {
    const r = this.registry;
    collectDefaultMetrics({ register: r });
    const probeLabels = ["target", "check", "kind", "agent", "group"] as const;
    // Registered first: its collect() rebuilds all probe gauges once per scrape, before they are read.
    const success = new Gauge({
      name: "probe_success",
      help: "Whether the newest fresh probe succeeded (1) or failed (0)",
      labelNames: probeLabels,
      registers: [r],
      collect: () => collectProbes(),
    });
    const duration = new Gauge({
      name: "probe_duration_seconds",
      help: "How long the newest fresh probe took",
      labelNames: probeLabels,
      registers: [r],
    });
    const value = new Gauge({
      name: "opswatch_probe_value",
      help: "Numeric values of the newest fresh probe (battery.charge, http.status, ...)",
      labelNames: ["target", "check", "agent", "name"],
      registers: [r],
    });
    const up = new Gauge({
      name: "opswatch_target_up",
      help: "Live target state: 1 up, 0 down; absent while no fresh result exists (see opswatch_target_known)",
      labelNames: ["target", "group"],
      registers: [r],
    });
    const known = new Gauge({
      name: "opswatch_target_known",
      help: "1 when every check of the target has a fresh result, 0 when the state is unknown",
      labelNames: ["target", "group"],
      registers: [r],
    });
    // Probe gauges are rebuilt from the live view on each scrape, so stale results drop out.
    const collectProbes = () => {
      const t = now();
      for (const g of [success, duration, value, up, known]) g.reset();
      for (const target of live.targets) {
        const state = live.targetState(target, t);
        known.set({ target: target.id, group: target.group }, state === "unknown" ? 0 : 1);
        if (state !== "unknown") up.set({ target: target.id, group: target.group }, state === "up" ? 1 : 0);
        for (const check of target.checks) {
          for (const a of live.agentsOf(target.id, check.id, t)) {
            if (!a.fresh) continue;
            const labels = {
              target: target.id,
              check: check.id,
              kind: check.kind,
              agent: a.agent,
              group: target.group,
            };
            success.set(labels, a.last.ok ? 1 : 0);
            duration.set(labels, a.last.duration_ms / 1000);
            for (const [name, v] of Object.entries(a.last.values)) {
              if (typeof v === "number")
                value.set({ target: target.id, check: check.id, agent: a.agent, name }, v);
            }
          }
        }
      }
    };

    this.ingested = new Counter({
      name: "opswatch_results_ingested_total",
      help: "Results committed to the store",
      labelNames: ["agent"],
      registers: [r],
    });
    this.duplicates = new Counter({
      name: "opswatch_results_duplicate_total",
      help: "Replayed results that were already stored (not stored again)",
      labelNames: ["agent"],
      registers: [r],
    });
    this.rejected = new Counter({
      name: "opswatch_ingest_rejected_total",
      help: "Frames or results refused by the server, by reason",
      labelNames: ["reason"],
      registers: [r],
    });
    this.commitSeconds = new Histogram({
      name: "opswatch_ingest_commit_seconds",
      help: "Time to commit one group of batches to the store",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [r],
    });
    this.agentConnected = new Gauge({
      name: "opswatch_agent_connected",
      help: "1 while the agent holds an authenticated connection",
      labelNames: ["agent"],
      registers: [r],
    });
    this.agentLastSeen = new Gauge({
      name: "opswatch_agent_last_seen_timestamp_seconds",
      help: "When the agent last sent a frame",
      labelNames: ["agent"],
      registers: [r],
    });
    this.agentSpoolDepth = new Gauge({
      name: "opswatch_agent_spool_depth",
      help: "Results waiting in the agent's on-disk spool, as last reported by the agent",
      labelNames: ["agent"],
      registers: [r],
    });
    this.devices = new DeviceMetrics(r, live, knownAgents, now);
    this.probes = new ProbeMetrics(r, live, knownAgents, now);
    for (const agent of knownAgents) {
      this.agentConnected.set({ agent }, 0);
      this.ingested.inc({ agent }, 0);
      this.duplicates.inc({ agent }, 0);
    }
    for (const reason of [
      "bad_json",
      "bad_message",
      "not_authenticated",
      "bad_token",
      "too_large",
      "bad_result",
    ] as const)
      this.rejected.inc({ reason }, 0);
  }

  reject(reason: RejectReason, n = 1): void {
    this.rejected.inc({ reason }, n);
  }
}
