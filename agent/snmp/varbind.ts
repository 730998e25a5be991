// net-snmp varbinds → the engine's plain results, and OID order. Pure; runs once per varbind on the hot path.
import { isUtf8 } from "node:buffer";
import snmp from "net-snmp";
import type { VarbindResult } from "./client.js";

const { ObjectType } = snmp;

export function toResult(vb: snmp.Varbind): VarbindResult {
  const { oid, value } = vb;
  switch (vb.type) {
    case ObjectType.Integer:
    case ObjectType.Counter:
    case ObjectType.Gauge:
    case ObjectType.TimeTicks:
      return { oid, value: value as number };
    case ObjectType.Counter64:
      return { oid, value: unsignedBigEndian(value as Buffer) };
    case ObjectType.OctetString:
      return { oid, value: octetString(value as Buffer) };
    case ObjectType.OID:
    case ObjectType.IpAddress:
      return { oid, value: value as string };
    case ObjectType.Boolean:
      return { oid, value: value as boolean };
    case ObjectType.NoSuchObject:
      return { oid, error: "noSuchObject" };
    case ObjectType.NoSuchInstance:
      return { oid, error: "noSuchInstance" };
    case ObjectType.EndOfMibView:
      return { oid, error: "endOfMibView" };
    default:
      return { oid, error: "unsupportedType" };
  }
}

/** Counter64 arrives as the BER integer's bytes; above 2^53 precision is lost (fine for octet counters). */
export function unsignedBigEndian(bytes: Buffer): number {
  let n = 0;
  for (const byte of bytes) n = n * 256 + byte;
  return n;
}

/**
 * Text when the bytes are printable UTF-8, else "0x" + hex (MAC addresses, bit sets, binary dates).
 * Trailing NULs are dropped from text: some agents send C strings.
 */
export function octetString(bytes: Buffer): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end === 0) return bytes.length === 0 ? "" : hex(bytes);
  let ascii = true;
  for (let i = 0; i < end; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 ? b !== 0x09 && b !== 0x0a && b !== 0x0d : b === 0x7f) return hex(bytes);
    if (b >= 0x80) ascii = false;
  }
  if (ascii) return bytes.toString("latin1", 0, end);
  const text = bytes.subarray(0, end);
  return isUtf8(text) ? text.toString("utf8") : hex(bytes);
}

const hex = (bytes: Buffer) => `0x${bytes.toString("hex")}`;

/** Orders numeric OIDs arc by arc without allocating ("1.3.6.1.10" follows "1.3.6.1.9"); <0, 0 or >0. */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let x = 0;
    let y = 0;
    for (; i < a.length && a.charCodeAt(i) !== 46; i++) x = x * 10 + a.charCodeAt(i) - 48;
    for (; j < b.length && b.charCodeAt(j) !== 46; j++) y = y * 10 + b.charCodeAt(j) - 48;
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}
