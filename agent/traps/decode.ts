// A received notification (net-snmp's callback data) → a Trap: its name, what it is about, and the
// `trap.*` values of its event. Pure: no sockets, no clock.
import type { Values } from "../../protocol/messages.js";
import {
  alarmName,
  canonicalOid,
  IF_ADMIN_STATUS,
  IF_INDEX,
  IF_NAME,
  IF_OPER_STATUS,
  isWellKnownAlarm,
  SNMP_TRAP_OID,
  SYS_UPTIME,
  trapName,
  UPS_ALARM_DESCR,
  v1TrapOid,
} from "./catalog.js";

export interface RawVarbind {
  oid: string;
  type?: number;
  value?: unknown;
}

/** The parts of net-snmp's notification this module reads (with `includeAuthentication`). */
export interface RawNotification {
  pdu: {
    type: number;
    varbinds: RawVarbind[];
    enterprise?: string;
    generic?: number;
    specific?: number;
    /** v3: the USM user (net-snmp puts the community here for v1/v2c instead). */
    user?: string;
  };
  rinfo: { address: string; port: number };
}

export interface Trap {
  version: "1" | "2c" | "3";
  /** Sender IP, as the UDP packet came (IPv4-mapped IPv6 unwrapped). */
  source: string;
  /** Notification OID, canonical (catalog.ts). */
  oid: string;
  /** Catalogue name, or the OID of a notification not in the catalogue. */
  name: string;
  /**
   * What the trap is about, within its source: an interface (link traps), an alarm (UPS alarm traps),
   * else the notification itself. A different trap about the same subject ends a run of repeats.
   */
  subject: string;
  /** The varbinds that make two traps different events (interface, alarm; all of an unknown trap's). */
  detail: string;
  /** The event's values (`trap.count` is added when the event is made). */
  values: Values;
}

export class TrapDecodeError extends Error {}

const PDU_TRAP_V1 = 164;
const MAX_TEXT = 1024; // protocol limit for string values

export function decodeTrap(n: RawNotification): Trap {
  const { pdu } = n;
  const version = pdu.type === PDU_TRAP_V1 ? "1" : pdu.user !== undefined ? "3" : "2c";
  const oid = version === "1" ? v1Oid(pdu) : v2Oid(pdu.varbinds);
  const name = trapName(oid) ?? oid;
  const payload = pdu.varbinds.filter((vb) => vb.oid !== SYS_UPTIME && vb.oid !== SNMP_TRAP_OID);
  const source = unmapped(n.rinfo.address);
  const values: Values = {
    "trap.name": name,
    "trap.oid": oid,
    "trap.source": source,
    "trap.version": version,
  };
  const varbinds = truncate(payload.map((vb) => `${vb.oid}=${text(vb.value)}`).join("; "));
  if (varbinds) values["trap.varbinds"] = varbinds;
  let subject = oid;
  let detail = trapName(oid) ? "" : varbinds;
  if (name === "linkDown" || name === "linkUp") {
    const ifIndex = interfaceIndex(payload);
    const ifName = payload.find((vb) => vb.oid.startsWith(IF_NAME));
    if (ifIndex !== undefined) values["trap.if_index"] = ifIndex;
    if (ifName) values["trap.if_name"] = truncate(text(ifName.value));
    subject = `if:${ifIndex ?? "?"}`;
    detail = String(ifIndex ?? "");
  } else if (name === "upsTrapAlarmEntryAdded" || name === "upsTrapAlarmEntryRemoved") {
    const alarm = alarmOf(payload);
    if (alarm !== undefined) values["trap.alarm"] = alarm;
    subject = `alarm:${alarm ?? "?"}`;
    detail = alarm ?? "";
  }
  return { version, source, oid, name, subject, detail, values };
}

function v1Oid(pdu: RawNotification["pdu"]): string {
  if (pdu.enterprise === undefined || pdu.generic === undefined || pdu.specific === undefined)
    throw new TrapDecodeError("v1 trap without enterprise/generic/specific");
  return v1TrapOid(pdu.enterprise, pdu.generic, pdu.specific);
}

function v2Oid(varbinds: readonly RawVarbind[]): string {
  const value = varbinds.find((vb) => vb.oid === SNMP_TRAP_OID)?.value;
  if (typeof value !== "string" || !/^\d+(\.\d+)+$/.test(value))
    throw new TrapDecodeError("notification without snmpTrapOID.0");
  return canonicalOid(value);
}

/** ifIndex of a link trap: the ifIndex varbind's value, else the row of ifAdmin/OperStatus or ifName. */
function interfaceIndex(varbinds: readonly RawVarbind[]): number | undefined {
  const direct = varbinds.find((vb) => vb.oid.startsWith(IF_INDEX) && typeof vb.value === "number");
  if (direct) return direct.value as number;
  for (const column of [IF_ADMIN_STATUS, IF_OPER_STATUS, IF_NAME]) {
    const row = varbinds.find((vb) => vb.oid.startsWith(column))?.oid.slice(column.length);
    if (row && /^\d+$/.test(row)) return Number(row);
  }
  return undefined;
}

/** The alarm of an alarm trap: upsAlarmDescr's value, else any varbind naming a well-known alarm. */
function alarmOf(varbinds: readonly RawVarbind[]): string | undefined {
  const descr = varbinds.find((vb) => vb.oid.startsWith(UPS_ALARM_DESCR) && typeof vb.value === "string");
  const known = varbinds.find((vb) => typeof vb.value === "string" && isWellKnownAlarm(vb.value));
  const oid = (descr ?? known)?.value as string | undefined;
  return oid === undefined ? undefined : alarmName(oid);
}

/** A varbind value as text: octet strings as UTF-8 when printable, else hex. */
function text(value: unknown): string {
  if (Buffer.isBuffer(value)) {
    const s = value.toString("utf8");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: binary octet strings are shown as hex
    return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(s) ? `0x${value.toString("hex")}` : s;
  }
  return value === null || value === undefined ? "null" : String(value);
}

function truncate(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** "::ffff:10.0.0.1" (a udp6 socket receiving IPv4) → "10.0.0.1". */
export function unmapped(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
