// Raw varbinds of one poll → the value names of docs/snmp.md, as the profile says: enum mapping,
// scaling, reductions of walked columns, counter rates, alarm names, NUT status tokens, and the
// load-powered / mains-normal flags computed by the same function the server uses (engine/verdict.ts).
import type { ColumnSpec, ValueSpec } from "../../config/profile.js";
import { type MainsParams, verdictOf } from "../../engine/verdict.js";
import type { Values } from "../../protocol/messages.js";
import type { SnmpValue, VarbindResult } from "./client.js";
import { type CounterSample, type CounterState, counterRate } from "./normalize-rates.js";
import { type Facts, holds, referencedValues, statusTokens } from "./normalize-rules.js";
import type { CompiledProfile } from "./profile-compile.js";
import type { DesignatedInterface } from "./profile-interfaces.js";

const MAX_STRING = 1024; // protocol limit for string values

export interface RawPoll {
  /** The GET's answers by OID. */
  got: ReadonlyMap<string, VarbindResult>;
  /** Walked subtrees by root OID. */
  walked: ReadonlyMap<string, readonly VarbindResult[]>;
}

export interface PollInput {
  profile: CompiledProfile;
  /** The check's extra `oids` (value name → OID), reported raw. */
  oids: Readonly<Record<string, string>>;
  designated: readonly DesignatedInterface[];
  /** Row index of each designated interface found (name → index). */
  interfaces: ReadonlyMap<string, string>;
  raw: RawPoll;
  /** Counter samples of the previous poll. */
  counters: CounterState;
  /** Poll time, epoch ms. */
  now: number;
  mains: MainsParams;
}

export interface Normalized {
  values: Values;
  /** What could not be read, one entry per value, e.g. "battery.voltage (1.3.6.…): noSuchObject". */
  missing: string[];
  /** Counter samples for the next poll. */
  counters: Map<string, CounterSample>;
  /** Designated interfaces whose row has gone (ifIndex renumbered): find them again by name. */
  stale: string[];
}

type Read = { value: SnmpValue } | { problem: string };

export function normalize(input: PollInput): Normalized {
  const { profile, raw } = input;
  const values: Values = {};
  const missing: string[] = [];
  const counters = new Map<string, CounterSample>();
  const stale: string[] = [];
  const put = (name: string, read: Read, rate?: number) => {
    if ("problem" in read) missing.push(`${name} ${read.problem}`);
    else if (rate === undefined) values[name] = clip(read.value);
    else if (typeof read.value !== "number")
      missing.push(`${name}: a counter, got ${JSON.stringify(read.value)}`);
    else {
      const sample = { value: read.value, at: input.now };
      counters.set(name, sample);
      const r = counterRate(input.counters.get(name), sample, rate);
      if (r !== undefined) values[name] = tidy(r);
    }
  };

  for (const [name, spec] of Object.entries(profile.values)) {
    if (spec.kind === "get") put(name, readGet(spec, raw.got.get(spec.oid), spec.oid), spec.rate);
    else put(name, readWalked(spec, raw.walked));
  }
  for (const [name, oid] of Object.entries(input.oids)) {
    const bare = oid.replace(/^\./, "");
    put(name, readGet({}, raw.got.get(bare), bare));
  }
  for (const { match, name } of input.designated) {
    const index = input.interfaces.get(name);
    if (index === undefined) {
      missing.push(`if.${name}: no interface named "${match}"`);
      continue;
    }
    for (const [part, column] of Object.entries(profile.interfaces?.values ?? {})) {
      const oid = `${column.get}.${index}`;
      const vb = raw.got.get(oid);
      if (vb?.error === "noSuchInstance" || vb?.error === "noSuchObject") stale.push(name);
      put(`if.${name}.${part}`, readGet(column, vb, oid), column.rate);
    }
  }

  const alarms = alarmNames(input, values);
  if (alarms !== undefined) {
    values["ups.alarms"] = clip(alarms.join(", "));
    values["ups.alarms_present"] = alarms.length;
  }
  const facts: Facts = { values, alarms: new Set((alarms ?? []).map((a) => a.toLowerCase())) };
  if (profile.status.length > 0 && [...referencedValues(profile.status)].some((n) => n in values))
    values["ups.status"] = statusTokens(profile.status, facts).join(" ");
  for (const [name, via] of [
    ["ups.load_powered", "load_powered"],
    ["ups.mains_normal", "mains_normal"],
  ] as const) {
    const verdict = verdictOf({ ok: true, values }, via, input.mains);
    if (verdict !== "none") values[name] = verdict === "ok";
  }
  if (profile.names.length > 0) values["snmp.profile"] = profile.names.join(", ");
  return { values, missing, counters, stale: [...new Set(stale)] };
}

/**
 * Alarms present: names from the alarm table (walked when the count said so), plus those derived by
 * rules. Undefined when unknown: the profile has no alarms, or the count could not be read.
 */
function alarmNames(input: PollInput, values: Values): string[] | undefined {
  const spec = input.profile.alarms;
  if (spec === undefined) return undefined;
  const names: string[] = [];
  if (spec.table !== undefined) {
    const rows = input.raw.walked.get(spec.table);
    if (rows === undefined) {
      // Not walked: fine when the count said 0; unknown when the count is missing.
      if (spec.count === undefined || values[spec.count] !== 0) return undefined;
    } else {
      for (const row of rows) {
        if (row.value === undefined) continue;
        const oid = String(row.value).replace(/^\./, "");
        names.push(spec.names[oid] ?? oid);
      }
    }
  }
  const facts: Facts = { values, alarms: new Set(names.map((a) => a.toLowerCase())) };
  for (const rule of spec.rules)
    if (!names.includes(rule.name) && holds(rule.when, facts)) names.push(rule.name);
  return names;
}

type GetLike = Pick<ColumnSpec, "map" | "map_default" | "scale">;

function readGet(spec: GetLike, vb: VarbindResult | undefined, oid: string): Read {
  if (vb === undefined) return { problem: `(${oid}): missing in response` };
  if (vb.value === undefined) return { problem: `(${oid}): ${vb.error ?? "no value"}` };
  let value: SnmpValue = vb.value;
  if (spec.map !== undefined) {
    const mapped = spec.map[String(value)] ?? spec.map_default;
    if (mapped === undefined) return { problem: `(${oid}): unexpected value ${JSON.stringify(value)}` };
    value = mapped;
  }
  if (spec.scale !== undefined) {
    if (typeof value !== "number") return { problem: `(${oid}): not a number: ${JSON.stringify(value)}` };
    value = tidy(value * spec.scale);
  }
  return { value };
}

function readWalked(
  spec: Exclude<ValueSpec, { kind: "get" }>,
  walked: ReadonlyMap<string, readonly VarbindResult[]>,
): Read {
  if (spec.kind === "walk") {
    const rows = walked.get(spec.oid) ?? [];
    let nums = rows.flatMap((vb) => (typeof vb.value === "number" ? [vb.value] : []));
    if (spec.nonzero) nums = nums.filter((n) => n !== 0);
    if (spec.reduce === "count") return { value: nums.length };
    if (nums.length === 0)
      return { problem: `(walk ${spec.oid}): no ${spec.nonzero ? "non-zero " : ""}rows` };
    const reduced = reduce(spec.reduce, nums);
    return { value: tidy(spec.scale === undefined ? reduced : reduced * spec.scale) };
  }
  // table: rows joined by index (the OID suffix after each column), filtered by `where`
  const rows = new Map<string, Record<string, SnmpValue>>();
  for (const [column, oid] of Object.entries(spec.columns))
    for (const vb of walked.get(oid) ?? []) {
      if (vb.value === undefined) continue;
      const index = vb.oid.slice(oid.length + 1);
      rows.set(index, { ...rows.get(index), [column]: vb.value });
    }
  const kept = [...rows.values()].filter((row) =>
    Object.entries(spec.where).every(([c, want]) => normalizeOid(row[c]) === normalizeOid(want)),
  );
  const [num, den] = spec.percent;
  const sum = (c: string) =>
    kept.reduce((s, row) => s + (typeof row[c] === "number" ? (row[c] as number) : 0), 0);
  const total = sum(den);
  if (total === 0) return { problem: `(walk ${Object.values(spec.columns).join(", ")}): no matching rows` };
  return { value: tidy((100 * sum(num)) / total) };
}

function reduce(how: "avg" | "max" | "min" | "sum", nums: number[]): number {
  switch (how) {
    case "avg":
      return nums.reduce((a, b) => a + b, 0) / nums.length;
    case "max":
      return Math.max(...nums);
    case "min":
      return Math.min(...nums);
    case "sum":
      return nums.reduce((a, b) => a + b, 0);
  }
}

const normalizeOid = (v: SnmpValue | undefined) => (typeof v === "string" ? v.replace(/^\./, "") : v);

/** Drops binary noise of decimal arithmetic: 2301 × 0.1 = 230.10000000000002 → 230.1. */
const tidy = (n: number) => Number(n.toPrecision(15));

const clip = (v: SnmpValue) => (typeof v === "string" && v.length > MAX_STRING ? v.slice(0, MAX_STRING) : v);
