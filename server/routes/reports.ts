import { Router } from "express";
import { monthPeriod } from "../../engine/zone.js";
import { LANGS, type Lang } from "../report/i18n.js";
import {
  FORMAT_NAMES,
  isMonth,
  isReportFormat,
  monthOf,
  REPORT_FORMATS,
  type ReportService,
  render,
} from "../report/service.js";
import { HttpError, handler, parseTime } from "./http.js";

/**
 * GET /api/v1/reports?month=YYYY-MM (or from&to; default this month) &format=json|csv|md|html|xlsx &lang=zh-CN|en
 * (&section=… for csv). json is the report model (docs/report-schema.json); md the Markdown summary; csv
 * one section as CSV with a BOM — the key indicators unless `section` names another (targets, outages,
 * faults, fault-events, fault-severities, inspections, events, maintenance, coverage, parameters); xlsx
 * the whole report as a workbook (an attachment). Formats: server/report/formats.ts.
 */
export function reportRoutes(reports: ReportService, clock: () => number): Router {
  const r = Router();
  r.get(
    "/api/v1/reports",
    handler(async (req, res) => {
      const now = clock();
      const tz = reports.tz;
      const format = req.query.format ?? "json";
      if (!isReportFormat(format)) throw new HttpError(400, `format: one of ${FORMAT_NAMES.join(", ")}`);
      const spec = REPORT_FORMATS[format];
      const lang = (req.query.lang ?? "zh-CN") as Lang;
      if (!LANGS.includes(lang)) throw new HttpError(400, `lang: one of ${LANGS.join(", ")}`);
      const section = typeof req.query.section === "string" ? req.query.section : "indicators";
      let model: Awaited<ReturnType<ReportService["build"]>>;
      let name: string;
      if (req.query.from !== undefined) {
        if (req.query.month !== undefined) throw new HttpError(400, "give month or from/to, not both");
        const period = { start: parseTime("from", req.query.from), end: parseTime("to", req.query.to, now) };
        if (period.end <= period.start) throw new HttpError(400, "from must be before to");
        if (period.start > now) throw new HttpError(400, "the period has not started");
        model = await reports.build(period, now);
        name = `opswatch-report-${model.period.from.slice(0, 10)}-${model.period.to.slice(0, 10)}`;
      } else {
        const month = typeof req.query.month === "string" ? req.query.month : monthOf(now, tz);
        if (!isMonth(month)) throw new HttpError(400, "month: YYYY-MM");
        if (monthPeriod(month, tz).start > now) throw new HttpError(400, "the period has not started");
        model = await reports.month(month, now);
        name = `opswatch-report-${month}`;
      }
      let body: string | Buffer;
      try {
        body = await render(model, format, lang, section);
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      const file = format === "csv" ? `${name}-${section}.csv` : `${name}.${spec.extension}`;
      res
        .status(200)
        .type(spec.contentType)
        .setHeader("content-disposition", `${spec.binary ? "attachment" : "inline"}; filename="${file}"`)
        .send(body);
    }),
  );
  return r;
}
