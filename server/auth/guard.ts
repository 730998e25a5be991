import { timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { Role, ServerConfig } from "../../config/schema.js";
import type { AuditStore, AuthStore, SessionRecord } from "../store/store.js";
import { type Actor, atLeast } from "./actor.js";
import { Sessions, sessionCookie } from "./sessions.js";
import { type ConfigToken, Tokens } from "./tokens.js";

/** Who is asking: an actor, a refusal with its reason, or nobody (no credentials sent). */
export type Identity = { actor: Actor; session?: SessionRecord } | { error: string } | undefined;

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
export const LOGIN_PATH = "/api/v1/session";

export interface GuardDeps {
  auth: AuthStore;
  audit: AuditStore;
  server: Pick<ServerConfig, "api_tokens" | "anonymous_read" | "sessions" | "tls" | "public_url">;
  clock?: () => number;
}

/**
 * Authentication and authorization for the HTTP API. Bearer tokens (config or store) need no CSRF token;
 * a request made with the session cookie must echo the session's CSRF token in X-CSRF-Token unless it is
 * a GET. Disabled users' sessions end at their next request (and at once through the users API).
 */
export class Guard {
  readonly tokens: Tokens;
  readonly sessions: Sessions;
  readonly clock: () => number;
  private readonly anonymousRead: boolean;

  constructor(private readonly deps: GuardDeps) {
    const sc = deps.server;
    this.clock = deps.clock ?? Date.now;
    this.tokens = new Tokens(deps.auth, sc.api_tokens);
    this.anonymousRead = sc.anonymous_read;
    this.sessions = new Sessions(deps.auth, {
      idle: sc.sessions.idle,
      absolute: sc.sessions.absolute,
      secure: sc.tls !== undefined || (sc.public_url ?? "").startsWith("https:"),
    });
  }

  /** SIGHUP: new server.api_tokens take effect for the next request. */
  setConfigTokens(tokens: readonly ConfigToken[]): void {
    this.tokens.setConfigTokens(tokens);
  }

  /** Bearer token first; else the session cookie. Memoised per request. */
  async identify(req: Request, res: Response): Promise<Identity> {
    if ("identity" in res.locals) return res.locals.identity as Identity;
    const id = await this.lookup(req);
    res.locals.identity = id;
    if (id && "actor" in id) res.locals.actor = id.actor;
    return id;
  }

  private async lookup(req: Request): Promise<Identity> {
    const now = this.clock();
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(auth);
      if (!m) return { error: "Authorization header must be: Bearer <token>" };
      return this.tokens.check(m[1] as string, now);
    }
    const cookie = sessionCookie(req.headers.cookie);
    if (cookie === undefined) return undefined;
    const s = await this.sessions.find(cookie, now);
    if (!s) return { error: "session expired or logged out: log in again" };
    const user = await this.deps.auth.user(s.user);
    if (!user || user.disabled) {
      await this.deps.auth.deleteSessionsOf(s.user);
      return { error: "user disabled" };
    }
    return { actor: { name: user.name, role: user.role, via: "session" }, session: s };
  }

  /** 401 without a valid identity, 403 for a weaker role or a cookie write without its CSRF token. */
  require(role: Role): RequestHandler {
    return (req, res, next) => {
      this.identify(req, res)
        .then((id) => {
          if (!id) return deny(res, 401, "unauthorized", "send Authorization: Bearer <token>, or log in");
          if ("error" in id) return deny(res, 401, "unauthorized", id.error);
          if (!csrfOk(req, id)) return deny(res, 403, "forbidden", "CSRF token missing or wrong");
          if (!atLeast(id.actor.role, role))
            return deny(
              res,
              403,
              "forbidden",
              `needs role ${role}, ${id.actor.via === "session" ? "user" : "token"} "${id.actor.name}" has ${id.actor.role}`,
            );
          next();
        })
        .catch(next);
    };
  }

  /**
   * For the read API (mounted on /api): GET needs a viewer unless server.anonymous_read. Other methods
   * pass on to their route's require(role), except that a cookie write without its CSRF token stops here.
   */
  read(): RequestHandler {
    return (req, res, next) => {
      this.identify(req, res)
        .then((id) => {
          if (!SAFE.has(req.method)) {
            // Logging in with a stale or foreign cookie still present is not a cookie write.
            if (req.method === "POST" && req.originalUrl.split("?")[0] === LOGIN_PATH) return next();
            if (id && "actor" in id && !csrfOk(req, id))
              return deny(res, 403, "forbidden", "CSRF token missing or wrong");
            return next();
          }
          if (id && "actor" in id) return next();
          // A stale cookie is no reason to refuse what anyone may read.
          if (this.anonymousRead && (!id || req.headers.authorization === undefined)) return next();
          if (!id) return deny(res, 401, "unauthorized", "reading needs a viewer token or a login");
          deny(res, 401, "unauthorized", id.error);
        })
        .catch(next);
    };
  }

  /**
   * Appends an audit entry for a write that just succeeded, as the request's actor. `before`/`after`
   * are what changed; callers pass views that hold no password hash or token secret.
   */
  async audit(
    req: Request,
    res: Response,
    action: string,
    object: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    const a = res.locals.actor as Actor | undefined;
    if (!a) throw new Error(`audit ${action}: no actor (route without require())`);
    await this.deps.audit.append({
      at: this.clock(),
      actor: a.name,
      role: a.role,
      via: a.via,
      addr: req.ip ?? req.socket.remoteAddress ?? "",
      action,
      object,
      before: before ?? null,
      after: after ?? null,
    });
  }
}

/** Writes made with the cookie must carry the session's CSRF token; bearer requests need none. */
function csrfOk(req: Request, id: { actor: Actor; session?: SessionRecord }): boolean {
  if (!id.session || SAFE.has(req.method)) return true;
  const sent = Buffer.from(String(req.headers["x-csrf-token"] ?? ""));
  const want = Buffer.from(id.session.csrf);
  return sent.length === want.length && timingSafeEqual(sent, want);
}

function deny(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}
