// Which checks of which targets count toward which indicator, and how: the config read once into
// plain specs that the rollup, the fault detector and the period computation share.
import type { Severity, TimeIndicator, Via } from "../config/indicators.js";
import type { Check, Target } from "../config/schema.js";
import { type AutoItemDef, defaultAutoItems, type TargetKind } from "./inspections.js";

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
      const checks = m.checks
        ? t.checks.filter((c) => m.checks?.includes(c.id))
        : t.checks.filter((c) => c.counts);
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

/**
 * The inspection checklist kind of a target: declared (`inspection_kind`), else inferred from what it
 * counts toward — UPS / room power → ups, firewall → firewall, website / response time → website —
 * else a host check → host, else other.
 */
export function inspectionKind(t: Target): TargetKind {
  if (t.inspection_kind) return t.inspection_kind;
  const ids = new Set(t.indicators.map((i) => i.id));
  if (ids.has("ups_power_stability") || ids.has("room_power_stability")) return "ups";
  if (ids.has("firewall_stability")) return "firewall";
  if (ids.has("website_uptime") || ids.has("response_time")) return "website";
  if (t.checks.some((c) => c.kind === "host")) return "host";
  return "other";
}

/**
 * The automatic inspection items of a target (engine/inspections.ts defaults). A firewall's
 * designated interfaces are those whose `if.<name>.oper_status` an SNMP check of the target polls;
 * the certificate item applies when an HTTP check of the target uses https.
 */
export function inspectionChecklist(t: Target): AutoItemDef[] {
  const interfaces = new Set<string>();
  for (const c of t.checks)
    if (c.kind === "snmp")
      for (const name of Object.keys(c.oids)) {
        const m = /^if\.(.+)\.oper_status$/.exec(name);
        if (m) interfaces.add(m[1] as string);
      }
  const https = t.checks.some((c) => c.kind === "http" && c.url.startsWith("https:"));
  return defaultAutoItems(inspectionKind(t), { interfaces: [...interfaces], https });
}
