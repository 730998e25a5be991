// One place that builds a report for a period and renders it: the API route, the scheduled job and
// tests share it, so every output of a period comes from the same model.

import type { Interval } from "../../engine/types.js";
import { localParts, monthPeriod } from "../../engine/zone.js";
import { buildReport, type ReportDeps } from "./build.js";
import type { Lang } from "./i18n.js";
import type { ReportModel } from "./model.js";
import { keyIndicatorsCsv, renderCsv } from "./render-csv.js";
import { renderJson } from "./render-json.js";
import { renderMarkdown } from "./render-md.js";

export type ReportFormat = "json" | "csv" | "md";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isMonth(s: string): boolean {
  return MONTH.test(s);
}

/** "YYYY-MM" of the instant in the zone. */
export function monthOf(ts: number, tz: string): string {
  const p = localParts(ts, tz);
  return `${p.year}-${String(p.month).padStart(2, "0")}`;
}

/** The month before the one containing ts, in the zone. */
export function previousMonth(ts: number, tz: string): string {
  const p = localParts(ts, tz);
  const y = p.month === 1 ? p.year - 1 : p.year;
  const m = p.month === 1 ? 12 : p.month - 1;
  return `${y}-${String(m).padStart(2, "0")}`;
}

export class ReportService {
  constructor(private readonly deps: ReportDeps) {}

  get tz(): string {
    return this.deps.config.site.timezone;
  }

  /** The model of a calendar month (site zone) as of now. */
  month(month: string, now: number): Promise<ReportModel> {
    if (!isMonth(month)) throw new Error(`month: "${month}" is not YYYY-MM`);
    return this.build(monthPeriod(month, this.tz), now, month);
  }

  build(period: Interval, now: number, month?: string): Promise<ReportModel> {
    return buildReport({ ...this.deps, period, now, ...(month ? { month } : {}) });
  }
}

/** One rendering of a model: text for json and md, the key-indicator section for csv. */
export function render(model: ReportModel, format: ReportFormat, lang: Lang, section = "indicators"): string {
  switch (format) {
    case "json":
      return renderJson(model);
    case "md":
      return renderMarkdown(model, lang);
    case "csv": {
      if (section === "indicators") return keyIndicatorsCsv(model, lang);
      const all = renderCsv(model, lang);
      const text = all[section];
      if (text === undefined)
        throw new Error(`section: "${section}" is not one of ${Object.keys(all).join(", ")}`);
      return text;
    }
  }
}
