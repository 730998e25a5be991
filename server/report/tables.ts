// The report's section tables, format-neutral: one source for the columns and the row mapping of every
// table the Markdown and HTML renderers print (sections 1–8), from the model and the language only.
// A cell carries its raw value (from the model, unformatted), its kind, and `text`: the display string
// in the chosen language (percents truncated, durations as 1h01m00s, times in the site zone). Each
// renderer formats cells its own way: Markdown prints `text`, HTML escapes it and picks a class from the
// kind (numbers right-aligned, verdict colours, a warning for low coverage).
import { formatPercent } from "../../engine/availability.js";
import { actual, duration, type Key, type Lang, millis, objective, pct, t, verdict } from "./i18n.js";
import type { ReportModel, TargetIndicatorEntry } from "./model.js";

type Fault = ReportModel["faults"]["list"][number];
type Rate = { met: number; missed: number; pending: number };

export type Cell =
  | { kind: "text"; value: string; text: string }
  /** A machine name (a parameter key): code in Markdown and HTML. */
  | { kind: "code"; value: string; text: string }
  /** An ISO time in the site zone, or null (—). */
  | { kind: "time"; value: string | null; text: string }
  | { kind: "seconds"; value: number; text: string }
  | { kind: "count"; value: number; text: string }
  /** A ratio 0…1 (null: n/a); `warn` when it is a low coverage. */
  | { kind: "ratio"; value: number | null; text: string; warn?: boolean }
  /** Milliseconds, "+Inf" (a failed operation) or null. */
  | { kind: "millis"; value: number | "+Inf" | null; text: string }
  /** An indicator's objective (a ratio or a millisecond limit). */
  | { kind: "objective"; value: number; text: string }
  /** Met / not met / pending. */
  | { kind: "verdict"; value: boolean | null; text: string }
  /** An inspection run's status. */
  | { kind: "status"; value: string; text: string }
  /** met / missed / pending counts. */
  | { kind: "rate"; value: Rate; text: string };

export interface Column {
  /** Stable machine name. */
  key: string;
  /** The header in the chosen language. */
  header: string;
}

export interface Table {
  id: string;
  /** The section the table belongs to. */
  title: Key;
  columns: Column[];
  rows: Cell[][];
}

/** Cells the renderers print as numbers (right-aligned in HTML). */
export const NUMERIC_KINDS: ReadonlySet<Cell["kind"]> = new Set([
  "seconds",
  "count",
  "ratio",
  "millis",
  "objective",
]);

/** A local time as "2026-11-05 10:00:00" (the offset is given once, in the header); null as —. */
export const local = (iso: string | null) => (iso === null ? "—" : iso.slice(0, 19).replace("T", " "));

const text = (value: string): Cell => ({ kind: "text", value, text: value });
const time = (value: string | null): Cell => ({ kind: "time", value, text: local(value) });
const seconds = (value: number): Cell => ({ kind: "seconds", value, text: duration(value) });
const count = (value: number): Cell => ({ kind: "count", value, text: String(value) });
const rate = (value: Rate): Cell => ({
  kind: "rate",
  value,
  text: `${value.met}/${value.missed}/${value.pending}`,
});

/** The six time figures of a target-indicator, seconds, in the order the CSV and XLSX columns give them. */
export const targetSeconds = (i: TargetIndicatorEntry): number[] => [
  i.astSeconds,
  i.excludedSeconds,
  i.countedSeconds,
  i.upSeconds,
  i.downtimeSeconds,
  i.unknownSeconds,
];

/** The section tables of one report in one language. */
export function reportTables(m: ReportModel, lang: Lang) {
  const T = (k: Key, v?: Record<string, string | number>) => t(lang, k, v);
  const cols = (...keys: string[]): Column[] => keys.map((key) => ({ key, header: T(`col.${key}` as Key) }));
  const verdictCell = (met: boolean | null): Cell => ({
    kind: "verdict",
    value: met,
    text: verdict(lang, met),
  });
  const percentile = Number(m.parameters.indicators.response_time?.percentile ?? 0.95);
  const threshold = (id: string) =>
    formatPercent(Number(m.parameters.indicators[id]?.coverage_warning ?? 0.99));

  return {
    /** 1. key indicators. */
    indicators: (): Table => ({
      id: "key-indicators",
      title: "section.1",
      columns: cols("indicator", "objective", "actual", "met", "coverage"),
      rows: m.indicators.map((i): Cell[] => [
        text(T(`ind.${i.id}` as Key)),
        { kind: "objective", value: i.objective, text: objective(lang, i, percentile) },
        i.unit === "ms"
          ? { kind: "millis", value: i.value, text: m.empty ? T("noData") : actual(lang, i) }
          : {
              kind: "ratio",
              value: i.value === "+Inf" ? null : i.value,
              text: m.empty ? T("noData") : actual(lang, i),
            },
        verdictCell(i.met),
        i.unit === "ratio" && i.coverage !== null
          ? {
              kind: "ratio",
              value: i.coverage,
              text: `${formatPercent(i.coverage)}${i.lowCoverage ? " ⚠" : ""}`,
              warn: i.lowCoverage,
            }
          : { kind: "ratio", value: null, text: "—" },
      ]),
    }),

    /** 2. availability by target × indicator. */
    targets: (): Table => ({
      id: "targets",
      title: "section.2",
      columns: cols(
        "target",
        "indicator",
        "actual",
        "met",
        "ast",
        "excluded",
        "downtime",
        "unknown",
        "outages",
        "longest",
        "flaps",
      ),
      rows: m.targets.flatMap((tg) =>
        tg.indicators.map((i): Cell[] => [
          text(`${tg.name} (${tg.id})`),
          text(T(`ind.${i.id}` as Key)),
          i.id === "response_time"
            ? {
                kind: "millis",
                value: i.responseTime?.p95 ?? null,
                text: millis(lang, i.responseTime?.p95 ?? null),
              }
            : { kind: "ratio", value: i.availability, text: pct(lang, i.availability) },
          verdictCell(i.met),
          seconds(i.astSeconds),
          seconds(i.excludedSeconds),
          seconds(i.downtimeSeconds),
          seconds(i.unknownSeconds),
          count(i.outageCount),
          seconds(i.longestOutageSeconds),
          count(i.flaps.length),
        ]),
      ),
    }),

    /** 3. faults opened per severity (the severities with none left out). */
    severities: (): Table => ({
      id: "fault-severities",
      title: "section.3",
      columns: cols("severity", "opened", "response", "completion"),
      rows: m.faults.bySeverity
        .filter((s) => s.opened > 0)
        .map((s) => [text(s.severity), count(s.opened), rate(s.response), rate(s.completion)]),
    }),

    /** 3. one fault's timeline. */
    timeline: (x: Fault): Table => ({
      id: `fault-${x.id}`,
      title: "section.3",
      columns: cols("time", "event", "actor", "note"),
      rows: x.timeline.map((e) => [
        time(e.at),
        text(`${T(`event.${e.type}` as Key)}${e.severity && e.type === "escalated" ? ` ${e.severity}` : ""}`),
        text(e.actor ?? "—"),
        text(e.note ?? ""),
      ]),
    }),

    /** 4. the inspection runs that were not compliant. */
    inspections: (): Table => ({
      id: "inspections",
      title: "section.4",
      columns: cols("plan", "scheduledAt", "status", "failedItems"),
      rows: m.inspections.runs
        .filter((r) => r.status !== "compliant")
        .map((r): Cell[] => [
          text(r.planName ?? r.plan),
          time(r.scheduledAt),
          { kind: "status", value: r.status, text: T(`status.${r.status}` as Key) },
          text(
            [
              ...r.failedItems.map((i) => `${i.target}/${i.item}${i.faultId ? ` (#${i.faultId})` : ""}`),
              ...r.reasons,
            ].join("; "),
          ),
        ]),
    }),

    /** 5. power and firewall events. */
    events: (): Table => ({
      id: "events",
      title: "section.5",
      columns: cols("target", "kind", "start", "end", "duration"),
      rows: [...m.events.ups, ...m.events.firewall].map((e) => [
        text(`${e.targetName} (${e.target})`),
        text(T(`kind.${e.kind}` as Key)),
        time(e.start),
        time(e.end),
        seconds(e.seconds),
      ]),
    }),

    /** 6. planned maintenance, one row per occurrence in the period. */
    maintenance: (): Table => ({
      id: "maintenance",
      title: "section.6",
      columns: cols(
        "window",
        "target",
        "reason",
        "approvedBy",
        "recordedAt",
        "start",
        "end",
        "planned",
        "excluded",
      ),
      rows: m.maintenance.flatMap((w) =>
        w.occurrences.map((o) => [
          text(`#${w.id}`),
          text((w.targets ?? w.groups ?? []).join(", ")),
          text(w.reason),
          text(w.approvedBy),
          time(w.createdAt),
          time(o.start),
          time(o.end),
          text(o.planned ? T("yes") : o.cancelled ? T("cancelled") : T("late")),
          seconds(o.excludedSeconds),
        ]),
      ),
    }),

    /** 7. measurement coverage. */
    coverage: (): Table => ({
      id: "coverage",
      title: "section.7",
      columns: cols("target", "indicator", "unknown", "coverage"),
      rows: m.coverage.map((c): Cell[] => [
        text(`${c.name} (${c.target})`),
        text(T(`ind.${c.indicator}` as Key)),
        seconds(c.unknownSeconds),
        {
          kind: "ratio",
          value: c.coverage,
          text: `${pct(lang, c.coverage)}${c.lowCoverage ? ` ⚠ ${T("lowCoverage", { threshold: threshold(c.indicator) })}` : ""}`,
          warn: c.lowCoverage,
        },
      ]),
    }),

    /** 8. method and parameters. */
    parameters: (): Table => ({
      id: "params",
      title: "section.8",
      columns: cols("parameter", "value"),
      rows: parameterRows(m).map(([k, v]) => [{ kind: "code", value: k, text: k }, text(v)]),
    }),
  };
}

/** The prose lines that go with the section tables, in the chosen language (no markup). */
export function reportLines(m: ReportModel, lang: Lang) {
  const T = (k: Key, v?: Record<string, string | number>) => t(lang, k, v);
  const f = m.faults;
  const ins = m.inspections;
  return {
    /** The header: period, time zone, generated at. */
    meta: [
      `${T("period")}: ${local(m.period.from)} — ${local(m.period.to)}${m.period.complete ? "" : T("monthToDate", { to: local(m.period.measuredTo) })}`,
      `${T("timezone")}: ${m.period.timezone} (${m.period.from.slice(23) || "Z"})`,
      `${T("generated")}: ${local(m.generatedAt)}`,
    ],
    /** 2. website samples, response times and outages of each target-indicator. */
    availability: m.targets.flatMap((tg) =>
      tg.indicators.flatMap((i) => {
        const lines: string[] = [];
        if (i.website) {
          const w = i.website;
          lines.push(
            T("websiteSamples", {
              name: tg.name,
              share: pct(lang, w.samples.share),
              failed: w.samples.failed,
              total: w.samples.total,
              worst: w.worstWeek
                ? `${pct(lang, w.worstWeek.share)} (${local(w.worstWeek.start).slice(0, 10)} — ${local(w.worstWeek.end).slice(0, 10)})`
                : T("noData"),
              veto: w.worstWeek?.veto ? T("veto", { share: formatPercent(w.worstWeek.vetoShare) }) : "",
            }),
          );
        }
        if (i.responseTime) {
          const r = i.responseTime;
          lines.push(
            T("responseLine", {
              name: tg.name,
              n: r.n,
              p50: millis(lang, r.p50),
              p95: millis(lang, r.p95),
              p99: millis(lang, r.p99),
              max: millis(lang, r.max),
              limit: `${r.limitMs} ms`,
              share: pct(lang, r.shareWithinLimit),
            }),
          );
        }
        if (i.outages.length)
          lines.push(
            `${tg.name} · ${T(`ind.${i.id}` as Key)} · ${T("outages")}: ${i.outages
              .map((o) => `${local(o.start)} — ${local(o.end)} (${duration(o.seconds)})`)
              .join("; ")}`,
          );
        return lines;
      }),
    ),
    /** 3. the fault summary. */
    faults: T("faultSummary", {
      opened: f.opened,
      mtta: f.mttaSeconds === null ? T("noData") : duration(f.mttaSeconds),
      mttr: f.mttrSeconds === null ? T("noData") : duration(f.mttrSeconds),
    }),
    /** 3. a fault's heading. */
    faultHeading: (x: Fault) =>
      `#${x.id} ${x.title} — ${x.targetName} (${x.openedSeverity}${x.severity !== x.openedSeverity ? `→${x.severity}` : ""}, ${T(`status.${x.status}` as Key)})`,
    /** 3. a fault's deadlines and outcomes. */
    faultOutcome: (x: Fault) =>
      `${T("response")}: ${T(`outcome.${x.response}` as Key)}${x.respondBy ? ` (≤ ${local(x.respondBy)})` : ""}; ${T("completion")}: ${T(`outcome.${x.completion}` as Key)}${x.resolveBy ? ` (≤ ${local(x.resolveBy)})` : ""}`,
    /** 4. the inspection summary. */
    inspections: T("inspectionSummary", {
      scheduled: ins.scheduled,
      compliant: ins.compliant,
      nonCompliant: ins.nonCompliant,
      missed: ins.missed,
      pending: ins.pending,
      share: pct(lang, ins.items.share),
      passed: ins.items.passed,
      withResult: ins.items.withResult,
    }),
  };
}

/** The parameters as flat key = value rows (JSON for the structured ones). */
export function parameterRows(m: ReportModel): [string, string][] {
  const p = m.parameters;
  const rows: [string, string][] = [
    ["timezone", p.timezone],
    ["definitions", p.definitions],
    ["opswatch_version", p.opswatchVersion],
    ["period.from", m.period.from],
    ["period.to", m.period.to],
    ["period.measured_to", m.period.measuredTo],
  ];
  for (const [id, params] of Object.entries(p.indicators))
    for (const [k, v] of Object.entries(params)) rows.push([`indicators.${id}.${k}`, String(v)]);
  for (const [sev, l] of Object.entries(p.severities))
    rows.push([`severities.${sev}`, `${l.respond} / ${l.resolve}`]);
  for (const c of p.checks)
    rows.push([
      `checks.${c.target}.${c.indicator}.${c.check}`,
      `confirm=${c.confirm} hold=${c.holdSeconds}s via=${c.via} combine=${c.combine}`,
    ]);
  for (const s of p.serviceTime)
    rows.push([`service_time.${s.target}`, s.hours.length ? `${s.days} ${s.hours.join(",")}` : "24x7"]);
  for (const y of p.calendar.years) rows.push([`calendar.${y.year}`, y.covered ? "covered" : "missing"]);
  if (p.calendar.overrideFile) rows.push(["calendar.override_file", p.calendar.overrideFile]);
  // Writes recorded in the audit log this period, per action, then their total.
  const audit = Object.entries(p.audit).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [action, n] of audit) rows.push([`audit.${action}`, String(n)]);
  rows.push(["audit.total", String(audit.reduce((sum, [, n]) => sum + n, 0))]);
  return rows;
}
