import { Router } from "express";
import { pageLimit } from "../limits.js";
import { z } from "zod";
import { Severity } from "../../config/indicators.js";
import type { Guard } from "../auth/guard.js";
import { FaultError, type FaultService, faultView, type PersonAction } from "../faults.js";
import { body, HttpError, handler, parseTime, sendJson } from "./http.js";

const Report = z.strictObject({
  target: z.string().min(1),
  title: z.string().min(1).max(200),
  severity: Severity,
});
const Note = z.strictObject({ note: z.string().trim().min(1, "a note is required").max(2000) });
const Escalate = z.strictObject({ severity: Severity });

/** Audit action name of each URL action. */
const auditName: Record<string, string> = {
  ack: "fault.acknowledge",
  resolve: "fault.resolve",
  reopen: "fault.reopen",
  escalate: "fault.escalate",
};

const actions: Record<string, (b: unknown) => PersonAction> = {
  ack: (b) => ({ type: "acknowledged", note: Note.parse(b).note }),
  resolve: (b) => ({ type: "resolved", note: Note.parse(b).note }),
  reopen: (b) => ({ type: "reopened", note: Note.parse(b).note }),
  escalate: (b) => ({ type: "escalated", severity: Escalate.parse(b).severity }),
};

/** GET/POST /api/v1/faults, POST /api/v1/faults/:id/ack|resolve|reopen|escalate (operator). */
export function faultRoutes(
  faults: FaultService,
  auth: Guard,
  knownTarget: (id: string) => boolean,
  pageMax = 1000,
): Router {
  const r = Router();
  const view = (f: Parameters<typeof faultView>[0]) => faultView(f, faults.clock, Date.now());

  r.get(
    "/api/v1/faults",
    handler(async (req, res) => {
      const q = req.query;
      if (q.state !== undefined && q.state !== "open" && q.state !== "resolved")
        throw new HttpError(400, "state: open or resolved");
      const list = await faults.list({
        open: q.state === undefined ? undefined : q.state === "open",
        target: typeof q.target === "string" ? q.target : undefined,
        from: q.from === undefined ? undefined : parseTime("from", q.from),
        to: q.to === undefined ? undefined : parseTime("to", q.to),
        limit: pageLimit(q.limit, 1000, pageMax),
      });
      sendJson(res, { faults: list.map(view) });
    }),
  );
  r.get(
    "/api/v1/faults/:id",
    handler(async (req, res) => sendJson(res, view(await wrap(() => faults.get(String(req.params.id)))))),
  );
  r.post(
    "/api/v1/faults",
    auth.require("operator"),
    handler(async (req, res) => {
      const b = body(Report, req);
      if (!knownTarget(b.target)) throw new HttpError(400, `target: no target "${b.target}"`);
      const id = await wrap(() => faults.report({ ...b, actor: res.locals.actor.name, at: Date.now() }));
      const created = view(await faults.get(id));
      await auth.audit(req, res, "fault.create", `fault/${id}`, null, created);
      sendJson(res, created, 201);
    }),
  );
  r.post(
    "/api/v1/faults/:id/:action",
    auth.require("operator"),
    handler(async (req, res) => {
      const make = actions[String(req.params.action)];
      if (!make) throw new HttpError(404, "actions: ack, resolve, reopen, escalate");
      let action: PersonAction;
      try {
        action = make(req.body);
      } catch (e) {
        const i = (e as z.ZodError).issues?.[0];
        throw new HttpError(400, i ? `${i.path.join(".") || "body"}: ${i.message}` : String(e));
      }
      const id = String(req.params.id);
      const before = view(await wrap(() => faults.get(id)));
      const after = view(await wrap(() => faults.act(id, action, res.locals.actor.name, Date.now())));
      await auth.audit(
        req,
        res,
        auditName[String(req.params.action)] as string,
        `fault/${id}`,
        before,
        after,
      );
      sendJson(res, after);
    }),
  );
  return r;
}

async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FaultError) throw new HttpError(e.status, e.message);
    throw e;
  }
}
