import { Router } from "express";
import { z } from "zod";
import { Role } from "../../config/schema.js";
import { parseDuration } from "../../lib/duration.js";
import { Id } from "../../protocol/messages.js";
import type { Guard } from "../auth/guard.js";
import { tokenView } from "../auth/tokens.js";
import type { AuthStore } from "../store/store.js";
import { body, HttpError, handler, sendJson } from "./http.js";

const Create = z.strictObject({
  name: Id.describe("who uses it: the actor of every write made with it"),
  role: Role,
  expires: z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, "a duration such as 90d")
    .optional()
    .describe("lifetime from now; absent: until revoked"),
});

/** GET/POST /api/v1/tokens, DELETE /api/v1/tokens/:id (admin). The secret is in the POST answer only. */
export function tokenRoutes(guard: Guard, store: AuthStore): Router {
  const r = Router();
  r.get(
    "/api/v1/tokens",
    guard.require("admin"),
    handler(async (_req, res) => sendJson(res, { tokens: (await store.tokens()).map(tokenView) })),
  );
  r.post(
    "/api/v1/tokens",
    guard.require("admin"),
    handler(async (req, res) => {
      const b = body(Create, req);
      const now = guard.clock();
      const life = b.expires === undefined ? undefined : parseDuration(b.expires);
      if (life !== undefined && life <= 0) throw new HttpError(400, "expires: must be positive");
      const { secret, token } = await guard.tokens.create(
        { name: b.name, role: b.role, ...(life === undefined ? {} : { expiresAt: now + life }) },
        res.locals.actor.name,
        now,
      );
      await guard.audit(req, res, "token.create", `token/${token.id}`, null, tokenView(token));
      sendJson(res, { ...tokenView(token), secret }, 201);
    }),
  );
  r.delete(
    "/api/v1/tokens/:id",
    guard.require("admin"),
    handler(async (req, res) => {
      const id = String(req.params.id);
      const before = await store.token(id);
      if (!before) throw new HttpError(404, `no token ${id}`);
      if (!(await store.revokeToken(id, guard.clock(), res.locals.actor.name)))
        throw new HttpError(409, `token ${id} is already revoked`);
      const after = tokenView((await store.token(id)) ?? before);
      await guard.audit(req, res, "token.revoke", `token/${id}`, tokenView(before), after);
      sendJson(res, after);
    }),
  );
  return r;
}
