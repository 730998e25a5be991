// The report as an Excel workbook (exceljs), one sheet per section 1–8, from the model only: formatting,
// no arithmetic. Each sheet: the report title (row 1), a note line (row 2), a styled header (row 3, frozen
// and repeated on every printed page), then the table; A4 landscape, fit to one page wide.
//
// Percentages. Excel's 0.00% format ROUNDS (0.99995 would print 100.00%), and the report never shows a
// rounded-up figure. So a percent cell holds the ratio already TRUNCATED to 0.01 % — the same digits as
// formatPercent (engine/availability.ts, exact fraction arithmetic), e.g. 0.99995 → 0.9999 → "99.99%" —
// and the column to its right, 精确值 / exact, holds the model's exact ratio (a plain number) so an
// auditor can recompute, sort and check met / not met (decided on the exact value). n/a is text (无数据 /
// 待定), never a number, so it cannot be summed or shown as 100 %.
// Times are text in the site's zone ("2026-10-12 09:00:00"; the zone is named on row 2); durations are
// seconds as numbers (exact, as in the JSON).
import ExcelJS from "exceljs";
import { formatPercent } from "../../engine/availability.js";
import { duration, type Key, type Lang, millis, objective, t, title, verdict } from "./i18n.js";
import type { ReportModel } from "./model.js";
import { parameterRows, targetSeconds } from "./tables.js";

// Words only this renderer needs (kept here, not in i18n.ts: the other renderers have no such columns).
const X = {
  "zh-CN": {
    exact: "精确值",
    seconds: "（秒）",
    targetId: "对象编号",
    group: "分组",
    coverageExact: "覆盖率精确值",
    lowCoverage: "覆盖率偏低",
    longest: "最长中断（秒）",
    p95: "响应时间",
    respondBy: "响应期限",
    resolveBy: "处理期限",
    responseOutcome: "响应结果",
    completionOutcome: "处理结果",
    source: "来源",
    createdBy: "登记人",
    targetsGroups: "对象/分组",
    started: "开始时间",
    missed: "未执行",
    items: "检查项数",
    reasons: "原因",
    rawStart: "原始开始",
    rawEnd: "原始结束",
    rate: "比率",
    severityTable: "按级别统计（以发生时级别计）",
    percentNote:
      "百分比单元格为截断（不四舍五入）到 0.01% 的值；右侧“精确值”列为精确比率，可据此复核；是否达标按精确值判断。",
  },
  en: {
    exact: "exact",
    seconds: " (s)",
    targetId: "Target ID",
    group: "Group",
    coverageExact: "Coverage (exact)",
    lowCoverage: "Low coverage",
    longest: "Longest outage (s)",
    p95: "Response time",
    respondBy: "Respond by",
    resolveBy: "Resolve by",
    responseOutcome: "Response",
    completionOutcome: "Completion",
    source: "Source",
    createdBy: "Recorded by",
    targetsGroups: "Targets / groups",
    started: "Started at",
    missed: "Never started",
    items: "Items",
    reasons: "Reasons",
    rawStart: "Raw start",
    rawEnd: "Raw end",
    rate: "Rate",
    severityTable: "By severity (at opening)",
    percentNote:
      "Percent cells hold the value truncated (not rounded) to 0.01 %; the “exact” column to the right holds the exact ratio for recomputation; met or not is decided on the exact value.",
  },
} as const satisfies Record<Lang, Record<string, string>>;

const PCT = "0.00%";
const SECONDS = "#,##0.###";
const THIN = { style: "thin", color: { argb: "FFBFBFBF" } } as const;
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL = { type: "pattern", pattern: "solid", fgColor: { argb: "FF1F4E79" } } as const;
/** 未达标 / non-compliant: Excel's "Bad" style colours. */
export const RED_FILL = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFC7CE" } } as const;
const RED_FONT = { color: { argb: "FF9C0006" }, bold: true };
/** 待定 / low coverage: Excel's "Neutral" colours. */
const AMBER_FILL = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFEB9C" } } as const;

/** The ratio as the report prints it (truncated to 0.01 %), as a number for a 0.00% cell: 0.99995 → 0.9999. */
export function truncatedRatio(r: number): number {
  // formatPercent truncates on the exact fraction (no float error: 0.29 stays 29.00%, not 28.99%).
  return Number(formatPercent(r).replace(/[.%]/g, "")) / 10_000;
}

/** Excel's sheet-name rules: ≤ 31 characters, none of []:*?/\ and no leading/trailing apostrophe. */
export function sheetName(s: string): string {
  return [...s.replace(/[[\]:*?/\\]/g, " ").replace(/^'+|'+$/g, "")].slice(0, 31).join("").trim();
}

/** A local time as "2026-10-12 09:00:00" (the model's ISO time in the site zone, offset dropped). */
const local = (iso: string | null) => (iso === null ? "" : iso.slice(0, 19).replace("T", " "));

type Value = string | number | null;
interface Col {
  header: string;
  fmt?: string;
  width?: number;
}
interface RowStyle {
  /** Whole row red (未达标). */
  bad?: boolean;
  /** Column indexes (0-based) to fill amber (待定 / low coverage). */
  amber?: number[];
}

/** Display width of a text: CJK and full-width characters count double. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

class Book {
  readonly wb = new ExcelJS.Workbook();
  constructor(
    private readonly m: ReportModel,
    private readonly lang: Lang,
  ) {
    const when = new Date(m.generatedAtMs);
    this.wb.creator = "opswatch";
    this.wb.lastModifiedBy = "opswatch";
    this.wb.title = title(lang, m);
    this.wb.created = when;
    this.wb.modified = when;
  }

  /**
   * A sheet: title row, note row, styled frozen header, rows. Returns the sheet and the number of the
   * first free row (for a second table below).
   */
  sheet(
    section: Key,
    note: string,
    cols: Col[],
    rows: Value[][],
    styles: RowStyle[] = [],
  ): ExcelJS.Worksheet {
    const ws = this.wb.addWorksheet(sheetName(t(this.lang, section)), {
      views: [{ state: "frozen", xSplit: 0, ySplit: 3, topLeftCell: "A4", activeCell: "A4" }],
      pageSetup: {
        paperSize: 9, // A4
        orientation: "landscape",
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        horizontalCentered: true,
        margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
        printTitlesRow: "1:3",
      },
      headerFooter: { oddFooter: `&L${title(this.lang, this.m).replace(/&/g, "&&")}&R&P / &N` },
    });
    const n = Math.max(cols.length, 1);
    ws.getCell(1, 1).value = title(this.lang, this.m);
    ws.getCell(1, 1).font = { bold: true, size: 14 };
    ws.getCell(2, 1).value = note;
    ws.getCell(2, 1).font = { italic: true, color: { argb: "FF595959" } };
    ws.getCell(2, 1).alignment = { wrapText: true, vertical: "top" };
    if (n > 1) {
      ws.mergeCells(1, 1, 1, n);
      ws.mergeCells(2, 1, 2, n);
    }
    ws.getRow(2).height = Math.min(90, 15 * Math.max(1, Math.ceil(textWidth(note) / 140) + 1));
    this.table(ws, 3, cols, rows, styles);
    return ws;
  }

  /** A header at row `at` and the rows below it; widths grow to fit. Returns the next free row. */
  table(ws: ExcelJS.Worksheet, at: number, cols: Col[], rows: Value[][], styles: RowStyle[] = []): number {
    const header = ws.getRow(at);
    cols.forEach((c, i) => {
      const cell = header.getCell(i + 1);
      cell.value = c.header;
      cell.font = { bold: true, color: { argb: "FFFFFFFF" } };
      cell.fill = HEADER_FILL;
      cell.border = BORDER;
      cell.alignment = { vertical: "middle", horizontal: "center", wrapText: true };
    });
    rows.forEach((r, ri) => {
      const row = ws.getRow(at + 1 + ri);
      const st = styles[ri] ?? {};
      r.forEach((v, ci) => {
        const cell = row.getCell(ci + 1);
        cell.value = v;
        cell.border = BORDER;
        cell.alignment = { vertical: "top", wrapText: typeof v === "string" && v.length > 60 };
        const fmt = cols[ci]?.fmt;
        if (fmt && typeof v === "number") cell.numFmt = fmt;
        if (st.bad) cell.fill = RED_FILL;
        else if (st.amber?.includes(ci)) cell.fill = AMBER_FILL;
      });
    });
    cols.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      const content = Math.max(
        textWidth(c.header) + 2,
        ...rows.map((r) => {
          const v = r[i];
          return v === null || v === undefined
            ? 0
            : typeof v === "number"
              ? c.fmt
                ? 10
                : 20
              : textWidth(v) + 2;
        }),
      );
      col.width = Math.max(col.width ?? 0, c.width ?? Math.min(60, Math.max(8, content)));
    });
    return at + 1 + rows.length + 1;
  }

  /** The verdict cell's font: red for 未达标. */
  markBad(ws: ExcelJS.Worksheet, firstRow: number, rowsBad: boolean[], col: number): void {
    rowsBad.forEach((bad, i) => {
      if (bad) ws.getCell(firstRow + i, col).font = RED_FONT;
    });
  }
}

/** A ratio cell and its exact neighbour; n/a as text. */
function ratioCells(lang: Lang, r: number | null, empty = false): [Value, Value] {
  if (r === null || empty) return [t(lang, "noData"), null];
  return [truncatedRatio(r), r];
}

export async function renderXlsx(m: ReportModel, lang: Lang): Promise<Buffer> {
  const T = (k: Key, v?: Record<string, string | number>) => t(lang, k, v);
  const W = X[lang];
  const book = new Book(m, lang);
  const percentile = Number(m.parameters.indicators.response_time?.percentile ?? 0.95);
  const sec = (k: Key) => `${T(k)}${W.seconds}`;
  const yesNo = (b: boolean) => T(b ? "yes" : "no");
  const periodNote = `${T("period")}: ${local(m.period.from)} — ${local(m.period.to)}${m.period.complete ? "" : T("monthToDate", { to: local(m.period.measuredTo) })}　${T("timezone")}: ${m.period.timezone} (${m.period.from.slice(23) || "Z"})　${T("generated")}: ${local(m.generatedAt)}`;

  // 1. key indicators
  {
    const rows = m.indicators.map((i): Value[] => {
      const [value, exact]: [Value, Value] =
        i.unit === "ms"
          ? [m.empty ? T("noData") : millis(lang, i.value), i.value]
          : ratioCells(lang, i.value === "+Inf" ? null : i.value, m.empty);
      const [cov, covExact] = i.coverage === null ? ["—", null] : ratioCells(lang, i.coverage);
      return [
        T(`ind.${i.id}` as Key),
        i.unit === "ms" ? objective(lang, i, percentile) : truncatedRatio(i.objective),
        value,
        exact,
        verdict(lang, i.met),
        cov,
        covExact,
        i.coverage === null ? "—" : yesNo(i.lowCoverage),
      ];
    });
    const ws = book.sheet(
      "section.1",
      [periodNote, m.empty ? `${T("noData")}: ${T("noDataNote")}` : "", W.percentNote]
        .filter(Boolean)
        .join("\n"),
      [
        { header: T("col.indicator") },
        { header: T("col.objective"), fmt: PCT },
        { header: T("col.actual"), fmt: PCT },
        { header: W.exact },
        { header: T("col.met") },
        { header: T("col.coverage"), fmt: PCT },
        { header: W.coverageExact },
        { header: W.lowCoverage },
      ],
      rows,
      m.indicators.map((i) => ({
        bad: i.met === false,
        amber: [...(i.met === null ? [2, 4] : []), ...(i.lowCoverage ? [5, 7] : [])],
      })),
    );
    book.markBad(
      ws,
      4,
      m.indicators.map((i) => i.met === false),
      5,
    );
  }

  // 2. availability by target × indicator
  {
    const list = m.targets.flatMap((tg) => tg.indicators.map((i) => ({ tg, i })));
    const rows = list.map(({ tg, i }): Value[] => {
      const [value, exact]: [Value, Value] =
        i.id === "response_time"
          ? [millis(lang, i.responseTime?.p95 ?? null), i.responseTime?.p95 ?? null]
          : ratioCells(lang, i.availability);
      const [cov, covExact] = ratioCells(lang, i.coverage);
      return [
        tg.name,
        tg.id,
        tg.group,
        T(`ind.${i.id}` as Key),
        value,
        exact,
        verdict(lang, i.met),
        ...targetSeconds(i),
        cov,
        covExact,
        i.outageCount,
        i.longestOutageSeconds,
        i.flaps.length,
      ];
    });
    const ws = book.sheet(
      "section.2",
      `${periodNote}\n${W.percentNote}`,
      [
        { header: T("col.target") },
        { header: W.targetId },
        { header: W.group },
        { header: T("col.indicator") },
        { header: T("col.actual"), fmt: PCT },
        { header: W.exact },
        { header: T("col.met") },
        { header: sec("col.ast"), fmt: SECONDS },
        { header: sec("col.excluded"), fmt: SECONDS },
        { header: `${T("col.ast")} − ${T("col.excluded")}${W.seconds}`, fmt: SECONDS },
        { header: `${lang === "en" ? "Up" : "正常时长"}${W.seconds}`, fmt: SECONDS },
        { header: sec("col.downtime"), fmt: SECONDS },
        { header: sec("col.unknown"), fmt: SECONDS },
        { header: T("col.coverage"), fmt: PCT },
        { header: W.coverageExact },
        { header: T("col.outages") },
        { header: W.longest, fmt: SECONDS },
        { header: T("col.flaps") },
      ],
      rows,
      list.map(({ i }) => ({
        bad: i.met === false,
        amber: [...(i.met === null ? [4, 6] : []), ...(i.lowCoverage ? [13] : [])],
      })),
    );
    book.markBad(
      ws,
      4,
      list.map(({ i }) => i.met === false),
      7,
    );
  }

  // 3. faults: every fault with its timeline (one row per event), then the summary by severity
  {
    const f = m.faults;
    const rows: Value[][] = [];
    const styles: RowStyle[] = [];
    for (const x of f.list) {
      const events = x.timeline.length ? x.timeline : [null];
      events.forEach((e, k) => {
        const first = k === 0;
        rows.push([
          x.id,
          first ? `${x.targetName} (${x.target})` : "",
          first ? x.title : "",
          first ? (x.openedSeverity === x.severity ? x.severity : `${x.openedSeverity} → ${x.severity}`) : "",
          first ? T(`status.${x.status}` as Key) : "",
          first ? local(x.openedAt) : "",
          first ? local(x.respondBy) : "",
          first ? local(x.resolveBy) : "",
          first ? T(`outcome.${x.response}` as Key) : "",
          first ? T(`outcome.${x.completion}` as Key) : "",
          e ? local(e.at) : "",
          e ? T(`event.${e.type}` as Key) : "",
          e?.actor ?? "",
          [e?.note, e?.severity && e.type === "escalated" ? e.severity : null, first ? x.deadlineError : null]
            .filter(Boolean)
            .join("; "),
        ]);
        styles.push({
          amber: first
            ? [...(x.response === "missed" ? [8] : []), ...(x.completion === "missed" ? [9] : [])]
            : [],
        });
      });
    }
    const note = T("faultSummary", {
      opened: f.opened,
      mtta: f.mttaSeconds === null ? T("noData") : duration(f.mttaSeconds),
      mttr: f.mttrSeconds === null ? T("noData") : duration(f.mttrSeconds),
    });
    const ws = book.sheet(
      "section.3",
      `${note}\n${periodNote}`,
      [
        { header: T("col.id") },
        { header: T("col.target") },
        { header: T("col.title") },
        { header: T("col.severity") },
        { header: T("col.status") },
        { header: T("col.openedAt") },
        { header: W.respondBy },
        { header: W.resolveBy },
        { header: W.responseOutcome },
        { header: W.completionOutcome },
        { header: T("col.time") },
        { header: T("col.event") },
        { header: T("col.actor") },
        { header: T("col.note") },
      ],
      rows,
      styles,
    );
    // missed deadlines in red text (the cells are amber-filled above: a missed deadline, not a verdict)
    rows.forEach((_, i) => {
      for (const c of styles[i]?.amber ?? []) ws.getCell(4 + i, c + 1).font = RED_FONT;
    });
    const below = 4 + rows.length + 1;
    ws.getCell(below, 1).value = W.severityTable;
    ws.getCell(below, 1).font = { bold: true };
    const rate = (r: { met: number; missed: number; pending: number }) =>
      `${r.met} / ${r.missed} / ${r.pending}`;
    const sevRows: Value[][] = [
      ...f.bySeverity.map((s) => [
        s.severity,
        s.opened,
        rate(s.response),
        ...ratioCells(lang, s.response.ratio),
        rate(s.completion),
        ...ratioCells(lang, s.completion.ratio),
      ]),
      [
        "Σ",
        f.opened,
        rate(f.response),
        ...ratioCells(lang, f.response.ratio),
        rate(f.completion),
        ...ratioCells(lang, f.completion.ratio),
      ],
    ];
    book.table(
      ws,
      below + 1,
      [
        { header: T("col.severity") },
        { header: T("col.opened") },
        { header: T("col.response") },
        { header: `${T("response")} ${W.rate}`, fmt: PCT },
        { header: W.exact },
        { header: T("col.completion") },
        { header: `${T("completion")} ${W.rate}`, fmt: PCT },
        { header: W.exact },
      ],
      sevRows,
    );
  }

  // 4. inspections
  {
    const s = m.inspections;
    const note = T("inspectionSummary", {
      scheduled: s.scheduled,
      compliant: s.compliant,
      nonCompliant: s.nonCompliant,
      missed: s.missed,
      pending: s.pending,
      share: s.items.share === null ? T("noData") : formatPercent(s.items.share),
      passed: s.items.passed,
      withResult: s.items.withResult,
    });
    const [ratio, exact] = ratioCells(lang, s.ratio);
    const ws = book.sheet(
      "section.4",
      `${note}\n${T("ind.inspection_pass_rate")}: ${typeof ratio === "number" ? formatPercent(s.ratio) : ratio}${exact === null ? "" : ` (${W.exact} ${exact})`}`,
      [
        { header: T("col.id") },
        { header: T("col.plan") },
        { header: T("col.scheduledAt") },
        { header: W.started },
        { header: T("col.status") },
        { header: W.missed },
        { header: W.items },
        { header: T("col.failedItems") },
        { header: W.reasons },
      ],
      s.runs.map((r) => [
        r.id,
        r.planName ? `${r.planName} (${r.plan})` : r.plan,
        local(r.scheduledAt),
        local(r.startedAt),
        T(`status.${r.status}` as Key),
        yesNo(r.missed),
        r.items,
        r.failedItems
          .map(
            (i) =>
              `${i.target}/${i.label}${i.detail ? `: ${i.detail}` : ""}${i.faultId ? ` → #${i.faultId}` : ""}`,
          )
          .join("\n"),
        r.reasons.join("\n"),
      ]),
      s.runs.map((r) => ({ bad: r.status === "non_compliant", amber: r.status === "pending" ? [4] : [] })),
    );
    void ws;
  }

  // 5. power and firewall events
  {
    const events = [...m.events.ups, ...m.events.firewall];
    book.sheet(
      "section.5",
      periodNote,
      [
        { header: T("col.target") },
        { header: T("col.indicator") },
        { header: T("col.kind") },
        { header: T("col.start") },
        { header: T("col.end") },
        { header: sec("col.duration"), fmt: SECONDS },
        { header: T("col.duration") },
        { header: W.rawStart },
        { header: W.rawEnd },
      ],
      events.map((e) => [
        `${e.targetName} (${e.target})`,
        T(`ind.${e.indicator}` as Key),
        T(`kind.${e.kind}` as Key),
        local(e.start),
        local(e.end),
        e.seconds,
        duration(e.seconds),
        local(e.rawStart),
        local(e.rawEnd),
      ]),
    );
  }

  // 6. planned maintenance: one row per occurrence in the period
  {
    const list = m.maintenance.flatMap((w) => w.occurrences.map((o) => ({ w, o })));
    book.sheet(
      "section.6",
      periodNote,
      [
        { header: T("col.window") },
        { header: W.targetsGroups },
        { header: T("col.reason") },
        { header: T("col.approvedBy") },
        { header: W.createdBy },
        { header: T("col.recordedAt") },
        { header: T("col.start") },
        { header: T("col.end") },
        { header: T("col.planned") },
        { header: T("col.note") },
        { header: sec("col.excluded"), fmt: SECONDS },
      ],
      list.map(({ w, o }) => [
        w.id,
        [...(w.targets ?? []), ...(w.groups ?? []).map((g) => `@${g}`)].join(" "),
        w.reason,
        w.approvedBy,
        w.createdBy,
        local(w.createdAt),
        local(o.start),
        local(o.end),
        yesNo(o.planned),
        [o.late ? T("late") : "", o.cancelled ? T("cancelled") : ""].filter(Boolean).join("; "),
        o.excludedSeconds,
      ]),
      list.map(({ o }) => ({ amber: o.late || o.cancelled ? [9] : [] })),
    );
  }
  book.sheet(
    "section.7",
    `${periodNote}\n${W.percentNote}`,
    [
      { header: T("col.target") },
      { header: W.targetId },
      { header: T("col.indicator") },
      { header: sec("col.unknown"), fmt: SECONDS },
      { header: T("col.coverage"), fmt: PCT },
      { header: W.exact },
      { header: W.lowCoverage },
    ],
    m.coverage.map((c) => [
      c.name,
      c.target,
      T(`ind.${c.indicator}` as Key),
      c.unknownSeconds,
      ...ratioCells(lang, c.coverage),
      yesNo(c.lowCoverage),
    ]),
    m.coverage.map((c) => ({ amber: c.lowCoverage ? [4, 6] : [] })),
  );
  book.sheet(
    "section.8",
    `${T("method.intro")}\n${W.percentNote}`,
    [{ header: T("col.parameter") }, { header: T("col.value"), width: 80 }],
    parameterRows(m),
  );

  const out = await book.wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
