import { createHash, randomBytes } from "node:crypto";
import type { AuthStore, SessionRecord } from "../store/store.js";

export const SESSION_COOKIE = "opswatch_session";
const TOUCH_EVERY_MS = 60_000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface SessionOptions {
  /** A session ends after this long without a request (ms). */
  idle: number;
  /** And this long after login in any case (ms). */
  absolute: number;
  /** Mark the cookie Secure (the server serves TLS or public_url is https). */
  secure: boolean;
}

/**
 * Console login sessions. The cookie carries 32 random bytes; the store keeps only their sha256, so a
 * copy of the database opens no session. Each session has its own CSRF token (synchronizer pattern).
 */
export class Sessions {
  constructor(
    private readonly store: AuthStore,
    readonly opts: SessionOptions,
  ) {}

  async create(user: string, addr: string, now: number): Promise<{ cookie: string; session: SessionRecord }> {
    const cookie = randomBytes(32).toString("base64url");
    const session: SessionRecord = {
      idHash: sha256(cookie),
      user,
      csrf: randomBytes(32).toString("base64url"),
      createdAt: now,
      expiresAt: this.expiry(now, now),
      lastSeenAt: now,
      addr,
    };
    await this.store.addSession(session);
    // Sessions nobody came back to are deleted here, at the next login, rather than by a timer.
    await this.store.pruneSessions(now);
    return { cookie, session };
  }

  /** The live session behind a cookie value, its idle expiry pushed on; undefined when unknown or expired. */
  async find(cookie: string, now: number): Promise<SessionRecord | undefined> {
    const s = await this.store.session(sha256(cookie));
    if (!s) return undefined;
    if (s.expiresAt <= now || s.createdAt + this.opts.absolute <= now) {
      await this.store.deleteSession(s.idHash);
      return undefined;
    }
    // Minute precision for the idle clock saves a write per request.
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) {
      const expiresAt = this.expiry(s.createdAt, now);
      await this.store.touchSession(s.idHash, now, expiresAt);
      return { ...s, lastSeenAt: now, expiresAt };
    }
    return s;
  }

  async end(cookie: string): Promise<void> {
    await this.store.deleteSession(sha256(cookie));
  }

  /** Set-Cookie value for a new session; the browser keeps it no longer than the absolute limit. */
  setCookie(cookie: string): string {
    return this.attrs(`${SESSION_COOKIE}=${cookie}`, Math.floor(this.opts.absolute / 1000));
  }

  /** Set-Cookie value that removes the cookie (logout). */
  clearCookie(): string {
    return this.attrs(`${SESSION_COOKIE}=`, 0);
  }

  private attrs(pair: string, maxAge: number): string {
    return `${pair}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${this.opts.secure ? "; Secure" : ""}`;
  }

  private expiry(createdAt: number, now: number): number {
    return Math.min(now + this.opts.idle, createdAt + this.opts.absolute);
  }
}

/** The session cookie's value from a Cookie header, if any. */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return part.slice(i + 1).trim() || undefined;
  }
  return undefined;
}
