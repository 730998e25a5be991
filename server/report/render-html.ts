// The report as ONE self-contained HTML document, sections 1–8, from the model only: inline <style> (with
// a print stylesheet: A4 landscape, tables that break between rows, charts kept whole) and inline <svg>
// charts; no scripts, no external URL. Every text from the model is escaped (target names, reasons and
// notes are typed by people). Figures are formatted, never recomputed; the only numbers worked out here
// are chart geometry.
import { formatPercent } from "../../engine/availability.js";
import { type Key, type Lang, millis, pct, t, title } from "./i18n.js";
import type { ReportModel, TargetIndicatorEntry } from "./model.js";
import { type Cell, NUMERIC_KINDS, reportLines, reportTables, type Table } from "./tables.js";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** Text or attribute value, escaped. */
export const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ESC[c] as string);

/** Geometry to two decimals: short, stable SVG. */
const n2 = (x: number) => String(Math.round(x * 100) / 100);

/** A cell's class: numbers right-aligned, verdicts coloured, a low coverage flagged. */
function cellClass(c: Cell): string | undefined {
  if (c.kind === "verdict") return c.value === null ? "v pending" : c.value ? "v met" : "v notmet";
  if (c.kind === "status") return c.value === "non_compliant" ? "v notmet" : "v pending";
  if (c.kind === "ratio" && c.warn) return "num warn";
  return NUMERIC_KINDS.has(c.kind) ? "num" : undefined;
}

const td = (c: Cell) => {
  const cls = cellClass(c);
  const html = c.kind === "code" ? `<code>${esc(c.text)}</code>` : esc(c.text);
  return `<td${cls ? ` class="${cls}"` : ""}>${html}</td>`;
};

function table(tb: Table, cls = "", rowAttrs?: (i: number) => string): string {
  if (!tb.rows.length) return "";
  return `<div class="scroll"><table${cls ? ` class="${cls}"` : ""}><thead><tr>${tb.columns
    .map((c) => `<th>${esc(c.header)}</th>`)
    .join("")}</tr></thead><tbody>${tb.rows
    .map((r, i) => `<tr${rowAttrs ? rowAttrs(i) : ""}>${r.map(td).join("")}</tr>`)
    .join("")}</tbody></table></div>`;
}

const CSS = `
:root{--fg:#1d2329;--muted:#5f6b76;--line:#d5dbe1;--ok:#2e8540;--bad:#c62828;--na:#b0b7bf;--warn:#b26a00;--p50:#7fa7d9;--p95:#2f6db5;--p99:#173a66}
*{box-sizing:border-box}
body{margin:0;padding:24px;color:var(--fg);font:14px/1.5 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,-apple-system,"Segoe UI",sans-serif;background:#fff}
main{max-width:1180px;margin:0 auto}
h1{font-size:22px;margin:0 0 8px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--fg)}
h3{font-size:14px;margin:16px 0 6px}
.meta{margin:0;padding:0;list-style:none;color:var(--muted)}
.note{border-left:4px solid var(--bad);background:#fdecea;padding:8px 12px;margin:12px 0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.v{font-weight:600;white-space:nowrap}
td.met{color:var(--ok)}
td.notmet{color:#fff;background:var(--bad)}
td.pending{color:var(--muted)}
td.warn{color:var(--warn)}
table.key{min-width:0;width:100%}
table.key td,table.key th{word-break:break-word}
.charts{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0;padding:8px;border:1px solid var(--line);border-radius:4px;flex:1 1 340px;max-width:560px}
figcaption{font-size:12px;color:var(--muted);margin-bottom:4px}
svg{display:block;width:100%;height:auto}
svg text{font-size:10px;fill:var(--muted);font-family:inherit}
.legend{font-size:12px;color:var(--muted)}
.sw{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
p{margin:6px 0}
ul.lines{margin:6px 0;padding-left:20px}
@media (max-width:600px){body{padding:10px;font-size:13px}table{font-size:12px}th,td{padding:3px 4px}h1{font-size:18px}}
@page{size:A4 landscape;margin:12mm 10mm}
@media print{
  body{padding:0;font-size:11px}
  main{max-width:none}
  h2{break-after:avoid;page-break-after:avoid;margin-top:16px}
  h3{break-after:avoid;page-break-after:avoid}
  .scroll{overflow:visible}
  table{font-size:10px;break-inside:auto;page-break-inside:auto}
  thead{display:table-header-group}
  tr,figure,.note{break-inside:avoid;page-break-inside:avoid}
  figure{max-width:none;flex-basis:30%}
  td.notmet{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  svg,.sw{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

/** Daily availability bars of one target-indicator: grey for an n/a day, red below the objective. */
function dailyChart(
  lang: Lang,
  name: string,
  i: TargetIndicatorEntry,
  objectiveRatio: number | null,
  targetId: string,
): string {
  const days = i.daily ?? [];
  const W = 520;
  const H = 130;
  const left = 44;
  const right = 8;
  const top = 8;
  const bottom = 22;
  const ratios = days.map((d) => d.ratio).filter((r): r is number => r !== null);
  // The scale's floor: the bars must show a 99.9 % day as short of a 100 % one.
  const lowest = Math.min(1, ...ratios, objectiveRatio ?? 1);
  const floor = lowest >= 0.99 ? 0.98 : lowest >= 0.95 ? 0.9 : lowest >= 0.5 ? 0.5 : 0;
  const plotH = H - top - bottom;
  const slot = days.length ? (W - left - right) / days.length : 0;
  const y = (r: number) => top + plotH * (1 - (Math.max(r, floor) - floor) / (1 - floor));
  const bars = days
    .map((d, k) => {
      const x = left + k * slot + slot * 0.15;
      const w = slot * 0.7;
      const label = `${d.date} ${pct(lang, d.ratio)}`;
      if (d.ratio === null)
        return `<rect class="day na" x="${n2(x)}" y="${n2(top)}" width="${n2(w)}" height="${n2(plotH)}" fill="var(--na)" opacity="0.45"><title>${esc(label)}</title></rect>`;
      const bad = objectiveRatio !== null && d.ratio < objectiveRatio;
      const yy = Math.min(y(d.ratio), top + plotH - 1.5);
      return `<rect class="day ${bad ? "bad" : "ok"}" x="${n2(x)}" y="${n2(yy)}" width="${n2(w)}" height="${n2(top + plotH - yy)}" fill="${bad ? "var(--bad)" : "var(--ok)"}"><title>${esc(label)}</title></rect>`;
    })
    .join("");
  const ticks = days
    .map((d, k) =>
      k === 0 || (k + 1) % 5 === 0 || k === days.length - 1
        ? `<text x="${n2(left + (k + 0.5) * slot)}" y="${H - 8}" text-anchor="middle">${esc(Number(d.date.slice(8)))}</text>`
        : "",
    )
    .join("");
  const objLine =
    objectiveRatio !== null && objectiveRatio > floor && objectiveRatio < 1
      ? `<line x1="${left}" x2="${W - right}" y1="${n2(y(objectiveRatio))}" y2="${n2(y(objectiveRatio))}" stroke="var(--warn)" stroke-dasharray="4 3"/><text x="${W - right}" y="${n2(y(objectiveRatio) - 3)}" text-anchor="end">${esc(t(lang, "chart.objective", { objective: formatPercent(objectiveRatio) }))}</text>`
      : "";
  const caption = `${name} · ${t(lang, `ind.${i.id}` as Key)} — ${pct(lang, i.availability)}`;
  return `<figure class="daily-fig"><figcaption>${esc(caption)}</figcaption><svg class="chart daily" data-target="${esc(targetId)}" data-indicator="${esc(i.id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${t(lang, "chart.daily")}: ${caption}`)}"><text x="${left - 4}" y="${top + 8}" text-anchor="end">100%</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end">${esc(formatPercent(floor))}</text><line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="var(--line)"/>${bars}${objLine}${ticks}</svg></figure>`;
}

/** p50/p95/p99 of each target with response times, against the limit line. */
function responseChart(lang: Lang, m: ReportModel): string {
  const rows = m.targets.flatMap((tg) =>
    tg.indicators.flatMap((i) => (i.responseTime ? [{ name: tg.name, r: i.responseTime }] : [])),
  );
  const head = `<figcaption>${esc(t(lang, "chart.responseTime"))}</figcaption>`;
  const limit = rows[0]?.r.limitMs ?? Number(m.parameters.indicators.response_time?.limit_ms ?? Number.NaN);
  if (!rows.length || rows.every((x) => x.r.n === 0))
    return `<figure class="rt-fig">${head}<svg class="chart rt" viewBox="0 0 520 40" role="img" aria-label="${esc(t(lang, "chart.responseTime"))}"><text x="8" y="24">${esc(t(lang, "noData"))}</text></svg></figure>`;
  const finite = rows
    .flatMap((x) => [x.r.p50, x.r.p95, x.r.p99])
    .filter((v): v is number => typeof v === "number");
  const max = Math.max(Number.isFinite(limit) ? limit * 1.25 : 1, ...finite) || 1;
  const W = 520;
  const left = 120;
  const right = 60;
  const rowH = 40;
  const top = 8;
  const H = top + rows.length * rowH + 24;
  const x = (v: number) => left + ((W - left - right) * Math.min(v, max)) / max;
  const series = [
    ["p50", "var(--p50)"],
    ["p95", "var(--p95)"],
    ["p99", "var(--p99)"],
  ] as const;
  const bars = rows
    .map(({ name, r }, k) => {
      const y0 = top + k * rowH;
      const label = `<text x="${left - 6}" y="${y0 + 18}" text-anchor="end">${esc(name.length > 16 ? `${name.slice(0, 15)}…` : name)}</text>`;
      return (
        label +
        series
          .map(([p, color], j) => {
            const v = r[p];
            const y = y0 + 4 + j * 10;
            if (v === null) return "";
            const w = v === "+Inf" ? W - left - right : x(v) - left;
            const text = `${p} ${millis(lang, v)}`;
            return `<rect class="pct" x="${left}" y="${y}" width="${n2(Math.max(w, 1))}" height="8" fill="${v === "+Inf" ? "var(--bad)" : color}"><title>${esc(`${name} ${text}`)}</title></rect><text x="${n2(left + Math.max(w, 1) + 3)}" y="${y + 7}">${esc(text)}</text>`;
          })
          .join("")
      );
    })
    .join("");
  const limitLine = Number.isFinite(limit)
    ? `<line x1="${n2(x(limit))}" x2="${n2(x(limit))}" y1="${top}" y2="${H - 18}" stroke="var(--bad)" stroke-dasharray="4 3"/><text x="${n2(x(limit))}" y="${H - 6}" text-anchor="middle">${esc(t(lang, "chart.limit", { limit: `${limit} ms` }))}</text>`
    : "";
  const legend = series.map(([p, c]) => `<span class="sw" style="background:${c}"></span>${p}`).join("");
  return `<figure class="rt-fig">${head}<svg class="chart rt" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(t(lang, "chart.responseTime"))}">${bars}${limitLine}</svg><div class="legend">${legend}</div></figure>`;
}

/** Faults opened per severity, response and completion split met / missed / pending. */
function faultChart(lang: Lang, m: ReportModel): string {
  const sev = m.faults.bySeverity;
  const W = 520;
  const left = 40;
  const top = 8;
  const rowH = 34;
  const right = 70;
  const H = top + sev.length * rowH + 8;
  const max = Math.max(1, ...sev.map((s) => s.opened));
  const unit = (W - left - right) / max;
  const parts = [
    ["met", "var(--ok)"],
    ["missed", "var(--bad)"],
    ["pending", "var(--na)"],
  ] as const;
  const rows = sev
    .map((s, k) => {
      const y0 = top + k * rowH;
      const stacked = (rate: (typeof s)["response"], y: number, what: string) => {
        let xx = left;
        return parts
          .map(([p, color]) => {
            const v = rate[p];
            if (!v) return "";
            const r = `<rect class="seg ${p}" x="${n2(xx)}" y="${y}" width="${n2(v * unit)}" height="11" fill="${color}"><title>${esc(`${s.severity} ${what} ${t(lang, `outcome.${p}` as Key)}: ${v}`)}</title></rect>`;
            xx += v * unit;
            return r;
          })
          .join("");
      };
      return `<g class="sev" data-severity="${s.severity}"><text x="${left - 6}" y="${y0 + 16}" text-anchor="end">${s.severity}</text>${stacked(s.response, y0 + 2, t(lang, "response"))}${stacked(s.completion, y0 + 15, t(lang, "completion"))}<text x="${n2(left + s.opened * unit + 4)}" y="${y0 + 16}">${esc(t(lang, "chart.opened", { n: s.opened }))}</text></g>`;
    })
    .join("");
  const legend = parts
    .map(([p, c]) => `<span class="sw" style="background:${c}"></span>${esc(t(lang, `outcome.${p}` as Key))}`)
    .join("");
  return `<figure class="faults-fig"><figcaption>${esc(`${t(lang, "chart.faults")} (${t(lang, "response")} / ${t(lang, "completion")})`)}</figcaption><svg class="chart faults" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(t(lang, "chart.faults"))}">${rows}</svg><div class="legend">${legend}</div></figure>`;
}

export function renderHtml(m: ReportModel, lang: Lang): string {
  const T = (k: Key, v?: Record<string, string | number>) => t(lang, k, v);
  const tables = reportTables(m, lang);
  const lines = reportLines(m, lang);
  const none = `<p class="none"><em>${esc(T("none"))}</em></p>`;
  const body: string[] = [];
  const section = (k: Key, id: string, ...blocks: string[]) =>
    body.push(
      `<section id="${id}"><h2>${esc(T(k))}</h2>${blocks.filter((b) => b !== "").join("")}</section>`,
    );
  // A table, or "none" where the section has no rows.
  const orNone = (tb: Table, cls = "") => (tb.rows.length ? table(tb, cls) : none);
  const objectiveOf = (id: string) => {
    const k = m.indicators.find((i) => i.id === id);
    return k && k.unit === "ratio" ? k.objective : null;
  };
  const heading = title(lang, m);

  body.push(
    `<header><h1>${esc(heading)}</h1><ul class="meta">${lines.meta
      .map((l) => `<li>${esc(l)}</li>`)
      .join(
        "",
      )}</ul>${m.empty ? `<p class="note"><strong>${esc(T("noData"))}</strong> — ${esc(T("noDataNote"))}</p>` : ""}</header>`,
  );

  // 1. key indicators
  section(
    "section.1",
    "key-indicators",
    table(tables.indicators(), "key", (k) => ` data-indicator="${esc(m.indicators[k]?.id ?? "")}"`),
  );

  // 2. availability by target: one table row and one daily bar chart per target-indicator
  const pairs = m.targets.flatMap((tg) => tg.indicators.map((i) => ({ tg, i })));
  section(
    "section.2",
    "availability",
    orNone(tables.targets(), "targets"),
    lines.availability.length
      ? `<ul class="lines">${lines.availability.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`
      : "",
    pairs.length
      ? `<h3>${esc(T("chart.daily"))}</h3><p class="legend"><span class="sw" style="background:var(--ok)"></span>${esc(T("met"))}<span class="sw" style="background:var(--bad)"></span>${esc(T("notMet"))}<span class="sw" style="background:var(--na)"></span>${esc(T("chart.noDay"))}</p><div class="charts">${pairs
          .map(({ tg, i }) => dailyChart(lang, tg.name, i, objectiveOf(i.id), tg.id))
          .join("")}</div>`
      : "",
    `<h3>${esc(T("chart.responseTime"))}</h3><div class="charts">${responseChart(lang, m)}</div>`,
  );

  // 3. faults
  section(
    "section.3",
    "faults",
    `<p>${esc(lines.faults)}</p>`,
    `<div class="charts">${faultChart(lang, m)}</div>`,
    table(tables.severities()),
    ...m.faults.list.map(
      (x) =>
        `<article class="fault"><h3>${esc(lines.faultHeading(x))}</h3><p>${esc(lines.faultOutcome(x))}</p>${table(
          tables.timeline(x),
        )}</article>`,
    ),
  );

  // 4. inspections
  section("section.4", "inspections", `<p>${esc(lines.inspections)}</p>`, table(tables.inspections()));

  // 5.–8.
  section("section.5", "events", orNone(tables.events()));
  section("section.6", "maintenance", orNone(tables.maintenance()));
  section("section.7", "coverage", orNone(tables.coverage()));
  section("section.8", "method", `<p>${esc(T("method.intro"))}</p>`, table(tables.parameters(), "params"));

  return `<!DOCTYPE html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="opswatch ${esc(m.parameters.opswatchVersion)}">
<title>${esc(heading)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body.join("\n")}
</main>
</body>
</html>
`;
}
