// The report's output formats in one registry: the API route, the CLI and scripts/report-samples.ts
// list and render formats from here (service.ts re-exports it), so a new renderer is one entry.
// Every entry renders the same model (build.ts) and does no arithmetic of its own.
import type { Lang } from "./i18n.js";
import type { ReportModel } from "./model.js";
import { keyIndicatorsCsv, renderCsv } from "./render-csv.js";
import { renderJson } from "./render-json.js";
import { renderMarkdown } from "./render-md.js";

export interface ReportFormatSpec {
  /** HTTP Content-Type. */
  contentType: string;
  /** File extension, no dot. */
  extension: string;
  /** Binary output (a Buffer): the CLI writes it only to --out, the route sends it as an attachment. */
  binary: boolean;
  /** csv: the section (default the key indicators); the other formats hold every section. */
  render(model: ReportModel, lang: Lang, section?: string): string | Buffer | Promise<string | Buffer>;
}

export const REPORT_FORMATS = {
  json: {
    contentType: "application/json; charset=utf-8",
    extension: "json",
    binary: false,
    render: (m) => renderJson(m),
  },
  csv: {
    contentType: "text/csv; charset=utf-8",
    extension: "csv",
    binary: false,
    render: (m, lang, section = "indicators") => {
      if (section === "indicators") return keyIndicatorsCsv(m, lang);
      const all = renderCsv(m, lang);
      const text = all[section];
      if (text === undefined)
        throw new Error(`section: "${section}" is not one of ${Object.keys(all).join(", ")}`);
      return text;
    },
  },
  md: {
    contentType: "text/markdown; charset=utf-8",
    extension: "md",
    binary: false,
    render: (m, lang) => renderMarkdown(m, lang),
  },
  html: {
    contentType: "text/html; charset=utf-8",
    extension: "html",
    binary: false,
    render: async (m, lang) => (await import("./render-html.js")).renderHtml(m, lang),
  },
  xlsx: {
    contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extension: "xlsx",
    binary: true,
    // Loaded on first use: exceljs alone adds ~16 MB to every process that imports this registry,
    // agents included (bench/README.md, SNMP polling).
    render: async (m, lang) => (await import("./render-xlsx.js")).renderXlsx(m, lang),
  },
} satisfies Record<string, ReportFormatSpec>;

export type ReportFormat = keyof typeof REPORT_FORMATS;
export const FORMAT_NAMES = Object.keys(REPORT_FORMATS) as ReportFormat[];

export function isReportFormat(s: unknown): s is ReportFormat {
  return typeof s === "string" && Object.hasOwn(REPORT_FORMATS, s);
}
