// blackbox_exporter's probe metrics, per target, check and agent, from the values of HTTP, TLS, DNS and
// ICMP results (value names in docs/http.md), so that dashboards and rules written for blackbox work on
// opswatch. Gauges are rebuilt from the live view on each scrape, like probe_success, so a stale result
// drops out. Plus opswatch_operation_duration_seconds, the histogram behind the response_time
// indicator, observed as results are committed.
import type { Registry } from "prom-client";
import type { Target } from "../config/schema.js";
import { indicatorSpecs } from "../engine/mapping.js";
import type { Result, Values } from "../protocol/messages.js";
import { type GaugeDef, gaugeFamily } from "./gauge-family.js";
import type { LiveView } from "./live.js";
import { OutcomeHistogram } from "./outcome-histogram.js";

/** Every gauge derived from result values; all also carry target, check and agent. */
const GAUGES = {
  probe_http_status_code: {
    help: "Final HTTP status code (http.status); 0 when no response came",
    labels: [],
  },
  probe_http_duration_seconds: {
    help: "Duration of each phase of the HTTP request chain, summed over redirects (http.phase.*_ms)",
    labels: ["phase"],
  },
  probe_http_content_length: {
    help: "Bytes of the final response body read (http.content_length)",
    labels: [],
  },
  probe_http_redirects: { help: "Redirects followed (http.redirects)", labels: [] },
  probe_http_version: { help: "HTTP version of the final response, e.g. 1.1 (http.version)", labels: [] },
  probe_ssl_earliest_cert_expiry: {
    help: "Earliest notAfter of the presented certificate chain, epoch seconds (tls.not_after)",
    labels: [],
  },
  probe_tls_version_info: {
    help: "The negotiated TLS version, as a label (tls.version)",
    labels: ["version"],
  },
  probe_dns_lookup_time_seconds: { help: "Time of the DNS query (dns.lookup_ms)", labels: [] },
  probe_icmp_duration_seconds: { help: "Average ICMP round trip (icmp.rtt_ms)", labels: ["phase"] },
} as const satisfies Record<string, GaugeDef>;

export type ProbeGauge = keyof typeof GAUGES;

export interface ProbeSample {
  metric: ProbeGauge;
  /** Labels besides target, check and agent. */
  labels: Record<string, string>;
  value: number;
}

/** opswatch's phase value names → blackbox_exporter's `phase` label values. */
const HTTP_PHASES: readonly [string, string][] = [
  ["dns", "resolve"],
  ["connect", "connect"],
  ["tls", "tls"],
  ["processing", "processing"],
  ["transfer", "transfer"],
];

/** Value name → gauge, with the divisor to the gauge's unit (ms → s). */
const SCALARS: readonly [string, ProbeGauge, number][] = [
  ["http.status", "probe_http_status_code", 1],
  ["http.content_length", "probe_http_content_length", 1],
  ["http.redirects", "probe_http_redirects", 1],
  ["tls.not_after", "probe_ssl_earliest_cert_expiry", 1],
  ["dns.lookup_ms", "probe_dns_lookup_time_seconds", 1000],
];

const num = (v: Values[string] | undefined): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;

/** The blackbox samples one result's values give. Pure; values a result lacks give no sample. */
export function probeSamples(values: Values): ProbeSample[] {
  const out: ProbeSample[] = [];
  for (const [name, metric, divisor] of SCALARS) {
    const v = num(values[name]);
    if (v !== undefined) out.push({ metric, labels: {}, value: v / divisor });
  }
  for (const [name, phase] of HTTP_PHASES) {
    const ms = num(values[`http.phase.${name}_ms`]);
    if (ms !== undefined)
      out.push({ metric: "probe_http_duration_seconds", labels: { phase }, value: ms / 1000 });
  }
  // "1.1" on the wire (a string value); blackbox exports the number.
  const version = Number(values["http.version"]);
  if (typeof values["http.version"] === "string" && Number.isFinite(version))
    out.push({ metric: "probe_http_version", labels: {}, value: version });
  const tls = values["tls.version"];
  if (typeof tls === "string")
    out.push({ metric: "probe_tls_version_info", labels: { version: tls }, value: 1 });
  const rtt = num(values["icmp.rtt_ms"]);
  if (rtt !== undefined)
    out.push({ metric: "probe_icmp_duration_seconds", labels: { phase: "rtt" }, value: rtt / 1000 });
  return out;
}

/**
 * Bucket bounds of opswatch_operation_duration_seconds. The edge at exactly 3 s (the response_time
 * limit) makes `histogram_quantile(0.95, …) <= 3` hold exactly when at least 95 % of the operations took
 * ≤ 3 s — the nearest-rank rule of the official figure.
 */
export const OPERATION_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 10, 15, 30] as const;

const key = (target: string, check: string) => `${target}\0${check}`;

/**
 * The checks whose results are operations for the response_time indicator: every operation check, and
 * every check a target counts toward response_time (an HTTP check may stand for the operation).
 */
export function operationChecks(targets: readonly Target[]): Set<string> {
  const out = new Set<string>();
  for (const t of targets) for (const c of t.checks) if (c.kind === "operation") out.add(key(t.id, c.id));
  for (const spec of indicatorSpecs(targets))
    if (spec.indicator === "response_time") for (const c of spec.checks) out.add(key(spec.target, c.source));
  return out;
}

export class ProbeMetrics {
  private readonly operations: OutcomeHistogram<"target" | "check" | "agent">;
  private readonly operationChecks: Set<string>;

  constructor(registry: Registry, live: LiveView, knownAgents: readonly string[], now: () => number) {
    const gauges = gaugeFamily<ProbeGauge>(registry, GAUGES, () => rebuild());
    const rebuild = () => {
      const t = now();
      for (const g of gauges.values()) g.reset();
      for (const target of live.targets)
        for (const check of target.checks)
          for (const a of live.agentsOf(target.id, check.id, t)) {
            if (!a.fresh) continue;
            const labels = { target: target.id, check: check.id, agent: a.agent };
            for (const s of probeSamples(a.last.values))
              gauges.get(s.metric)?.set({ ...labels, ...s.labels }, s.value);
          }
    };

    this.operations = new OutcomeHistogram(
      "opswatch_operation_duration_seconds",
      "Duration of each synthetic operation (operation checks and the checks counting toward response_time), " +
        "observed as results are committed; a failed operation counts in the +Inf bucket (indicators.md rule 12)",
      ["target", "check", "agent"],
      OPERATION_BUCKETS,
      registry,
    );
    this.operationChecks = operationChecks(live.targets);
    for (const target of live.targets)
      for (const check of target.checks)
        if (this.operationChecks.has(key(target.id, check.id)))
          for (const agent of check.agents ?? knownAgents)
            this.operations.zero({ target: target.id, check: check.id, agent });
  }

  /** Committed results, new ones only (no duplicates). */
  observe(results: readonly Result[]): void {
    for (const r of results)
      if (this.operationChecks.has(key(r.target, r.check)))
        this.operations.observe(
          { target: r.target, check: r.check, agent: r.agent },
          r.duration_ms / 1000,
          r.ok,
        );
  }
}
