import { Router } from "express";
import type { Guard } from "../auth/guard.js";
import type { AuditStore } from "../store/store.js";
import { HttpError, handler, parseTime, sendJson } from "./http.js";

/**
 * GET /api/v1/audit?from&to&actor&action&limit&cursor (admin), newest first. Read only: there is no
 * route that changes or deletes an entry, and the store refuses it too.
 */
export function auditRoutes(guard: Guard, audit: AuditStore, pageMax: number): Router {
  const r = Router();
  r.get(
    "/api/v1/audit",
    guard.require("admin"),
    handler(async (req, res) => {
      const q = req.query;
      const limit = q.limit === undefined ? Math.min(100, pageMax) : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > pageMax)
        throw new HttpError(400, `limit: integer 1..${pageMax}`);
      const str = (k: string) => {
        const v = q[k];
        if (v === undefined) return undefined;
        if (typeof v !== "string" || !v) throw new HttpError(400, `${k}: one non-empty value`);
        return v;
      };
      const from = q.from === undefined ? undefined : parseTime("from", q.from);
      const to = q.to === undefined ? undefined : parseTime("to", q.to);
      if (from !== undefined && to !== undefined && from >= to)
        throw new HttpError(400, "from must be before to");
      const actor = str("actor");
      const action = str("action");
      const cursor = str("cursor");
      let page: Awaited<ReturnType<AuditStore["list"]>>;
      try {
        page = await audit.list({
          limit,
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(actor ? { actor } : {}),
          ...(action ? { action } : {}),
          ...(cursor ? { cursor } : {}),
        });
      } catch (e) {
        if (e instanceof RangeError) throw new HttpError(400, `cursor: ${e.message}`);
        throw e;
      }
      sendJson(res, { entries: page.items, next_cursor: page.next ?? null });
    }),
  );
  return r;
}
