import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Guard } from "../../server/auth/guard.js";
import { hashPassword } from "../../server/auth/password.js";
import { SqliteStore } from "../../server/store/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "ow-guard-"));
const store = new SqliteStore(join(dir, "db.sqlite"));
const HOUR = 3_600_000;
const servers: Server[] = [];

/** An app with the guard as the server mounts it: read() on /api, require() on the write route. */
async function serve(anonymousRead: boolean): Promise<{ url: string; guard: Guard }> {
  const guard = new Guard({
    auth: store.auth,
    audit: store.audit,
    server: {
      api_tokens: [{ name: "ops", token: "ops-token", role: "operator" }],
      anonymous_read: anonymousRead,
      sessions: { idle: HOUR, absolute: 2 * HOUR },
      public_url: "https://opswatch.example.gov.cn",
    },
  });
  const app = express();
  app.use(express.json());
  app.use("/api", guard.read());
  app.get("/api/v1/things", (_req, res) => void res.json({ actor: res.locals.actor ?? null }));
  app.post(
    "/api/v1/things",
    guard.require("operator"),
    (_req, res) => void res.json({ actor: res.locals.actor }),
  );
  const s = app.listen(0, "127.0.0.1");
  await new Promise((r) => s.once("listening", r));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, guard };
}

beforeAll(async () => {
  await store.auth.addUser({
    name: "vic",
    role: "viewer",
    passwordHash: await hashPassword("vic-password-1"),
    disabled: false,
    createdAt: 0,
    createdBy: "test",
  });
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("guard", () => {
  it("read(): anonymous reads only with anonymous_read; presented bad credentials are refused either way", async () => {
    const closed = await serve(false);
    const open = await serve(true);
    expect((await fetch(`${closed.url}/api/v1/things`)).status).toBe(401);
    expect(await (await fetch(`${open.url}/api/v1/things`)).json()).toEqual({ actor: null });
    for (const { url } of [closed, open]) {
      const bad = await fetch(`${url}/api/v1/things`, { headers: { authorization: "Bearer nope" } });
      expect([bad.status, await bad.json()]).toEqual([
        401,
        { error: "unauthorized", message: "unknown token" },
      ]);
      const basic = await fetch(`${url}/api/v1/things`, { headers: { authorization: "Basic eDp5" } });
      expect(((await basic.json()) as { message: string }).message).toBe(
        "Authorization header must be: Bearer <token>",
      );
    }
    // A stale cookie on a read is no reason to refuse what anyone may read…
    expect(
      (await fetch(`${open.url}/api/v1/things`, { headers: { cookie: "opswatch_session=stale" } })).status,
    ).toBe(200);
    // …but without anonymous_read it says why.
    const stale = await fetch(`${closed.url}/api/v1/things`, {
      headers: { cookie: "opswatch_session=stale" },
    });
    expect(((await stale.json()) as { message: string }).message).toMatch(/session expired or logged out/);
  });

  it("require(): config token via config; a viewer session is 403 with the role it has; Secure cookie behind https public_url", async () => {
    const { url, guard } = await serve(false);
    const ok = await fetch(`${url}/api/v1/things`, {
      method: "POST",
      headers: { authorization: "Bearer ops-token" },
    });
    expect(await ok.json()).toEqual({ actor: { name: "ops", role: "operator", via: "config" } });
    const { cookie, session } = await guard.sessions.create("vic", "127.0.0.1", Date.now());
    expect(guard.sessions.setCookie(cookie)).toMatch(/; Secure$/);
    const headers = { cookie: `opswatch_session=${cookie}`, "x-csrf-token": session.csrf };
    const weak = await fetch(`${url}/api/v1/things`, { method: "POST", headers });
    expect([weak.status, await weak.json()]).toEqual([
      403,
      { error: "forbidden", message: 'needs role operator, user "vic" has viewer' },
    ]);
    // The role is read from the user at each request: promoting vic takes effect at once.
    await store.auth.updateUser("vic", { role: "operator" });
    expect((await fetch(`${url}/api/v1/things`, { method: "POST", headers })).status).toBe(200);
    // A wrong CSRF token of the right length is still wrong.
    const wrong = { ...headers, "x-csrf-token": session.csrf.replace(/^./, (c) => (c === "A" ? "B" : "A")) };
    expect((await fetch(`${url}/api/v1/things`, { method: "POST", headers: wrong })).status).toBe(403);
    // Disabling the user ends the session at its next request.
    await store.auth.updateUser("vic", { disabled: true });
    const gone = await fetch(`${url}/api/v1/things`, { headers });
    expect([gone.status, ((await gone.json()) as { message: string }).message]).toEqual([
      401,
      "user disabled",
    ]);
    expect(await store.auth.session(session.idHash)).toBeUndefined();
  });
});
