import { Router } from "express";
import { z } from "zod";
import { monthPeriod } from "../../engine/zone.js";
import type { Guard } from "../auth/guard.js";
import { InspectionError, type InspectionService, inspectionFigures, runView } from "../inspections.js";
import type { StoredRun } from "../store/inspections.js";
import type { FaultStore, InspectionStore } from "../store/store.js";
import { body, HttpError, handler, parseTime, sendJson } from "./http.js";

const SignOff = z.strictObject({
  result: z.enum(["pass", "fail"]),
  note: z.string().trim().max(2000).optional(),
  fault_id: z
    .union([z.string().regex(/^\d+$/, "a fault id"), z.number().int().positive()])
    .transform(String)
    .optional()
    .describe("the fault a failed item is linked to; without it the service opens (or attaches to) one"),
});

/**
 * GET /api/v1/inspections?from&to[&plan] (runs with items and judgement, and the period's figures),
 * GET /api/v1/inspections/:runId, POST /api/v1/inspections/:runId/items/:target/:item/sign-off (operator).
 */
export function inspectionRoutes(
  service: InspectionService,
  store: InspectionStore,
  faults: FaultStore,
  auth: Guard,
): Router {
  const r = Router();
  const tz = service.tz;
  const views = async (runs: StoredRun[], now: number) => {
    const exists = await service.faultExists(runs);
    return runs.map((run) => runView(run, now, tz, exists, service.planName(run.plan)));
  };

  r.get(
    "/api/v1/inspections",
    handler(async (req, res) => {
      const now = service.clock();
      let period: { start: number; end: number };
      if (req.query.from !== undefined) {
        period = { start: parseTime("from", req.query.from), end: parseTime("to", req.query.to, now + 1) };
      } else {
        const d = new Intl.DateTimeFormat("en-CA", {
          timeZone: tz,
          year: "numeric",
          month: "2-digit",
        }).format(now);
        period = monthPeriod(d.slice(0, 7), tz);
      }
      if (period.end <= period.start) throw new HttpError(400, "from must be before to");
      const plan = typeof req.query.plan === "string" ? req.query.plan : undefined;
      const runs = await service.list({ from: period.start, to: period.end, ...(plan ? { plan } : {}) });
      const f = await inspectionFigures(store, faults, period, now, tz);
      sendJson(res, {
        from: period.start,
        to: period.end,
        judged_at: now,
        // over every plan's runs in [from, to), whatever the plan filter
        summary: {
          scheduled: f.scheduled,
          compliant: f.compliant,
          non_compliant: f.nonCompliant,
          pending: f.pending,
          ratio: f.ratio,
          items: { passed: f.items.passed, with_result: f.items.withResult, share: f.items.share },
        },
        runs: await views(runs, now),
      });
    }),
  );
  r.get(
    "/api/v1/inspections/:runId",
    handler(async (req, res) => {
      const run = await wrap(() => service.get(String(req.params.runId)));
      sendJson(res, (await views([run], service.clock()))[0]);
    }),
  );
  r.post(
    "/api/v1/inspections/:runId/items/:target/:item/sign-off",
    auth.require("operator"),
    handler(async (req, res) => {
      const b = body(SignOff, req);
      const [runId, target, item] = [
        String(req.params.runId),
        String(req.params.target),
        String(req.params.item),
      ];
      const itemOf = (r: StoredRun) => r.items.find((i) => i.target === target && i.item === item) ?? null;
      const before = itemOf(await wrap(() => service.get(runId)));
      const run = await wrap(() =>
        service.signOff(
          runId,
          target,
          item,
          {
            result: b.result,
            ...(b.note ? { note: b.note } : {}),
            ...(b.fault_id === undefined ? {} : { faultId: b.fault_id }),
          },
          res.locals.actor.name,
        ),
      );
      const object = `inspection/${runId}/${target}/${item}`;
      await auth.audit(req, res, "inspection.signoff", object, before, itemOf(run));
      sendJson(res, (await views([run], service.clock()))[0]);
    }),
  );
  return r;
}

async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof InspectionError) throw new HttpError(e.status, e.message);
    throw e;
  }
}
