// The report as CSV: one file per section, UTF-8 with a byte-order mark (so Excel reads Chinese
// correctly), CRLF line ends (RFC 4180). Columns are stable machine names; values are the model's exact
// numbers (ratios 0…1, seconds, ISO times), plus *_display columns formatted in the chosen language.
import { formatPercent } from "../../engine/availability.js";
import { actual, type Lang, t, verdict } from "./i18n.js";
import type { ReportModel } from "./model.js";
import { parameterRows, targetSeconds } from "./tables.js";

export const BOM = "\uFEFF";

type Cell = string | number | boolean | null | undefined;

/** One CSV field: quoted when needed; a text starting like a formula is prefixed with ' (Excel). */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(header: string[], rows: Cell[][]): string {
  return `${BOM}${[header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/** Section name → CSV text. The file names are `<section>.csv`. */
export function renderCsv(m: ReportModel, lang: Lang): Record<string, string> {
  const pct = (r: number | null) => (r === null ? t(lang, "noData") : formatPercent(r));
  return {
    indicators: keyIndicatorsCsv(m, lang),
    targets: csv(
      [
        "target",
        "name",
        "group",
        "kind",
        "indicator",
        "availability",
        "availability_display",
        "met",
        "met_display",
        "ast_seconds",
        "excluded_seconds",
        "counted_seconds",
        "up_seconds",
        "downtime_seconds",
        "unknown_seconds",
        "coverage",
        "low_coverage",
        "outage_count",
        "longest_outage_seconds",
        "flaps",
      ],
      m.targets.flatMap((tg) =>
        tg.indicators.map((i) => [
          tg.id,
          tg.name,
          tg.group,
          tg.kind,
          i.id,
          i.availability,
          pct(i.availability),
          i.met,
          verdict(lang, i.met),
          ...targetSeconds(i),
          i.coverage,
          i.lowCoverage,
          i.outageCount,
          i.longestOutageSeconds,
          i.flaps.length,
        ]),
      ),
    ),
    outages: csv(
      ["target", "indicator", "start", "end", "raw_start", "raw_end", "seconds"],
      m.targets.flatMap((tg) =>
        tg.indicators.flatMap((i) =>
          i.outages.map((o) => [tg.id, i.id, o.start, o.end, o.rawStart, o.rawEnd, o.seconds]),
        ),
      ),
    ),
    faults: csv(
      [
        "id",
        "target",
        "title",
        "source",
        "opened_severity",
        "severity",
        "status",
        "opened_at",
        "respond_by",
        "resolve_by",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "response",
        "completion",
      ],
      m.faults.list.map((f) => [
        f.id,
        f.target,
        f.title,
        f.source,
        f.openedSeverity,
        f.severity,
        f.status,
        f.openedAt,
        f.respondBy,
        f.resolveBy,
        f.acknowledgedAt,
        f.acknowledgedBy,
        f.resolvedAt,
        f.response,
        f.completion,
      ]),
    ),
    "fault-events": csv(
      ["fault", "type", "at", "actor", "note", "severity"],
      m.faults.list.flatMap((f) => f.timeline.map((e) => [f.id, e.type, e.at, e.actor, e.note, e.severity])),
    ),
    "fault-severities": csv(
      [
        "severity",
        "opened",
        "response_met",
        "response_missed",
        "response_pending",
        "completion_met",
        "completion_missed",
        "completion_pending",
      ],
      m.faults.bySeverity.map((s) => [
        s.severity,
        s.opened,
        s.response.met,
        s.response.missed,
        s.response.pending,
        s.completion.met,
        s.completion.missed,
        s.completion.pending,
      ]),
    ),
    inspections: csv(
      ["run", "plan", "scheduled_at", "started_at", "status", "missed", "items", "failed_items", "reasons"],
      m.inspections.runs.map((r) => [
        r.id,
        r.plan,
        r.scheduledAt,
        r.startedAt,
        r.status,
        r.missed,
        r.items,
        r.failedItems.map((i) => `${i.target}/${i.item}${i.faultId ? `→#${i.faultId}` : ""}`).join("; "),
        r.reasons.join("; "),
      ]),
    ),
    events: csv(
      ["target", "indicator", "kind", "start", "end", "raw_start", "raw_end", "seconds"],
      [...m.events.ups, ...m.events.firewall].map((e) => [
        e.target,
        e.indicator,
        e.kind,
        e.start,
        e.end,
        e.rawStart,
        e.rawEnd,
        e.seconds,
      ]),
    ),
    maintenance: csv(
      [
        "window",
        "targets",
        "groups",
        "reason",
        "approved_by",
        "created_by",
        "created_at",
        "start",
        "end",
        "planned",
        "late",
        "cancelled",
        "excluded_seconds",
      ],
      m.maintenance.flatMap((w) =>
        w.occurrences.map((o) => [
          w.id,
          w.targets?.join(" ") ?? "",
          w.groups?.join(" ") ?? "",
          w.reason,
          w.approvedBy,
          w.createdBy,
          w.createdAt,
          o.start,
          o.end,
          o.planned,
          o.late,
          o.cancelled,
          o.excludedSeconds,
        ]),
      ),
    ),
    coverage: csv(
      ["target", "name", "indicator", "unknown_seconds", "coverage", "coverage_display", "low_coverage"],
      m.coverage.map((c) => [
        c.target,
        c.name,
        c.indicator,
        c.unknownSeconds,
        c.coverage,
        pct(c.coverage),
        c.lowCoverage,
      ]),
    ),
    parameters: csv(["parameter", "value"], parameterRows(m)),
  };
}

/** The key-indicator section alone (what GET /api/v1/reports?format=csv returns). */
export function keyIndicatorsCsv(m: ReportModel, lang: Lang): string {
  return csv(
    [
      "indicator",
      "name",
      "unit",
      "objective",
      "value",
      "value_display",
      "met",
      "met_display",
      "pending",
      "coverage",
      "low_coverage",
    ],
    m.indicators.map((i) => [
      i.id,
      t(lang, `ind.${i.id}`),
      i.unit,
      i.objective,
      i.value,
      m.empty ? t(lang, "noData") : actual(lang, i),
      i.met,
      verdict(lang, i.met),
      i.pending,
      i.coverage,
      i.lowCoverage,
    ]),
  );
}
