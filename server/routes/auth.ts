import { Router } from "express";
import { z } from "zod";
import type { Logger } from "../../lib/log.js";
import type { Guard } from "../auth/guard.js";
import { dummyHash, verifyPassword } from "../auth/password.js";
import { sessionCookie } from "../auth/sessions.js";
import type { LoginThrottle } from "../auth/throttle.js";
import type { AuthStore } from "../store/store.js";
import { body, handler, sendJson } from "./http.js";

const Login = z.strictObject({
  user: z.string().min(1).max(100),
  password: z.string().min(1).max(1024),
});

/** POST /api/v1/session (log in), GET (who am I, with the CSRF token), DELETE (log out). */
export function sessionRoutes(guard: Guard, store: AuthStore, throttle: LoginThrottle, log?: Logger): Router {
  const r = Router();
  void dummyHash(); // computed now, so the first unknown name costs no more than later ones
  r.post(
    "/api/v1/session",
    handler(async (req, res) => {
      const b = body(Login, req);
      const now = guard.clock();
      const addr = req.ip ?? "";
      const keys = [`user:${b.user}`, `addr:${addr}`];
      const wait = throttle.retryAfter(keys, now);
      if (wait > 0) {
        res.setHeader("retry-after", String(wait));
        sendJson(
          res,
          { error: "too_many_requests", message: `too many failed logins: retry in ${wait} s` },
          429,
        );
        return;
      }
      const user = await store.user(b.user);
      // An unknown name costs a KDF run as well, so timing does not tell which names exist.
      const ok = await verifyPassword(b.password, user?.passwordHash ?? (await dummyHash()));
      if (!user || !ok || user.disabled) {
        throttle.fail(keys, now);
        log?.warn({ user: b.user, addr }, "failed login");
        sendJson(
          res,
          { error: "unauthorized", message: "wrong user name or password, or user disabled" },
          401,
        );
        return;
      }
      throttle.clear(keys[0] as string);
      const { cookie, session } = await guard.sessions.create(user.name, addr, now);
      await store.updateUser(user.name, { lastLoginAt: now });
      res.locals.actor = { name: user.name, role: user.role, via: "session" };
      await guard.audit(req, res, "session.login", `user/${user.name}`, null, {
        expires_at: session.expiresAt,
      });
      res.setHeader("set-cookie", guard.sessions.setCookie(cookie));
      sendJson(
        res,
        { user: user.name, role: user.role, csrf: session.csrf, expires_at: session.expiresAt },
        201,
      );
    }),
  );
  r.get(
    "/api/v1/session",
    handler(async (req, res) => {
      const id = await guard.identify(req, res);
      if (!id || "error" in id) {
        sendJson(res, { error: "unauthorized", message: id?.error ?? "not logged in" }, 401);
        return;
      }
      sendJson(res, {
        user: id.actor.name,
        role: id.actor.role,
        via: id.actor.via,
        csrf: id.session?.csrf ?? null,
        expires_at: id.session?.expiresAt ?? null,
      });
    }),
  );
  r.delete(
    "/api/v1/session",
    guard.require("viewer"),
    handler(async (req, res) => {
      const cookie = sessionCookie(req.headers.cookie);
      if (res.locals.actor.via !== "session" || cookie === undefined) {
        sendJson(res, { error: "bad_request", message: "not a login session (a token cannot log out)" }, 400);
        return;
      }
      await guard.sessions.end(cookie);
      await guard.audit(req, res, "session.logout", `user/${res.locals.actor.name}`, null, null);
      res.setHeader("set-cookie", guard.sessions.clearCookie());
      res.status(204).end();
    }),
  );
  return r;
}
