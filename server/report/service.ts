// One place that builds a report for a period and renders it: the API route, the scheduled job and
// tests share it, so every output of a period comes from the same model.

import type { Interval } from "../../engine/types.js";
import { localParts, monthPeriod } from "../../engine/zone.js";
import { buildReport, type ReportDeps } from "./build.js";
import { REPORT_FORMATS, type ReportFormat } from "./formats.js";
import type { Lang } from "./i18n.js";
import type { ReportModel } from "./model.js";

export { FORMAT_NAMES, isReportFormat, REPORT_FORMATS, type ReportFormat } from "./formats.js";

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

/**
 * One rendering of a model in a registered format (formats.ts): text for json, md and csv (csv: one
 * section, the key indicators by default), a Buffer for xlsx.
 */
export async function render(
  model: ReportModel,
  format: ReportFormat,
  lang: Lang,
  section = "indicators",
): Promise<string | Buffer> {
  return REPORT_FORMATS[format].render(model, lang, section);
}
