// An SNMP profile file (config/profiles/*.yaml, or a check's profiles_dir): which OIDs a device kind
// answers, how raw values become the value names of docs/snmp.md, and how `profile: auto` recognises it.
// A vendor is added by writing one of these, not code.
import { z } from "zod";
import { ValueName } from "../protocol/messages.js";

/** Numeric OID, stored without a leading dot. */
export const Oid = z
  .string()
  .regex(/^\.?\d+(\.\d+)+$/, "a numeric OID such as 1.3.6.1.2.1.1.3.0")
  .transform((s) => s.replace(/^\./, ""));

export const ProfileName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "a profile name: lower-case letters, digits and '-' (e.g. ups-apc)");

/** One segment of a value name ([a-z0-9_]+), e.g. an interface's value name part. */
export const NameSegment = z.string().regex(/^[a-z0-9_]+$/, "lower-case letters, digits and '_'");

const Scalar = z.union([z.number(), z.string(), z.boolean()]);
export type Scalar = z.infer<typeof Scalar>;

/** A value equals this, one of these, or lies in [min, max]. */
const Match = z.union([
  Scalar,
  z.array(Scalar).min(1),
  z
    .strictObject({ min: z.number().optional(), max: z.number().optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, "min and/or max"),
]);
export type Match = z.infer<typeof Match>;

/**
 * Every key must match (AND): a value name, or `alarm` (an alarm name, or a list: any of them present).
 * A list of conditions holds when any of them holds (OR).
 */
const Condition = z.record(z.string(), Match).refine((c) => Object.keys(c).length > 0, "at least one key");
export type Condition = z.infer<typeof Condition>;
const When = z.union([Condition, z.array(Condition).min(1)]);
export type When = z.infer<typeof When>;

const transforms = {
  map: z
    .record(z.string(), Scalar)
    .optional()
    .describe("raw value (as text) → normalized value, e.g. vendor numbering → RFC 1628 numbering"),
  map_default: Scalar.optional().describe("for a raw value not in map; without it such a value is dropped"),
  scale: z
    .number()
    .optional()
    .describe("multiplier applied after map, e.g. 0.1 for decivolts, 60 for minutes"),
};

/** What a value spec turns into once validated (discriminated by kind). */
export type ValueSpec =
  | {
      kind: "get";
      oid: string;
      map?: Record<string, Scalar>;
      map_default?: Scalar;
      scale?: number;
      rate?: number;
    }
  | {
      kind: "walk";
      oid: string;
      reduce: "avg" | "max" | "min" | "sum" | "count";
      nonzero: boolean;
      scale?: number;
    }
  | {
      kind: "table";
      columns: Record<string, string>;
      where: Record<string, Scalar>;
      percent: [string, string];
    };

const Regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, "a regular expression");

const ColumnName = z.string().regex(/^[a-z][a-z0-9_]*$/, "a column name such as used");

export const ValueSpec = z
  .strictObject({
    get: Oid.optional().describe("OID to GET (a scalar, or a table cell with its index)"),
    walk: Oid.optional().describe("a table column to walk, reduced to one number by `reduce`"),
    table: z
      .record(ColumnName, Oid)
      .optional()
      .describe("columns to walk, joined by row index; the value is `percent` over the rows `where` keeps"),
    reduce: z.enum(["avg", "max", "min", "sum", "count"]).optional(),
    nonzero: z.boolean().optional().describe("walk: ignore rows whose value is 0 (entities without a CPU)"),
    where: z.record(ColumnName, Scalar).optional().describe("table: keep rows whose columns equal these"),
    percent: z
      .tuple([ColumnName, ColumnName])
      .optional()
      .describe("table: 100 × Σ first column / Σ second column"),
    rate: z
      .number()
      .positive()
      .optional()
      .describe("a counter: the value is its increase per second × rate since the previous poll"),
    ...transforms,
  })
  .superRefine((v, ctx) => {
    const kinds = (["get", "walk", "table"] as const).filter((k) => v[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: "custom", message: "exactly one of get, walk or table" });
      return;
    }
    const only = (keys: readonly (keyof typeof v)[], what: string) => {
      for (const key of keys)
        if (v[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `only with ${what}` });
    };
    if (v.get !== undefined) only(["reduce", "nonzero", "where", "percent"], "walk or table");
    if (v.walk !== undefined) {
      only(["rate", "map", "map_default", "where", "percent"], "get or table");
      if (v.reduce === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["reduce"],
          message: "a walk needs reduce: avg | max | min | sum | count",
        });
    }
    if (v.table !== undefined) {
      only(["rate", "map", "map_default", "scale", "reduce", "nonzero"], "get or walk");
      if (v.percent === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["percent"],
          message: "a table needs percent: [column, column]",
        });
      for (const c of [...(v.percent ?? []), ...Object.keys(v.where ?? {})])
        if (!(c in v.table))
          ctx.addIssue({
            code: "custom",
            message: `column "${c}" is not in table (${Object.keys(v.table)})`,
          });
    }
    if (v.map_default !== undefined && v.map === undefined)
      ctx.addIssue({ code: "custom", path: ["map_default"], message: "only with map" });
  })
  .transform((v): ValueSpec => {
    if (v.get !== undefined)
      return {
        kind: "get",
        oid: v.get,
        map: v.map,
        map_default: v.map_default,
        scale: v.scale,
        rate: v.rate,
      };
    if (v.walk !== undefined)
      return {
        kind: "walk",
        oid: v.walk,
        reduce: v.reduce ?? "avg",
        nonzero: v.nonzero ?? false,
        scale: v.scale,
      };
    return {
      kind: "table",
      columns: v.table ?? {},
      where: v.where ?? {},
      percent: v.percent ?? ["", ""],
    };
  });

/** A column read for each designated interface: the interface's row index is appended to `get`. */
const ColumnSpec = z.strictObject({
  get: Oid.describe("table column; the row index is appended"),
  rate: z.number().positive().optional().describe("a counter: increase per second × rate (8: octets → bits)"),
  ...transforms,
});
export type ColumnSpec = z.infer<typeof ColumnSpec>;

const AlarmName = z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, "an alarm name such as OnBattery");

export const Profile = z.strictObject({
  name: ProfileName.describe("must equal the file name without .yaml"),
  description: z.string().min(1),
  include: z.array(ProfileName).default([]).describe("profiles whose objects and rules are read too"),
  detect: z
    .strictObject({
      oids: z
        .array(
          z.union([
            Oid,
            z.strictObject({ oid: Oid, match: Regex.describe("regular expression on the value") }),
          ]),
        )
        .min(1)
        .describe("profile: auto picks this profile when every OID answers with a value (matching `match`)"),
      group: z
        .string()
        .regex(/^[a-z][a-z0-9_-]*$/)
        .default("device")
        .describe("auto picks one profile per group (device, ha)"),
      priority: z.number().int().default(0).describe("higher wins within a group: vendor over generic"),
    })
    .optional(),
  values: z.record(ValueName, ValueSpec).default({}),
  alarms: z
    .strictObject({
      count: ValueName.optional().describe(
        "a value of this profile; the table is walked only when it is > 0",
      ),
      table: Oid.optional().describe("column whose values are alarm OIDs (upsAlarmDescr)"),
      names: z.record(Oid, AlarmName).default({}).describe("alarm OID → name (RFC 1628 spelling)"),
      rules: z
        .array(z.strictObject({ name: AlarmName, when: When }))
        .default([])
        .describe("alarms derived from values, for MIBs without an alarm table"),
    })
    .optional(),
  status: z
    .array(
      z.strictObject({ token: z.string().regex(/^[A-Z]+$/, "a NUT status token such as OB"), when: When }),
    )
    .default([])
    .describe("ups.status tokens, in this order, each present when its condition holds"),
  interfaces: z
    .strictObject({
      match_by: z.array(Oid).min(1).describe("name columns tried in order (ifName, ifAlias, ifDescr)"),
      values: z
        .record(NameSegment, ColumnSpec)
        .describe("value name part → column, read as if.<name>.<part>"),
    })
    .optional()
    .describe("designated interfaces (the check's `interfaces`)"),
});
export type Profile = z.infer<typeof Profile>;
export type AlarmSpec = NonNullable<Profile["alarms"]>;
export type InterfaceSpec = NonNullable<Profile["interfaces"]>;
export type StatusRule = Profile["status"][number];
