import { Router } from "express";
import { z } from "zod";
import { type MaintenanceWindow, occurrences, type Recurrence } from "../../engine/maintenance.js";
import { parseDuration } from "../../lib/duration.js";
import type { Guard } from "../auth/guard.js";
import type { MaintenanceStore } from "../store/store.js";
import { body, HttpError, handler, parseTime, sendJson } from "./http.js";

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");
const Create = z
  .strictObject({
    targets: z.array(z.string().min(1)).min(1).optional(),
    groups: z.array(z.string().min(1)).min(1).optional(),
    start: z.union([z.string(), z.number()]).optional(),
    end: z.union([z.string(), z.number()]).optional(),
    recurrence: z
      .strictObject({
        every: z.enum(["day", "week", "month"]),
        weekdays: z.array(z.number().int().min(0).max(6)).min(1).optional(),
        day_of_month: z.number().int().min(1).max(31).optional(),
        at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM"),
        duration: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, "a duration such as 2h"),
        from: date,
        until: date.optional(),
      })
      .optional(),
    reason: z.string().trim().min(1).max(500),
    approved_by: z.string().trim().min(1).max(100),
  })
  .refine((b) => (b.targets === undefined) !== (b.groups === undefined), "give either targets or groups")
  .refine(
    (b) => (b.recurrence === undefined) === (b.start !== undefined && b.end !== undefined),
    "give start and end, or a recurrence",
  );

/** Maintenance windows: create (operator), list, cancel (operator). */
export function maintenanceRoutes(store: MaintenanceStore, auth: Guard, tz: string): Router {
  const r = Router();
  r.get(
    "/api/v1/maintenance",
    handler(async (req, res) => {
      const now = Date.now();
      const from = parseTime("from", req.query.from, now - 30 * 86_400_000);
      const to = parseTime("to", req.query.to, now + 30 * 86_400_000);
      const all = await store.all();
      sendJson(res, {
        windows: all.map((m) => ({
          ...m.window,
          createdBy: m.createdBy,
          cancelledBy: m.cancelledBy ?? null,
          occurrences: occurrences(m.window, { start: from, end: to }, tz),
        })),
      });
    }),
  );
  r.post(
    "/api/v1/maintenance",
    auth.require("operator"),
    handler(async (req, res) => {
      const b = body(Create, req);
      const now = Date.now();
      const meta = { createdAt: now, reason: b.reason, approvedBy: b.approved_by };
      let when: { start: number; end: number } | { recurrence: Recurrence };
      if (b.recurrence) {
        const { day_of_month, duration, ...rest } = b.recurrence;
        if (rest.every === "week" && !rest.weekdays)
          throw new HttpError(400, "recurrence.weekdays: required for every: week");
        if (rest.every === "month" && !day_of_month)
          throw new HttpError(400, "recurrence.day_of_month: required for every: month");
        when = {
          recurrence: {
            ...rest,
            duration: parseDuration(duration),
            ...(day_of_month ? { dayOfMonth: day_of_month } : {}),
          },
        };
      } else {
        const start = parseTime("start", b.start);
        const end = parseTime("end", b.end);
        if (end <= start) throw new HttpError(400, "end must be after start");
        when = { start, end };
      }
      const window = (
        b.targets ? { targets: b.targets, ...when, ...meta } : { groups: b.groups, ...when, ...meta }
      ) as Omit<MaintenanceWindow, "id">;
      const id = await store.create(window, res.locals.actor.name);
      const created = await store.get(id);
      await auth.audit(req, res, "maintenance.create", `maintenance/${id}`, null, created?.window);
      // A window recorded after it started is kept (the report lists it) but excludes nothing.
      const late = "start" in when && when.start <= now;
      sendJson(
        res,
        {
          ...created?.window,
          ...(late ? { warning: "recorded after it started: it excludes nothing" } : {}),
        },
        201,
      );
    }),
  );
  r.post(
    "/api/v1/maintenance/:id/cancel",
    auth.require("operator"),
    handler(async (req, res) => {
      const id = String(req.params.id);
      const before = await store.get(id);
      if (!before) throw new HttpError(404, `no maintenance window ${id}`);
      if (!(await store.cancel(id, Date.now(), res.locals.actor.name)))
        throw new HttpError(409, "already cancelled");
      const after = await store.get(id);
      const state = (m: typeof before | undefined) =>
        m && { ...m.window, cancelledBy: m.cancelledBy ?? null };
      await auth.audit(req, res, "maintenance.cancel", `maintenance/${id}`, state(before), state(after));
      sendJson(res, after?.window);
    }),
  );
  return r;
}
