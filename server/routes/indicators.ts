import type { Readable } from "node:stream";
import { Router } from "express";
import { monthPeriod } from "../../engine/zone.js";
import type { Guard } from "../auth/guard.js";
import type { ImportSummary } from "../import.js";
import type { IndicatorService } from "../indicators.js";
import { HttpError, handler, parseTime, sendJson } from "./http.js";

/** GET /api/v1/indicators?month=YYYY-MM (or from&to): the official figures for a period. */
export function indicatorRoutes(
  indicators: IndicatorService,
  auth: Guard,
  tz: string,
  runImport: (body: Readable) => Promise<ImportSummary>,
): Router {
  const r = Router();
  r.get(
    "/api/v1/indicators",
    handler(async (req, res) => {
      const now = Date.now();
      let period: { start: number; end: number };
      if (typeof req.query.month === "string") {
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(req.query.month)) throw new HttpError(400, "month: YYYY-MM");
        period = monthPeriod(req.query.month, tz);
      } else if (req.query.from !== undefined) {
        period = { start: parseTime("from", req.query.from), end: parseTime("to", req.query.to, now) };
      } else {
        const d = new Intl.DateTimeFormat("en-CA", {
          timeZone: tz,
          year: "numeric",
          month: "2-digit",
        }).format(now);
        period = monthPeriod(d.slice(0, 7), tz);
      }
      if (period.end <= period.start) throw new HttpError(400, "from must be before to");
      if (period.start > now) throw new HttpError(400, "the period has not started");
      sendJson(res, await indicators.compute(period, now));
    }),
  );
  // NDJSON body, streamed: a month of results for 1,000 targets does not fit in one buffer.
  r.post(
    "/api/v1/import",
    auth.require("operator"),
    handler(async (req, res) => {
      const summary = await runImport(req);
      // The rejected lines' reasons stay out of the log: they quote the uploaded text.
      const { errors: _errors, ...counts } = summary;
      await auth.audit(req, res, "results.import", "results", null, counts);
      sendJson(res, summary);
    }),
  );
  return r;
}
