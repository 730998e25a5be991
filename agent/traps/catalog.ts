// The notifications the agent understands, by OID: SNMPv2-MIB's generic traps, IF-MIB's link traps and
// RFC 1628 UPS-MIB's traps with its well-known alarms. Pure data and lookups.
import type { TrapName } from "../../protocol/messages.js";

/** snmpTrapOID.0: the varbind of a v2c/v3 notification that names it. */
export const SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0";
export const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";

/** v1 generic-trap numbers 0…5 become snmpTraps.(n+1) (RFC 3584 §3.1). */
const SNMP_TRAPS = "1.3.6.1.6.3.1.1.5";
const UPS_TRAPS = "1.3.6.1.2.1.33.2";

const NAMES = new Map<string, TrapName>([
  [`${SNMP_TRAPS}.1`, "coldStart"],
  [`${SNMP_TRAPS}.2`, "warmStart"],
  [`${SNMP_TRAPS}.3`, "linkDown"],
  [`${SNMP_TRAPS}.4`, "linkUp"],
  [`${SNMP_TRAPS}.5`, "authenticationFailure"],
  [`${SNMP_TRAPS}.6`, "egpNeighborLoss"],
  [`${UPS_TRAPS}.1`, "upsTrapOnBattery"],
  [`${UPS_TRAPS}.2`, "upsTrapTestCompleted"],
  [`${UPS_TRAPS}.3`, "upsTrapAlarmEntryAdded"],
  [`${UPS_TRAPS}.4`, "upsTrapAlarmEntryRemoved"],
]);

/**
 * The canonical OID of a notification. RFC 1628 registers the UPS traps as upsTraps.N, but a UPS
 * sending v1 traps (enterprise upsTraps, specific N) reaches v2 form as upsTraps.0.N (RFC 3584), and
 * some cards send that form on v2c too: both fold to upsTraps.N.
 */
export function canonicalOid(oid: string): string {
  const prefix = `${UPS_TRAPS}.0.`;
  return oid.startsWith(prefix) && /^\d+$/.test(oid.slice(prefix.length))
    ? `${UPS_TRAPS}.${oid.slice(prefix.length)}`
    : oid;
}

/** The v2 notification OID of a v1 trap (RFC 3584 §3.1), canonical. */
export function v1TrapOid(enterprise: string, generic: number, specific: number): string {
  if (generic >= 0 && generic <= 5) return `${SNMP_TRAPS}.${generic + 1}`;
  return canonicalOid(`${enterprise}.0.${specific}`);
}

export function trapName(oid: string): TrapName | undefined {
  return NAMES.get(oid);
}

// IF-MIB columns that carry (or are indexed by) the interface of a link trap.
export const IF_INDEX = "1.3.6.1.2.1.2.2.1.1.";
export const IF_ADMIN_STATUS = "1.3.6.1.2.1.2.2.1.7.";
export const IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8.";
export const IF_NAME = "1.3.6.1.2.1.31.1.1.1.1.";

/** upsAlarmDescr column: its value is the OID of a well-known alarm (or a vendor's). */
export const UPS_ALARM_DESCR = "1.3.6.1.2.1.33.1.6.2.1.2.";
const WELL_KNOWN_ALARMS = "1.3.6.1.2.1.33.1.6.3.";

/** upsWellKnownAlarms 1…24 in RFC 1628 spelling without the "upsAlarm" prefix (as `ups.alarms`). */
const ALARMS = [
  "BatteryBad",
  "OnBattery",
  "LowBattery",
  "DepletedBattery",
  "TempBad",
  "InputBad",
  "OutputBad",
  "OutputOverload",
  "OnBypass",
  "BypassBad",
  "OutputOffAsRequested",
  "UpsOffAsRequested",
  "ChargerFailed",
  "UpsOutputOff",
  "UpsSystemOff",
  "FanFailure",
  "FuseFailure",
  "GeneralFault",
  "DiagnosticTestFailed",
  "CommunicationsLost",
  "AwaitingPower",
  "ShutdownPending",
  "ShutdownImminent",
  "TestInProgress",
];

/** `OnBattery` for 1.3.6.1.2.1.33.1.6.3.2; a vendor alarm OID stays as it is. */
export function alarmName(oid: string): string {
  if (!oid.startsWith(WELL_KNOWN_ALARMS)) return oid;
  return ALARMS[Number(oid.slice(WELL_KNOWN_ALARMS.length)) - 1] ?? oid;
}

export function isWellKnownAlarm(oid: string): boolean {
  return oid.startsWith(WELL_KNOWN_ALARMS);
}
