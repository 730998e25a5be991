import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Sessions, sessionCookie } from "../../server/auth/sessions.js";
import { LoginThrottle } from "../../server/auth/throttle.js";
import { SqliteStore } from "../../server/store/sqlite.js";

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ow-sessions-"));
  store = new SqliteStore(join(dir, "db.sqlite"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe("login sessions", () => {
  it("store only the sha256 of the cookie; each has a CSRF token", async () => {
    const s = new Sessions(store.auth, { idle: 8 * HOUR, absolute: 7 * 24 * HOUR, secure: false });
    const { cookie, session } = await s.create("alice", "127.0.0.1", T0);
    expect(Buffer.from(cookie, "base64url")).toHaveLength(32);
    expect(session.idHash).toBe(createHash("sha256").update(cookie).digest("hex"));
    expect(await store.auth.session(cookie)).toBeUndefined();
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toBe(T0 + 8 * HOUR);
  });

  it("idle expiry moves with use, the absolute one does not", async () => {
    // idle 1 h, absolute 3 h: used every 50 min, the session lives until T0 + 3 h exactly.
    const s = new Sessions(store.auth, { idle: HOUR, absolute: 3 * HOUR, secure: false });
    const { cookie } = await s.create("alice", "", T0);
    for (let t = T0 + 50 * MIN; t < T0 + 3 * HOUR; t += 50 * MIN)
      expect(await s.find(cookie, t)).toBeDefined();
    // last use at T0 + 150 min pushed idle expiry to T0 + 210 min, capped at T0 + 180 min.
    expect(await s.find(cookie, T0 + 3 * HOUR)).toBeUndefined();
    // An idle hour ends another session: created T0, seen at T0 + 59 min → expires T0 + 119 min.
    const b = await s.create("bob", "", T0);
    expect(await s.find(b.cookie, T0 + 59 * MIN)).toBeDefined();
    expect(await s.find(b.cookie, T0 + 119 * MIN)).toBeUndefined();
    // An abandoned session is deleted at the next login after its expiry: carol's expires T0 + 60 min.
    const c = await s.create("carol", "", T0);
    await s.create("dave", "", T0 + 61 * MIN);
    expect(await store.auth.session(c.session.idHash)).toBeUndefined();
  });

  it("cookie flags: HttpOnly, SameSite=Strict, Path=/, Secure when asked; parsed back from a header", () => {
    const plain = new Sessions(store.auth, { idle: HOUR, absolute: 2 * HOUR, secure: false });
    expect(plain.setCookie("abc")).toBe(
      "opswatch_session=abc; Path=/; Max-Age=7200; HttpOnly; SameSite=Strict",
    );
    const tls = new Sessions(store.auth, { idle: HOUR, absolute: 2 * HOUR, secure: true });
    expect(tls.setCookie("abc")).toMatch(/; Secure$/);
    expect(tls.clearCookie()).toMatch(/^opswatch_session=; Path=\/; Max-Age=0;/);
    expect(sessionCookie("a=1; opswatch_session=xyz; b=2")).toBe("xyz");
    expect(sessionCookie("a=1")).toBeUndefined();
  });
});

describe("login throttle", () => {
  it("refuses after max failures per key within 15 min, until the oldest leaves the window", () => {
    const t = new LoginThrottle(3);
    const keys = ["user:alice", "addr:10.0.0.1"];
    t.fail(keys, T0);
    t.fail(keys, T0 + MIN);
    expect(t.retryAfter(keys, T0 + 2 * MIN)).toBe(0);
    t.fail(keys, T0 + 2 * MIN);
    // the oldest failure (T0) leaves the window at T0 + 15 min: 13 min = 780 s after T0 + 2 min.
    expect(t.retryAfter(keys, T0 + 2 * MIN)).toBe(780);
    expect(t.retryAfter(["user:bob", "addr:10.0.0.1"], T0 + 2 * MIN)).toBe(780);
    expect(t.retryAfter(["user:bob", "addr:10.0.0.2"], T0 + 2 * MIN)).toBe(0);
    expect(t.retryAfter(keys, T0 + 15 * MIN)).toBe(0);
  });
});
