// Which checks of which targets count toward which indicator, and how: the config read once into
// plain specs that the rollup, the fault detector and the period computation share.
import type { Severity, TimeIndicator, Via } from "../config/indicators.js";
import type { Check, Target } from "../config/schema.js";

export interface CheckSpec {
  id: string;
  /** Consecutive failures before DOWN (rule: 2 for HTTP/TCP/ICMP, 3 for SNMP). */
  confirm: number;
  /** How long one result holds: 2 × interval + timeout. */
  hold: number;
}

export interface IndicatorSpec {
  target: string;
  group: string;
  indicator: TimeIndicator;
  via: Via;
  combine: "worst" | "best";
  severity: Severity;
  checks: CheckSpec[];
}

const defaultVia: Record<TimeIndicator, Via> = {
  website_uptime: "ok",
  response_time: "ok",
  ups_power_stability: "load_powered",
  room_power_stability: "mains_normal",
  firewall_stability: "ok",
};

/** Severity of the fault a breach opens, unless the target says otherwise (indicators.md examples). */
const defaultSeverity: Record<TimeIndicator, Severity> = {
  ups_power_stability: "P1",
  room_power_stability: "P2",
  firewall_stability: "P1",
  website_uptime: "P2",
  response_time: "P3",
};

export function confirmOf(check: Check): number {
  return check.confirm ?? (check.kind === "http" || check.kind === "tcp" ? 2 : 3);
}

export function holdOf(check: Check): number {
  return 2 * check.interval + check.timeout;
}

export function indicatorSpecs(targets: readonly Target[]): IndicatorSpec[] {
  return targets.flatMap((t) =>
    t.indicators.map((m) => {
      const checks = m.checks ? t.checks.filter((c) => m.checks?.includes(c.id)) : t.checks.filter((c) => c.counts);
      return {
        target: t.id,
        group: t.group,
        indicator: m.id,
        via: m.via ?? defaultVia[m.id],
        // Firewall reachability: unstable only when neither SNMP nor ICMP/TCP answers (indicators.md).
        combine: m.combine ?? (m.id === "firewall_stability" ? "best" : "worst"),
        severity: m.severity ?? defaultSeverity[m.id],
        checks: checks.map((c) => ({ id: c.id, confirm: confirmOf(c), hold: holdOf(c) })),
      };
    }),
  );
}
