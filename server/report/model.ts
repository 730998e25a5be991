// The monthly report (月度运维报告) as data: built once by build.ts, rendered by render-*.ts without any
// arithmetic of their own. This zod schema is the single source of truth for the TypeScript type and for
// docs/report-schema.json (z.toJSONSchema; a unit test keeps the committed file in step).
//
// Conventions (also in the schema descriptions):
// - times: ISO 8601 in the site's zone with its offset ("2026-11-01T00:00:00.000+08:00"), and the same
//   instant as epoch ms in a sibling field named …Ms where a program may want to compute with it;
// - durations: seconds (exact: ms / 1000, so fractional seconds are possible);
// - ratios: exact numbers in [0, 1], never rounded; null = n/a (nothing to measure), never 100 %;
//   renderers format them (truncated to two decimals, engine/availability.ts formatPercent);
// - response times: ms, or the string "+Inf" for a failed operation (JSON has no Infinity), null = n/a.
import { z } from "zod";

export const REPORT_VERSION = 1;

const Iso = z
  .string()
  .describe("ISO 8601 time with the site's UTC offset, e.g. 2026-11-01T00:00:00.000+08:00");
const Ms = z.number().describe("the same instant as epoch milliseconds (UTC)");
const Seconds = z.number().min(0).describe("a duration in seconds (exact, may be fractional)");
const Ratio = z.number().min(0).max(1).nullable().describe("exact ratio 0…1; null = n/a (nothing measured)");
const Met = z
  .boolean()
  .nullable()
  .describe("true 达标 / false 未达标 / null 待定 (pending: nothing decided)");
const Millis = z
  .union([z.number(), z.literal("+Inf")])
  .nullable()
  .describe('milliseconds; "+Inf" = a failed operation (counted as slower than any limit); null = n/a');

export const TimeIndicatorId = z.enum([
  "website_uptime",
  "response_time",
  "ups_power_stability",
  "room_power_stability",
  "firewall_stability",
]);
export const IndicatorIdSchema = z.enum([
  ...TimeIndicatorId.options,
  "fault_response_rate",
  "fault_completion_rate",
  "inspection_pass_rate",
]);
const SeverityId = z.enum(["P1", "P2", "P3", "P4"]);
const Outcome = z.enum(["met", "missed", "pending", "unknown"]).describe("unknown: deadline not computable");

export const KeyIndicator = z.object({
  id: IndicatorIdSchema,
  unit: z
    .enum(["ratio", "ms"])
    .describe("ms for response_time (objective and value are the p-th percentile)"),
  objective: z.number(),
  /** Group figure: aggregate over targets (response_time: the worst percentile). */
  value: z.union([z.number(), z.literal("+Inf")]).nullable(),
  met: Met,
  /** met is null: nothing decided (no data, or only pending faults / inspections). */
  pending: z.boolean(),
  /** Lowest monitoring coverage over the indicator's targets; null for faults and inspections. */
  coverage: Ratio,
  lowCoverage: z.boolean(),
  targets: z.array(z.string()).describe("target ids counted"),
});

export const OutageEntry = z.object({
  start: Iso,
  end: Iso,
  startMs: Ms,
  endMs: Ms,
  rawStart: Iso.describe("the whole DOWN spell as observed, possibly before the period"),
  rawEnd: Iso,
  rawStartMs: Ms,
  rawEndMs: Ms,
  seconds: Seconds.describe("end − start (cut to the period; not all of it need be counted downtime)"),
});

export const FlapEntry = z.object({
  check: z.string(),
  agent: z.string(),
  start: Iso,
  end: Iso,
  startMs: Ms,
  endMs: Ms,
  failures: z.number().int(),
});

export const ExclusionEntry = z.object({
  windowId: z.string(),
  start: Iso,
  end: Iso,
  startMs: Ms,
  endMs: Ms,
  planned: z.boolean(),
  cancelled: z.boolean(),
  excludedSeconds: Seconds,
});

export const ResponseTimeEntry = z.object({
  n: z.number().int(),
  p50: Millis,
  p95: Millis,
  p99: Millis,
  max: Millis,
  shareWithinLimit: Ratio,
  limitMs: z.number(),
  percentile: z.number(),
  met: Met,
});

export const WebsiteEntry = z.object({
  samples: z.object({ total: z.number().int(), failed: z.number().int(), share: Ratio }),
  worstWeek: z
    .object({
      start: Iso,
      end: Iso,
      startMs: Ms,
      endMs: Ms,
      total: z.number().int(),
      failed: z.number().int(),
      share: Ratio,
      vetoShare: z.number(),
      veto: z.boolean(),
    })
    .nullable(),
});

export const TargetIndicatorEntry = z.object({
  id: TimeIndicatorId,
  met: Met,
  availability: Ratio.describe("(AST − excluded − down) / counted time as configured (unknown: exclude)"),
  astSeconds: Seconds,
  excludedSeconds: Seconds,
  countedSeconds: Seconds.describe("AST − excluded"),
  upSeconds: Seconds,
  downtimeSeconds: Seconds,
  unknownSeconds: Seconds,
  coverage: Ratio,
  lowCoverage: z.boolean(),
  outages: z.array(OutageEntry),
  outageCount: z.number().int(),
  longestOutageSeconds: Seconds,
  flaps: z.array(FlapEntry),
  exclusions: z.array(ExclusionEntry),
  daily: z
    .array(
      z.object({
        date: z.string().describe("local date YYYY-MM-DD (site zone)"),
        ratio: Ratio.describe("the day's ratio, same rules as availability; null = n/a (drawn grey)"),
      }),
    )
    .optional()
    .describe("availability per local day of the period, from the same timeline as the period figure"),
  website: WebsiteEntry.optional(),
  responseTime: ResponseTimeEntry.optional(),
});

export const TargetEntry = z.object({
  id: z.string(),
  name: z.string(),
  group: z.string(),
  kind: z.enum(["ups", "firewall", "website", "host", "other"]),
  indicators: z.array(TargetIndicatorEntry),
});

const Rate = z.object({
  met: z.number().int(),
  missed: z.number().int(),
  pending: z.number().int(),
  ratio: Ratio,
});

export const FaultEventEntry = z.object({
  type: z.enum(["opened", "attached", "acknowledged", "escalated", "resolved", "reopened", "recovered"]),
  at: Iso,
  atMs: Ms,
  actor: z.string().nullable().describe("the person; null for the system (detector)"),
  note: z.string().nullable(),
  severity: SeverityId.nullable(),
});

export const FaultEntry = z.object({
  id: z.string(),
  target: z.string(),
  targetName: z.string(),
  cause: z.string(),
  title: z.string(),
  source: z.enum(["auto", "manual"]),
  openedSeverity: SeverityId.describe("fixes the deadlines (escalation does not restart them)"),
  severity: SeverityId.describe("now (after escalations)"),
  status: z.enum(["open", "resolved"]),
  openedAt: Iso,
  openedAtMs: Ms,
  respondBy: Iso.nullable(),
  resolveBy: Iso.nullable(),
  acknowledgedAt: Iso.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: Iso.nullable(),
  response: Outcome,
  completion: Outcome,
  deadlineError: z.string().nullable(),
  timeline: z.array(FaultEventEntry),
});

export const FaultsSection = z.object({
  opened: z.number().int(),
  response: Rate,
  completion: Rate,
  mttaSeconds: Seconds.nullable(),
  mttrSeconds: Seconds.nullable(),
  bySeverity: z.array(
    z.object({
      severity: SeverityId.describe("severity at opening"),
      opened: z.number().int(),
      response: Rate,
      completion: Rate,
    }),
  ),
  list: z.array(FaultEntry),
});

export const InspectionRunEntry = z.object({
  id: z.string(),
  plan: z.string(),
  planName: z.string().nullable(),
  scheduledAt: Iso,
  scheduledAtMs: Ms,
  startedAt: Iso.nullable(),
  status: z.enum(["compliant", "non_compliant", "pending"]),
  missed: z.boolean().describe("never started"),
  reasons: z.array(z.string()),
  items: z.number().int(),
  failedItems: z.array(
    z.object({
      target: z.string(),
      item: z.string(),
      label: z.string(),
      detail: z.string().nullable(),
      note: z.string().nullable(),
      faultId: z.string().nullable(),
    }),
  ),
});

export const InspectionsSection = z.object({
  scheduled: z.number().int(),
  compliant: z.number().int(),
  nonCompliant: z.number().int(),
  pending: z.number().int(),
  missed: z.number().int().describe("never started (counted as non-compliant)"),
  ratio: Ratio,
  items: z.object({ passed: z.number().int(), withResult: z.number().int(), share: Ratio }),
  runs: z.array(InspectionRunEntry),
});

export const EventEntry = z.object({
  target: z.string(),
  targetName: z.string(),
  indicator: TimeIndicatorId,
  kind: z
    .enum(["load_unpowered", "mains_abnormal", "firewall_unstable"])
    .describe("load_unpowered: UPS output off; mains_abnormal: on battery / input bad; firewall_unstable"),
  start: Iso,
  end: Iso,
  startMs: Ms,
  endMs: Ms,
  rawStart: Iso,
  rawEnd: Iso,
  seconds: Seconds,
});

export const MaintenanceEntry = z.object({
  id: z.string(),
  targets: z.array(z.string()).nullable(),
  groups: z.array(z.string()).nullable(),
  reason: z.string(),
  approvedBy: z.string(),
  createdBy: z.string(),
  createdAt: Iso,
  createdAtMs: Ms,
  cancelledAt: Iso.nullable(),
  cancelledBy: z.string().nullable(),
  recurrence: z
    .object({ every: z.enum(["day", "week", "month"]), at: z.string(), durationSeconds: Seconds })
    .nullable(),
  occurrences: z.array(
    z.object({
      start: Iso,
      end: Iso,
      startMs: Ms,
      endMs: Ms,
      planned: z.boolean().describe("recorded before it started and not cancelled before it started"),
      late: z.boolean().describe("recorded after it started: listed, excludes nothing"),
      cancelled: z.boolean(),
      excludedSeconds: Seconds.describe("sum over the targets and indicators it applied to"),
      excluded: z.array(z.object({ target: z.string(), indicator: TimeIndicatorId, seconds: Seconds })),
    }),
  ),
});

export const CoverageEntry = z.object({
  target: z.string(),
  name: z.string(),
  indicator: TimeIndicatorId,
  unknownSeconds: Seconds,
  coverage: Ratio,
  lowCoverage: z.boolean(),
});

export const Parameters = z.object({
  definitions: z.string().describe("where the definitions are written (docs/indicators.md)"),
  opswatchVersion: z.string(),
  timezone: z.string(),
  indicators: z.record(z.string(), z.record(z.string(), z.union([z.number(), z.string()]))),
  severities: z.record(SeverityId, z.object({ respond: z.string(), resolve: z.string() })),
  checks: z.array(
    z.object({
      target: z.string(),
      indicator: TimeIndicatorId,
      via: z.string(),
      combine: z.enum(["worst", "best", "members"]),
      check: z.string(),
      confirm: z.number().int(),
      holdSeconds: Seconds.describe("2 × interval + timeout"),
    }),
  ),
  serviceTime: z.array(
    z.object({
      target: z.string(),
      days: z.enum(["all", "working"]),
      hours: z.array(z.string()).describe('empty = 24 h ("24x7")'),
    }),
  ),
  calendar: z.object({
    overrideFile: z.string().nullable(),
    years: z.array(z.object({ year: z.number().int(), covered: z.boolean() })),
  }),
  audit: z
    .record(z.string(), z.number().int().min(0))
    .describe(
      "audit log entries per action (fault.acknowledge, maintenance.create, user.add, …) in [from, measuredTo); who did what: GET /api/v1/audit",
    ),
});

export const ReportModel = z
  .object({
    version: z.literal(REPORT_VERSION),
    generatedAt: Iso,
    generatedAtMs: Ms,
    site: z.object({ name: z.string(), timezone: z.string() }),
    title: z.object({
      unit: z.string().describe("单位名称 (config site.name)"),
      year: z.number().int(),
      month: z.number().int().nullable().describe("null for a report over an arbitrary range"),
    }),
    period: z.object({
      from: Iso,
      to: Iso.describe("end of the requested period (exclusive)"),
      fromMs: Ms,
      toMs: Ms,
      measuredTo: Iso.describe("figures cover [from, measuredTo): min(to, generation time)"),
      measuredToMs: Ms,
      complete: z.boolean().describe("false for a month to date"),
      timezone: z.string(),
      month: z.string().nullable().describe("YYYY-MM, or null for an arbitrary range"),
    }),
    empty: z.boolean().describe("no data at all in the period: renderers say 无数据 / no data, never 100 %"),
    indicators: z.array(KeyIndicator),
    targets: z.array(TargetEntry),
    faults: FaultsSection,
    inspections: InspectionsSection,
    events: z.object({
      ups: z.array(EventEntry).describe("load unpowered, and on battery / mains abnormal spells"),
      firewall: z.array(EventEntry),
    }),
    maintenance: z.array(MaintenanceEntry),
    coverage: z.array(CoverageEntry),
    parameters: Parameters,
  })
  .meta({
    title: "opswatch monthly report (月度运维报告), version 1",
    description:
      'Built once per period by server/report/build.ts; renderers only format it. Times: ISO 8601 with the site offset plus epoch ms (…Ms). Durations: seconds, exact. Ratios: exact 0…1, null = n/a (never 100 %); printed truncated to two decimals. Response times: ms or "+Inf" (a failed operation), null = n/a.',
  });
export type ReportModel = z.infer<typeof ReportModel>;
export type KeyIndicator = z.infer<typeof KeyIndicator>;
export type TargetIndicatorEntry = z.infer<typeof TargetIndicatorEntry>;
export type FaultEntry = z.infer<typeof FaultEntry>;

/** The JSON Schema of the report (committed as docs/report-schema.json). */
export function reportJsonSchema(): object {
  return z.toJSONSchema(ReportModel, { io: "output" });
}
