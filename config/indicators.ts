// Config of the indicator engine: objectives and parameters of each indicator, fault severities,
// service time and how each target counts. Defaults are those of ../shared/indicators.md.
import { z } from "zod";

export const TimeIndicator = z.enum([
  "website_uptime",
  "response_time",
  "ups_power_stability",
  "room_power_stability",
  "firewall_stability",
]);
export type TimeIndicator = z.infer<typeof TimeIndicator>;
export const IndicatorId = z.enum([
  ...TimeIndicator.options,
  "fault_response_rate",
  "fault_completion_rate",
  "inspection_pass_rate",
]);
export type IndicatorId = z.infer<typeof IndicatorId>;

export const Severity = z.enum(["P1", "P2", "P3", "P4"]);
export type Severity = z.infer<typeof Severity>;

const ratio = (d: number) => z.number().min(0).max(1).default(d);
const common = (objective: number) => ({
  objective: ratio(objective).describe("target ratio, e.g. 0.98"),
  unknown: z.enum(["exclude", "count_as_down"]).default("exclude").describe("how monitoring gaps count"),
  aggregate: z.enum(["min", "mean"]).default("min").describe("group figure over several targets"),
  coverage_warning: ratio(0.99).describe("flag figures whose coverage is below this"),
});

export const Indicators = z
  .strictObject({
    website_uptime: z
      .strictObject({ ...common(0.98), veto_share: ratio(0.05).describe("weekly failure share that vetoes") })
      .prefault({}),
    response_time: z
      .strictObject({
        ...common(1),
        limit_ms: z.number().positive().default(3000),
        percentile: z.number().gt(0).max(1).default(0.95),
      })
      .prefault({}),
    ups_power_stability: z.strictObject(common(1)).prefault({}),
    room_power_stability: z
      .strictObject({
        ...common(1),
        nominal_voltage: z.number().positive().default(220),
        tolerance: ratio(0.15).describe("mains abnormal outside nominal ± tolerance"),
      })
      .prefault({}),
    firewall_stability: z.strictObject(common(1)).prefault({}),
    fault_response_rate: z.strictObject({ objective: ratio(1) }).prefault({}),
    fault_completion_rate: z.strictObject({ objective: ratio(1) }).prefault({}),
    inspection_pass_rate: z.strictObject({ objective: ratio(1) }).prefault({}),
  })
  .prefault({});
export type Indicators = z.infer<typeof Indicators>;

/** "15m", "4h" on the natural clock; "1wd", "5wd" (working days) on the working clock. */
const Limit = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$|^\d+wd$/, "a duration such as 15m, 4h, or working days such as 5wd");
const SeverityLimits = z
  .strictObject({ respond: Limit, resolve: Limit })
  .refine(
    (s) => s.respond.endsWith("wd") === s.resolve.endsWith("wd"),
    "respond and resolve use the same clock",
  );

export const Severities = z
  .strictObject({
    P1: SeverityLimits.default({ respond: "15m", resolve: "4h" }),
    P2: SeverityLimits.default({ respond: "30m", resolve: "8h" }),
    P3: SeverityLimits.default({ respond: "2h", resolve: "24h" }),
    P4: SeverityLimits.default({ respond: "1wd", resolve: "5wd" }),
  })
  .prefault({});
export type Severities = z.infer<typeof Severities>;

const HourRange = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, "HH:MM-HH:MM");
export const ServiceTime = z.union([
  z.literal("24x7"),
  z.strictObject({
    days: z.enum(["working", "all"]).default("working").describe("working: the official Chinese calendar"),
    hours: z.array(HourRange).min(1).describe('e.g. ["08:30-12:00", "14:00-17:30"]'),
  }),
]);
export type ServiceTime = z.infer<typeof ServiceTime>;

/** How a result's verdict is read for an indicator. */
export const Via = z.enum([
  "ok", // the probe succeeded
  "load_powered", // UPS: output source not none(2), no UpsOutputOff/UpsSystemOff/ShutdownImminent alarm
  "mains_normal", // UPS input: not on battery, no InputBad/OnBattery alarm, input voltage within tolerance
]);
export type Via = z.infer<typeof Via>;

export const TargetIndicator = z.strictObject({
  id: TimeIndicator,
  via: Via.optional().describe("default: load_powered for UPS power, mains_normal for room power, else ok"),
  checks: z.array(z.string()).optional().describe("checks that count; default every check with counts: true"),
  combine: z
    .enum(["worst", "best", "members"])
    .optional()
    .describe(
      "across checks: worst (default), best (down only when no check answers) or members (firewall default: per `member`, down when no reachability check answers or its SNMP state shows a designated interface down, an HA backup role or a reboot; up when any member is)",
    ),
  severity: Severity.optional().describe("severity of the fault this opens; default per indicator"),
});
export type TargetIndicator = z.infer<typeof TargetIndicator>;

export const Calendar = z
  .strictObject({
    override_file: z
      .string()
      .optional()
      .describe(
        "YAML with extra `holidays:` and `workdays:` (YYYY-MM-DD lists) overriding the official calendar; relative to the config file",
      ),
  })
  .prefault({});
