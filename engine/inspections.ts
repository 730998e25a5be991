// Daily inspections (日常巡检): whether a run is compliant (达标, rule 17), inspection_pass_rate, and
// the default automatic checklist items with their thresholds (indicators.md "Daily inspections").
import type { Interval } from "./types.js";
import { localDate, nextLocalMidnight } from "./zone.js";

export interface InspectionItem {
  id: string;
  kind: "auto" | "manual";
  result?: "pass" | "fail";
  /** Manual items: when and by whom a person confirmed the result. */
  signedOffAt?: number;
  signedOffBy?: string;
  /** A failed item must have opened or attached to this fault. */
  faultId?: string;
}

export interface InspectionRun {
  plan: string;
  scheduledAt: number;
  /** Absent: the run never started (missed), which still counts as scheduled. */
  startedAt?: number;
  items: InspectionItem[];
}

export const DEFAULT_TOLERANCE_MS = 30 * 60_000;

export interface InspectionJudgement {
  status: "compliant" | "non_compliant" | "pending";
  reasons: string[];
}

/**
 * Rule 17: judged only once the scheduled local day has ended (pending before); compliant when it
 * started within ± tolerance (inclusive), every item has a result, every manual item was signed off by a
 * person on the scheduled local date, and every failed item links to an existing fault.
 */
export function judgeInspection(
  run: InspectionRun,
  now: number,
  tz: string,
  faultExists: (id: string) => boolean,
  toleranceMs = DEFAULT_TOLERANCE_MS,
): InspectionJudgement {
  if (now < nextLocalMidnight(run.scheduledAt, tz)) return { status: "pending", reasons: [] };
  if (run.startedAt === undefined) return { status: "non_compliant", reasons: ["never started (missed)"] };
  const reasons: string[] = [];
  const lateBy = run.startedAt - run.scheduledAt;
  if (Math.abs(lateBy) > toleranceMs) {
    const min = Math.round(Math.abs(lateBy) / 60_000);
    reasons.push(
      `started ${min} min ${lateBy > 0 ? "late" : "early"} (tolerance ± ${toleranceMs / 60_000} min)`,
    );
  }
  // An inspection that checked nothing proves nothing.
  if (run.items.length === 0) reasons.push("no checklist items recorded");
  const day = localDate(run.scheduledAt, tz);
  for (const item of run.items) {
    if (item.result === undefined) reasons.push(`item ${item.id}: no result`);
    if (item.kind === "manual") {
      if (item.signedOffAt === undefined || !item.signedOffBy?.trim())
        reasons.push(`item ${item.id}: not signed off`);
      else if (localDate(item.signedOffAt, tz) !== day)
        reasons.push(`item ${item.id}: signed off on ${localDate(item.signedOffAt, tz)}, not on ${day}`);
    }
    if (item.result === "fail") {
      if (item.faultId === undefined) reasons.push(`item ${item.id}: failed without a fault`);
      else if (!faultExists(item.faultId))
        reasons.push(`item ${item.id}: fault ${item.faultId} does not exist`);
    }
  }
  return { status: reasons.length === 0 ? "compliant" : "non_compliant", reasons };
}

export interface InspectionRate {
  /** Runs scheduled in the period, including missed and pending ones. */
  scheduled: number;
  compliant: number;
  nonCompliant: number;
  /** Not judged yet (their day has not ended): excluded from the ratio. */
  pending: number;
  /** compliant / (compliant + nonCompliant); null = n/a. */
  ratio: number | null;
  /** Item pass share over the items with a result in the judged runs. */
  items: { passed: number; withResult: number; share: number | null };
}

/**
 * inspection_pass_rate over runs scheduled in [period.start, period.end). The caller supplies one run
 * per scheduled time of the plan's cron, a never-started one included: this function cannot see a run
 * that is missing from the list.
 */
export function inspectionRate(
  runs: readonly InspectionRun[],
  period: Interval,
  now: number,
  tz: string,
  faultExists: (id: string) => boolean,
  toleranceMs = DEFAULT_TOLERANCE_MS,
): InspectionRate {
  const inPeriod = runs.filter((r) => r.scheduledAt >= period.start && r.scheduledAt < period.end);
  let compliant = 0;
  let nonCompliant = 0;
  let passed = 0;
  let withResult = 0;
  for (const run of inPeriod) {
    const { status } = judgeInspection(run, now, tz, faultExists, toleranceMs);
    if (status === "pending") continue;
    if (status === "compliant") compliant++;
    else nonCompliant++;
    for (const item of run.items) {
      if (item.result !== undefined) withResult++;
      if (item.result === "pass") passed++;
    }
  }
  const decided = compliant + nonCompliant;
  return {
    scheduled: inPeriod.length,
    compliant,
    nonCompliant,
    pending: inPeriod.length - decided,
    ratio: decided === 0 ? null : compliant / decided,
    items: { passed, withResult, share: withResult === 0 ? null : passed / withResult },
  };
}

/*
 * Automatic checklist items. Value names read (the latest value of each, merged over the target's
 * checks by the caller):
 *   probe.ok            latest result's `ok` of the target's reachability check (envelope, not a value)
 *   probe.duration_ms   latest HTTP result's `duration_ms` (envelope, not a value)
 *   battery.charge      UPS-MIB upsEstimatedChargeRemaining, %
 *   battery.status      UPS-MIB upsBatteryStatus: 1 unknown, 2 normal, 3 low, 4 depleted
 *   ups.load            UPS-MIB upsOutputPercentLoad, %
 *   fw.cpu_percent, fw.mem_percent   firewall CPU / memory, % (hrProcessorLoad, hwEntity…, hh3c…)
 *   if.<name>.oper_status            IF-MIB ifOperStatus of a designated interface: 1 up
 *   tls.days_left       days until the site's certificate expires (HTTPS sites)
 *   host.disk_percent   fullest reported disk, %
 */

export type TargetKind = "ups" | "firewall" | "website" | "host" | "other";

export interface AutoItemDef {
  id: string;
  label: string;
  value: string;
  op: "<" | ">" | ">=" | "==";
  threshold: number | boolean;
}

export interface AutoItemOptions {
  /** Firewall: value-name keys of the designated interfaces (`if.<name>.oper_status`). */
  interfaces?: string[];
  /** Website: whether it is served over HTTPS (the certificate item applies). */
  https?: boolean;
}

/** The default automatic checklist of a target; thresholds are data the caller may change. */
export function defaultAutoItems(kind: TargetKind, opts: AutoItemOptions = {}): AutoItemDef[] {
  const items: AutoItemDef[] = [
    { id: "reachable", label: "可达 reachable", value: "probe.ok", op: "==", threshold: true },
  ];
  switch (kind) {
    case "ups":
      items.push(
        { id: "battery_charge", label: "电池电量 ≥ 90 %", value: "battery.charge", op: ">=", threshold: 90 },
        { id: "battery_status", label: "电池状态正常", value: "battery.status", op: "==", threshold: 2 },
        { id: "ups_load", label: "负载 < 80 %", value: "ups.load", op: "<", threshold: 80 },
      );
      break;
    case "firewall":
      items.push(
        { id: "fw_cpu", label: "CPU < 80 %", value: "fw.cpu_percent", op: "<", threshold: 80 },
        { id: "fw_mem", label: "内存 < 80 %", value: "fw.mem_percent", op: "<", threshold: 80 },
        ...(opts.interfaces ?? []).map(
          (name): AutoItemDef => ({
            id: `if_${name}`,
            label: `接口 ${name} up`,
            value: `if.${name}.oper_status`,
            op: "==",
            threshold: 1,
          }),
        ),
      );
      break;
    case "website":
      if (opts.https)
        items.push({
          id: "tls_days",
          label: "证书有效期 > 30 天",
          value: "tls.days_left",
          op: ">",
          threshold: 30,
        });
      items.push({
        id: "response",
        label: "响应 < 3 s",
        value: "probe.duration_ms",
        op: "<",
        threshold: 3000,
      });
      break;
    case "host":
      items.push({ id: "disk", label: "磁盘 < 85 %", value: "host.disk_percent", op: "<", threshold: 85 });
      break;
    case "other":
      break;
  }
  return items;
}

/** pass / fail against the threshold; none when the value is missing or of the wrong type (no result). */
export function evaluateAutoItem(
  def: AutoItemDef,
  latest: Readonly<Record<string, number | string | boolean | undefined>>,
): "pass" | "fail" | "none" {
  const v = latest[def.value];
  if (typeof v !== typeof def.threshold) return "none";
  if (typeof v === "number" && !Number.isFinite(v)) return "none";
  const t = def.threshold;
  switch (def.op) {
    case "==":
      return v === t ? "pass" : "fail";
    case "<":
      return (v as number) < (t as number) ? "pass" : "fail";
    case ">":
      return (v as number) > (t as number) ? "pass" : "fail";
    case ">=":
      return (v as number) >= (t as number) ? "pass" : "fail";
  }
}
