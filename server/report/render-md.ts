// The report as a Markdown summary, sections 1–8, from the model only (formatting, no arithmetic).
// The tables and their prose lines come from tables.ts (shared with the HTML renderer).
import { type Key, type Lang, t, title } from "./i18n.js";
import type { ReportModel } from "./model.js";
import { type Cell, reportLines, reportTables, type Table } from "./tables.js";

const escCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const cell = (c: Cell) => escCell(c.kind === "code" ? `\`${c.text}\`` : c.text);

function table(tb: Table): string {
  if (!tb.rows.length) return "";
  return [
    `| ${tb.columns.map((c) => escCell(c.header)).join(" | ")} |`,
    `| ${tb.columns.map(() => "---").join(" | ")} |`,
    ...tb.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

export function renderMarkdown(m: ReportModel, lang: Lang): string {
  const T = (k: Key, v?: Record<string, string | number>) => t(lang, k, v);
  const tables = reportTables(m, lang);
  const lines = reportLines(m, lang);
  const none = `_${T("none")}_`;
  const out: string[] = [];
  // Blocks of a section, one blank line apart (Markdown needs it around tables and headings).
  const section = (k: Key, ...blocks: string[]) =>
    out.push("", `## ${T(k)}`, "", blocks.filter((b) => b !== "").join("\n\n"));
  // A table, or "none" where the section has no rows.
  const orNone = (tb: Table) => (tb.rows.length ? table(tb) : none);

  out.push(`# ${title(lang, m)}`, "");
  out.push(...lines.meta.map((l) => `- ${l}`));
  if (m.empty) out.push("", `> **${T("noData")}** — ${T("noDataNote")}`);

  section("section.1", table(tables.indicators()));
  section("section.2", orNone(tables.targets()), lines.availability.map((l) => `- ${l}`).join("\n"));
  section(
    "section.3",
    lines.faults,
    table(tables.severities()),
    ...m.faults.list.flatMap((x) => [
      `### ${lines.faultHeading(x)}`,
      lines.faultOutcome(x),
      table(tables.timeline(x)),
    ]),
  );
  section("section.4", lines.inspections, table(tables.inspections()));
  section("section.5", orNone(tables.events()));
  section("section.6", orNone(tables.maintenance()));
  section("section.7", orNone(tables.coverage()));
  section("section.8", T("method.intro"), table(tables.parameters()));
  return `${out.join("\n")}\n`;
}
