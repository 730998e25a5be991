// What one result says for one indicator (indicators.md, "The indicators" and precise rule 7).
//
// Values read, as the SNMP profiles name them (RFC 1628 objects, vendor MIBs mapped onto the same names):
//   ups.output_source  number  upsOutputSource: 1 other, 2 none, 3 normal, 4 bypass, 5 battery, …
//   ups.alarms         string  names of the alarms present (upsAlarmDescr walked), comma-separated,
//                              e.g. "OnBattery, InputBad"; matched case-insensitively
//   input.voltage      number  upsInputVoltage of the input line, V RMS
//   if.<name>.oper_status  number  ifOperStatus of a designated interface: 1 up
//   vrrp.state         number  vrrpOperState: 2 backup, 3 master
import type { Via } from "../config/indicators.js";
import type { Result } from "../protocol/messages.js";
import { fraction } from "./decimal.js";
import type { Verdict } from "./types.js";

export interface MainsParams {
  nominalVoltage: number;
  /** Mains are abnormal outside nominal × (1 ± tolerance); the bounds themselves are normal. */
  tolerance: number;
}

/**
 * How one stream reads a result: an indicator's via, or the state of a firewall member (docs/snmp.md):
 *   device         the SNMP answer shows every designated interface up (ifOperStatus 1)
 *   device_active  the same, and the member is VRRP master (vrrp.state 3) when it reports a role —
 *                  used when a target is an HA pair, where a backup member is up but not active
 */
export type CheckVia = Via | "device" | "device_active";

const SOURCE_NONE = 2;
const IF_UP = 1;
const VRRP_MASTER = 3;
const SOURCE_BATTERY = 5;
// OutputOffAsRequested is deliberately absent: an output switched off on request is not instability.
const UNPOWERED_ALARMS = new Set(["upsoutputoff", "upssystemoff", "shutdownimminent"]);
const MAINS_ALARMS = new Set(["inputbad", "onbattery"]);

/**
 * For the power indicators a poll without an answer is a monitoring gap ("none"), not a failure. A
 * result that proves the failure (an alarm) fails even without the main value; one that proves
 * nothing either way is "none": load_powered needs ups.output_source, mains_normal needs
 * ups.output_source or input.voltage (a PDU or ATS may report only the voltage).
 */
export function verdictOf(
  result: Pick<Result, "ok" | "values">,
  via: CheckVia,
  params: MainsParams,
): Verdict {
  if (via === "ok") return result.ok ? "ok" : "fail";
  if (!result.ok) return "none";
  if (via === "device" || via === "device_active") return deviceVerdict(result.values, via);
  const source = numeric(result.values["ups.output_source"]);
  const alarms = alarmNames(result.values["ups.alarms"]);
  if (via === "load_powered") {
    if (source === SOURCE_NONE || alarms.some((a) => UNPOWERED_ALARMS.has(a))) return "fail";
    return source === undefined ? "none" : "ok";
  }
  const voltage = numeric(result.values["input.voltage"]);
  if (
    source === SOURCE_BATTERY ||
    alarms.some((a) => MAINS_ALARMS.has(a)) ||
    (voltage !== undefined && !withinTolerance(voltage, params))
  )
    return "fail";
  return source === undefined && voltage === undefined ? "none" : "ok";
}

/** A device that answered: every designated interface up and, for device_active, not a VRRP backup. */
function deviceVerdict(values: Result["values"], via: "device" | "device_active"): Verdict {
  for (const [name, value] of Object.entries(values))
    if (name.startsWith("if.") && name.endsWith(".oper_status") && value !== IF_UP) return "fail";
  const role = numeric(values["vrrp.state"]);
  if (via === "device_active" && role !== undefined && role !== VRRP_MASTER) return "fail";
  return "ok";
}

/** |v − n| ≤ n·t, exactly in the decimals written (220 × 1.15 is 252.99999999999997 in doubles). */
function withinTolerance(voltage: number, { nominalVoltage, tolerance }: MainsParams): boolean {
  const [v, V] = fraction(voltage);
  const [n, N] = fraction(nominalVoltage);
  const [t, T] = fraction(tolerance);
  // |v/V − n/N| ≤ (n/N)(t/T), both sides multiplied by V·N·T > 0.
  const diff = v * N - n * V;
  return (diff < 0n ? -diff : diff) * T <= n * t * V;
}

function numeric(value: Result["values"][string] | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function alarmNames(value: Result["values"][string] | undefined): string[] {
  return typeof value === "string" ? value.split(",").map((a) => a.trim().toLowerCase()) : [];
}
