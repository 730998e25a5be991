import { Router } from "express";
import { z } from "zod";
import { Role } from "../../config/schema.js";
import { Id } from "../../protocol/messages.js";
import type { Guard } from "../auth/guard.js";
import { hashPassword, passwordProblem } from "../auth/password.js";
import { userView } from "../auth/users.js";
import type { AuthStore, UserRecord } from "../store/store.js";
import { body, HttpError, handler, sendJson } from "./http.js";

const Password = z.string().superRefine((p, ctx) => {
  const problem = passwordProblem(p);
  if (problem) ctx.addIssue({ code: "custom", message: problem.replace(/^password: /, "") });
});
const DisplayName = z.string().trim().min(1).max(100);
const Add = z.strictObject({
  name: Id,
  role: Role,
  password: Password,
  display_name: DisplayName.optional(),
});
const Patch = z
  .strictObject({
    role: Role.optional(),
    disabled: z.boolean().optional(),
    password: Password.optional(),
    display_name: DisplayName.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, "give role, disabled, password or display_name");

/** GET/POST /api/v1/users, PATCH /api/v1/users/:name (admin). */
export function userRoutes(guard: Guard, store: AuthStore): Router {
  const r = Router();
  r.get(
    "/api/v1/users",
    guard.require("admin"),
    handler(async (_req, res) => sendJson(res, { users: (await store.users()).map(userView) })),
  );
  r.post(
    "/api/v1/users",
    guard.require("admin"),
    handler(async (req, res) => {
      const b = body(Add, req);
      const u: UserRecord = {
        name: b.name,
        role: b.role,
        passwordHash: await hashPassword(b.password),
        disabled: false,
        createdAt: guard.clock(),
        createdBy: res.locals.actor.name,
        ...(b.display_name ? { displayName: b.display_name } : {}),
      };
      if (!(await store.addUser(u))) throw new HttpError(409, `user "${b.name}" exists`);
      await guard.audit(req, res, "user.add", `user/${u.name}`, null, userView(u));
      sendJson(res, userView(u), 201);
    }),
  );
  r.patch(
    "/api/v1/users/:name",
    guard.require("admin"),
    handler(async (req, res) => {
      const name = String(req.params.name);
      const p = body(Patch, req);
      const before = await store.user(name);
      if (!before) throw new HttpError(404, `no user "${name}"`);
      const demoted = (p.role !== undefined && p.role !== "admin") || p.disabled === true;
      if (before.role === "admin" && !before.disabled && demoted && (await enabledAdmins(store)) <= 1)
        throw new HttpError(409, "the last enabled admin cannot be disabled or demoted");
      await store.updateUser(name, {
        ...(p.role ? { role: p.role } : {}),
        ...(p.disabled === undefined ? {} : { disabled: p.disabled }),
        ...(p.display_name ? { displayName: p.display_name } : {}),
        ...(p.password ? { passwordHash: await hashPassword(p.password) } : {}),
      });
      // A disabled user or a changed password ends every session at once.
      if (p.disabled || p.password) await store.deleteSessionsOf(name);
      const after = (await store.user(name)) as UserRecord;
      const action =
        p.disabled === true && !before.disabled
          ? "user.disable"
          : p.disabled === false && before.disabled
            ? "user.enable"
            : p.password && p.role === undefined && p.display_name === undefined
              ? "user.password"
              : "user.update";
      await guard.audit(
        req,
        res,
        action,
        `user/${name}`,
        userView(before),
        // The hash never goes into the log; that it changed does.
        { ...userView(after), ...(p.password ? { password_changed: true } : {}) },
      );
      sendJson(res, userView(after));
    }),
  );
  return r;
}

async function enabledAdmins(store: AuthStore): Promise<number> {
  return (await store.users()).filter((u) => u.role === "admin" && !u.disabled).length;
}
