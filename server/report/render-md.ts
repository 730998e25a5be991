// The report as a Markdown summary, sections 1–8, from the model only (formatting, no arithmetic).
import { formatPercent } from "../../engine/availability.js";
import { actual, duration, type Key, type Lang, millis, objective, pct, t, title, verdict } from "./i18n.js";
import type { ReportModel } from "./model.js";
import { parameterRows } from "./render-csv.js";

const cell = (s: string | number) => String(s).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function table(header: string[], rows: (string | number)[][]): string {
  if (!rows.length) return "";
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** A local time as "2026-11-05 10:00:00" (the offset is given once, in the header). */
const local = (iso: string | null) => (iso === null ? "—" : iso.slice(0, 19).replace("T", " "));

export function renderMarkdown(m: ReportModel, lang: Lang): string {
  const T = (k: Key, v?: Record<string, string | number>) => t(lang, k, v);
  const none = `_${T("none")}_`;
  const out: string[] = [];
  // Blocks of a section, one blank line apart (Markdown needs it around tables and headings).
  const section = (k: Key, ...blocks: string[]) =>
    out.push("", `## ${T(k)}`, "", blocks.filter((b) => b !== "").join("\n\n"));
  const percentile = Number(m.parameters.indicators.response_time?.percentile ?? 0.95);
  const threshold = (id: string) =>
    formatPercent(Number(m.parameters.indicators[id]?.coverage_warning ?? 0.99));

  out.push(`# ${title(lang, m)}`, "");
  out.push(
    `- ${T("period")}: ${local(m.period.from)} — ${local(m.period.to)}${m.period.complete ? "" : T("monthToDate", { to: local(m.period.measuredTo) })}`,
    `- ${T("timezone")}: ${m.period.timezone} (${m.period.from.slice(23) || "Z"})`,
    `- ${T("generated")}: ${local(m.generatedAt)}`,
  );
  if (m.empty) out.push("", `> **${T("noData")}** — ${T("noDataNote")}`);

  // 1. key indicators
  section(
    "section.1",
    table(
      [T("col.indicator"), T("col.objective"), T("col.actual"), T("col.met"), T("col.coverage")],
      m.indicators.map((i) => [
        T(`ind.${i.id}` as Key),
        objective(lang, i, percentile),
        m.empty ? T("noData") : actual(lang, i),
        verdict(lang, i.met),
        i.unit === "ratio" && i.coverage !== null
          ? `${formatPercent(i.coverage)}${i.lowCoverage ? " ⚠" : ""}`
          : "—",
      ]),
    ),
  );

  // 2. availability by target
  const rows = m.targets.flatMap((tg) =>
    tg.indicators.map((i) => [
      `${tg.name} (${tg.id})`,
      T(`ind.${i.id}` as Key),
      i.id === "response_time" ? millis(lang, i.responseTime?.p95 ?? null) : pct(lang, i.availability),
      verdict(lang, i.met),
      duration(i.astSeconds),
      duration(i.excludedSeconds),
      duration(i.downtimeSeconds),
      duration(i.unknownSeconds),
      i.outageCount,
      duration(i.longestOutageSeconds),
      i.flaps.length,
    ]),
  );
  const details: string[] = [];
  for (const tg of m.targets)
    for (const i of tg.indicators) {
      if (i.website) {
        const w = i.website;
        details.push(
          `- ${T("websiteSamples", {
            name: tg.name,
            share: pct(lang, w.samples.share),
            failed: w.samples.failed,
            total: w.samples.total,
            worst: w.worstWeek
              ? `${pct(lang, w.worstWeek.share)} (${local(w.worstWeek.start).slice(0, 10)} — ${local(w.worstWeek.end).slice(0, 10)})`
              : T("noData"),
            veto: w.worstWeek?.veto ? T("veto", { share: formatPercent(w.worstWeek.vetoShare) }) : "",
          })}`,
        );
      }
      if (i.responseTime) {
        const r = i.responseTime;
        details.push(
          `- ${T("responseLine", {
            name: tg.name,
            n: r.n,
            p50: millis(lang, r.p50),
            p95: millis(lang, r.p95),
            p99: millis(lang, r.p99),
            max: millis(lang, r.max),
            limit: `${r.limitMs} ms`,
            share: pct(lang, r.shareWithinLimit),
          })}`,
        );
      }
      if (i.outages.length)
        details.push(
          `- ${tg.name} · ${T(`ind.${i.id}` as Key)} · ${T("outages")}: ${i.outages
            .map((o) => `${local(o.start)} — ${local(o.end)} (${duration(o.seconds)})`)
            .join("; ")}`,
        );
    }
  section(
    "section.2",
    rows.length
      ? table(
          [
            T("col.target"),
            T("col.indicator"),
            T("col.actual"),
            T("col.met"),
            T("col.ast"),
            T("col.excluded"),
            T("col.downtime"),
            T("col.unknown"),
            T("col.outages"),
            T("col.longest"),
            T("col.flaps"),
          ],
          rows,
        )
      : none,
    details.join("\n"),
  );

  // 3. faults
  const f = m.faults;
  section(
    "section.3",
    T("faultSummary", {
      opened: f.opened,
      mtta: f.mttaSeconds === null ? T("noData") : duration(f.mttaSeconds),
      mttr: f.mttrSeconds === null ? T("noData") : duration(f.mttrSeconds),
    }),
    table(
      [T("col.severity"), T("col.opened"), T("col.response"), T("col.completion")],
      f.bySeverity
        .filter((s) => s.opened > 0)
        .map((s) => [
          s.severity,
          s.opened,
          `${s.response.met}/${s.response.missed}/${s.response.pending}`,
          `${s.completion.met}/${s.completion.missed}/${s.completion.pending}`,
        ]),
    ),
    ...f.list.flatMap((x) => [
      `### #${x.id} ${x.title} — ${x.targetName} (${x.openedSeverity}${x.severity !== x.openedSeverity ? `→${x.severity}` : ""}, ${T(`status.${x.status}` as Key)})`,
      `${T("response")}: ${T(`outcome.${x.response}` as Key)}${x.respondBy ? ` (≤ ${local(x.respondBy)})` : ""}; ${T("completion")}: ${T(`outcome.${x.completion}` as Key)}${x.resolveBy ? ` (≤ ${local(x.resolveBy)})` : ""}`,
      table(
        [T("col.time"), T("col.event"), T("col.actor"), T("col.note")],
        x.timeline.map((e) => [
          local(e.at),
          `${T(`event.${e.type}` as Key)}${e.severity && e.type === "escalated" ? ` ${e.severity}` : ""}`,
          e.actor ?? "—",
          e.note ?? "",
        ]),
      ),
    ]),
  );

  // 4. inspections
  const ins = m.inspections;
  section(
    "section.4",
    T("inspectionSummary", {
      scheduled: ins.scheduled,
      compliant: ins.compliant,
      nonCompliant: ins.nonCompliant,
      missed: ins.missed,
      pending: ins.pending,
      share: pct(lang, ins.items.share),
      passed: ins.items.passed,
      withResult: ins.items.withResult,
    }),
    table(
      [T("col.plan"), T("col.scheduledAt"), T("col.status"), T("col.failedItems")],
      ins.runs
        .filter((r) => r.status !== "compliant")
        .map((r) => [
          r.planName ?? r.plan,
          local(r.scheduledAt),
          T(`status.${r.status}` as Key),
          [
            ...r.failedItems.map((i) => `${i.target}/${i.item}${i.faultId ? ` (#${i.faultId})` : ""}`),
            ...r.reasons,
          ].join("; "),
        ]),
    ),
  );

  // 5. events
  const events = [...m.events.ups, ...m.events.firewall];
  section(
    "section.5",
    events.length
      ? table(
          [T("col.target"), T("col.kind"), T("col.start"), T("col.end"), T("col.duration")],
          events.map((e) => [
            `${e.targetName} (${e.target})`,
            T(`kind.${e.kind}` as Key),
            local(e.start),
            local(e.end),
            duration(e.seconds),
          ]),
        )
      : none,
  );

  // 6. maintenance
  const occ = m.maintenance.flatMap((w) => w.occurrences.map((o) => ({ w, o })));
  section(
    "section.6",
    occ.length
      ? table(
          [
            T("col.window"),
            T("col.target"),
            T("col.reason"),
            T("col.approvedBy"),
            T("col.recordedAt"),
            T("col.start"),
            T("col.end"),
            T("col.planned"),
            T("col.excluded"),
          ],
          occ.map(({ w, o }) => [
            `#${w.id}`,
            (w.targets ?? w.groups ?? []).join(", "),
            w.reason,
            w.approvedBy,
            local(w.createdAt),
            local(o.start),
            local(o.end),
            o.planned ? T("yes") : o.cancelled ? T("cancelled") : T("late"),
            duration(o.excludedSeconds),
          ]),
        )
      : none,
  );

  // 7. coverage
  section(
    "section.7",
    m.coverage.length
      ? table(
          [T("col.target"), T("col.indicator"), T("col.unknown"), T("col.coverage")],
          m.coverage.map((c) => [
            `${c.name} (${c.target})`,
            T(`ind.${c.indicator}` as Key),
            duration(c.unknownSeconds),
            `${pct(lang, c.coverage)}${c.lowCoverage ? ` ⚠ ${T("lowCoverage", { threshold: threshold(c.indicator) })}` : ""}`,
          ]),
        )
      : none,
  );

  // 8. method and parameters
  section(
    "section.8",
    T("method.intro"),
    table(
      [T("col.parameter"), T("col.value")],
      parameterRows(m).map(([k, v]) => [`\`${k}\``, v]),
    ),
  );
  return `${out.join("\n")}\n`;
}
