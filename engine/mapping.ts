// Which checks of which targets count toward which indicator, and how: the config read once into
// plain specs that the rollup, the fault detector and the period computation share.
import type { Severity, TimeIndicator, Via } from "../config/indicators.js";
import type { Check, Target } from "../config/schema.js";
import { type AutoItemDef, defaultAutoItems, type TargetKind } from "./inspections.js";
import type { Combine } from "./timeline.js";
import type { CheckVia } from "./verdict.js";

export interface CheckSpec {
  /** Stream id: the check's id, or `<check>#state` for the device-state stream of a firewall member. */
  id: string;
  /** The configured check whose results feed this stream. */
  source: string;
  /** How a result is read for this stream. */
  via: CheckVia;
  /**
   * combine "members" only (firewall_stability): a member is DOWN when its reachability checks all
   * fail or one of its state streams is DOWN (interface down, backup role of an HA pair, a reboot).
   */
  role?: "reach" | "state";
  /** Which device of the target (an HA pair has two); "" when the target is one device. */
  member?: string;
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
  combine: Combine;
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

function spec(
  t: Target,
  indicator: TimeIndicator,
  via: Via,
  combine: Combine,
  severity: Severity | undefined,
): Omit<IndicatorSpec, "checks"> {
  return {
    target: t.id,
    group: t.group,
    indicator,
    via,
    combine,
    severity: severity ?? defaultSeverity[indicator],
  };
}

export function confirmOf(check: Check): number {
  // indicators.md: 3 for SNMP (and host health), 2 for network probes (HTTP, TCP, ICMP, DNS, TLS, operations)
  return check.confirm ?? (check.kind === "snmp" || check.kind === "host" ? 3 : 2);
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
      const via = m.via ?? defaultVia[m.id];
      // Firewall: unstable only when neither SNMP nor ICMP/TCP answers, a designated interface is down,
      // or after a reboot; an HA pair only when no member is up and active (indicators.md).
      const combine = m.combine ?? (m.id === "firewall_stability" ? "members" : "worst");
      const base = (c: Check) => ({ source: c.id, confirm: confirmOf(c), hold: holdOf(c) });
      if (combine !== "members")
        return {
          ...spec(t, m.id, via, combine, m.severity),
          checks: checks.map((c) => ({ id: c.id, via, ...base(c) })),
        };
      const pair = new Set(checks.map((c) => c.member ?? "")).size > 1;
      return {
        ...spec(t, m.id, via, combine, m.severity),
        checks: checks.flatMap((c): CheckSpec[] => {
          const member = c.member ?? "";
          const reach: CheckSpec = { id: c.id, via, role: "reach", member, ...base(c) };
          if (c.kind !== "snmp") return [reach];
          const state: CheckSpec = {
            id: `${c.id}#state`,
            via: pair ? "device_active" : "device",
            role: "state",
            member,
            ...base(c),
          };
          return [reach, state];
        }),
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
 * designated interfaces are its SNMP checks' `interfaces` (and raw `oids` named `if.<name>.oper_status`);
 * the certificate item applies when an HTTP check or an operation step of the target uses https.
 */
export function inspectionChecklist(t: Target): AutoItemDef[] {
  const interfaces = new Set<string>();
  for (const c of t.checks)
    if (c.kind === "snmp") {
      for (const i of c.interfaces) interfaces.add(i.name);
      for (const name of Object.keys(c.oids)) {
        const m = /^if\.(.+)\.oper_status$/.exec(name);
        if (m) interfaces.add(m[1] as string);
      }
    }
  const https = t.checks.some(
    (c) =>
      (c.kind === "http" && c.url.startsWith("https:")) ||
      (c.kind === "operation" && c.steps.some((s) => s.url.startsWith("https:"))),
  );
  return defaultAutoItems(inspectionKind(t), { interfaces: [...interfaces], https });
}
