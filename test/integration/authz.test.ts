// The authorization matrix: every write route of the running server's express app × every kind of
// credential → the expected status. Routes are enumerated from the app's router stack, so a new write
// endpoint that is not in REQUIRED below fails the test. Requests carry bodies/ids that the route
// rejects (400/404) after authorization, so the matrix changes no data.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import type { Role } from "../../config/schema.js";
import { createLogger } from "../../lib/log.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { CLI } from "../peers/opswatch.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-authz-"));
let srv: RunningServer;
const ROOT = "boss-config-token"; // server.api_tokens "boss", role admin

/** Least role each write route needs; "open" = no credential needed (login). */
const REQUIRED: Record<string, Role | "open"> = {
  "POST /api/v1/session": "open",
  "DELETE /api/v1/session": "viewer",
  "POST /api/v1/users": "admin",
  "PATCH /api/v1/users/:name": "admin",
  "POST /api/v1/tokens": "admin",
  "DELETE /api/v1/tokens/:id": "admin",
  "POST /api/v1/faults": "operator",
  "POST /api/v1/faults/:id/:action": "operator",
  "POST /api/v1/maintenance": "operator",
  "POST /api/v1/maintenance/:id/cancel": "operator",
  "POST /api/v1/import": "operator",
  "POST /api/v1/inspections/:runId/items/:target/:item/sign-off": "operator",
};

function writeRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: unknown[]) => {
    for (const l of stack as {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: unknown[] };
    }[]) {
      if (l.route) {
        for (const m of Object.keys(l.route.methods))
          if (!["get", "head", "options"].includes(m)) out.push(`${m.toUpperCase()} ${l.route.path}`);
      } else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return out;
}

/** A concrete request per route that fails validation after authorization (no data changes). */
const probe = (route: string): { path: string; body?: string; type?: string } => {
  const path = route
    .split(" ")[1]
    ?.replace(":name", "nobody-here")
    .replace(":id/:action", "999999/ack")
    .replace(":id", "999999")
    .replace(":runId/items/:target/:item", "999999/items/web/x") as string;
  if (route === "POST /api/v1/import") return { path, body: "", type: "application/x-ndjson" };
  return { path, body: "{}", type: "application/json" };
};

const api = (path: string, init: RequestInit = {}) => fetch(`${srv.url}${path}`, init);
const bearer = (t: string) => ({ authorization: `Bearer ${t}`, "content-type": "application/json" });
const admin = bearer(ROOT);

async function login(
  user: string,
  password: string,
): Promise<{ cookie: string; csrf: string; res: Response }> {
  const res = await api("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  const set = res.headers.get("set-cookie") ?? "";
  const body = (await res.clone().json()) as { csrf?: string };
  return { cookie: set.split(";")[0] as string, csrf: body.csrf ?? "", res };
}

/** A server on a fresh or existing database in dir, with the config token "boss" (admin). */
async function start(db: string): Promise<RunningServer> {
  const cfg = parseConfig(
    `server:
  listen: 127.0.0.1:0
  database: ${join(dir, db)}
  api_tokens: [{ name: boss, token: ${ROOT}, role: admin }]
  limits: { login_attempts: 3, rate_per_address: 0, rate_per_token: 0 } # rate limits: limits.test.ts
targets:
  - id: web
    name: 业务系统
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 15s }]`,
    "inline.yaml",
  );
  return startServer(cfg as typeof cfg & { server: NonNullable<typeof cfg.server> }, createLogger("silent"));
}

const creds: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  srv = await start("s.db");
  const post = async (path: string, body: unknown, headers = admin) =>
    (await api(path, { method: "POST", headers, body: JSON.stringify(body) })).json() as Promise<
      Record<string, string>
    >;
  for (const role of ["viewer", "operator", "admin"] as const)
    creds[role] = bearer((await post("/api/v1/tokens", { name: `t-${role}`, role })).secret as string);
  const expired = await post("/api/v1/tokens", { name: "t-expired", role: "admin", expires: "1ms" });
  creds.expired = { authorization: `Bearer ${expired.secret}` };
  const revoked = await post("/api/v1/tokens", { name: "t-revoked", role: "admin" });
  await api(`/api/v1/tokens/${revoked.id}`, { method: "DELETE", headers: admin });
  creds.revoked = { authorization: `Bearer ${revoked.secret}` };
  await post("/api/v1/users", { name: "ada", role: "admin", password: "ada-password-1" });
  await post("/api/v1/users", { name: "gone", role: "admin", password: "gone-password-1" });
  const gone = await login("gone", "gone-password-1");
  await api("/api/v1/users/gone", {
    method: "PATCH",
    headers: admin,
    body: JSON.stringify({ disabled: true }),
  });
  creds.disabled = { cookie: gone.cookie };
  const ada = await login("ada", "ada-password-1");
  creds.noCsrf = { cookie: ada.cookie };
  creds.csrf = { cookie: ada.cookie, "x-csrf-token": ada.csrf };
  creds.none = {};
});
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rank = { viewer: 0, operator: 1, admin: 2 } as const;

describe("authorization matrix", () => {
  it("every write route of the app is in the matrix, and every matrix row is a route", () => {
    expect(writeRoutes(srv.app).sort()).toEqual(Object.keys(REQUIRED).sort());
  });

  it("every write route × every credential gives the expected status and reason", async () => {
    const rows: string[] = [];
    // Logout (DELETE /api/v1/session) with the CSRF session ends that session: it goes last.
    const routes = writeRoutes(srv.app).sort(
      (a, b) => Number(a === "DELETE /api/v1/session") - Number(b === "DELETE /api/v1/session"),
    );
    for (const route of routes) {
      const need = REQUIRED[route] as Role | "open";
      const { path, body, type } = probe(route);
      for (const [cred, headers] of Object.entries(creds)) {
        const method = route.split(" ")[0] as string;
        const r = await api(path, {
          method,
          headers: { ...headers, ...(type ? { "content-type": type } : {}) },
          ...(body === undefined ? {} : { body }),
        });
        const msg =
          r.status === 401 || r.status === 403 ? ((await r.json()) as { message: string }).message : "";
        if (r.status !== 401 && r.status !== 403) await r.arrayBuffer();
        let want: number | "pass";
        let reason: RegExp | undefined;
        if (need === "open") want = "pass";
        else if (cred === "none") want = 401;
        else if (cred === "expired") [want, reason] = [401, /token expired/];
        else if (cred === "revoked") [want, reason] = [401, /token revoked/];
        else if (cred === "disabled") [want, reason] = [401, /user disabled|session expired/];
        else if (cred === "noCsrf") [want, reason] = [403, /CSRF token missing or wrong/];
        else if (cred === "csrf")
          want = "pass"; // ada is an admin
        else want = rank[cred as Role] >= rank[need] ? "pass" : 403;
        const ok = want === "pass" ? r.status !== 401 && r.status !== 403 : r.status === want;
        if (!ok || (reason && !reason.test(msg)))
          rows.push(`${route} as ${cred}: got ${r.status} ${msg}, want ${want}`);
      }
    }
    expect(rows).toEqual([]);
  });

  it("GET API routes need a viewer (anonymous_read is off); health and metrics stay open", async () => {
    const none = await api("/api/v1/targets");
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toMatch(/viewer token or a login/);
    expect((await api("/api/v1/targets", { headers: creds.viewer })).status).toBe(200);
    expect((await api("/api/v1/faults", { headers: creds.expired })).status).toBe(401);
    for (const open of ["/healthz", "/readyz", "/metrics"]) expect((await api(open)).status).toBe(200);
    // Admin-only reads stay admin-only for viewers.
    expect((await api("/api/v1/audit", { headers: creds.viewer })).status).toBe(403);
    expect((await api("/api/v1/users", { headers: creds.operator })).status).toBe(403);
  });
});

describe("sessions and login", () => {
  it("sets the cookie HttpOnly, SameSite=Strict, Path=/ (no Secure over plain http); GET /session answers who", async () => {
    const { res, cookie, csrf } = await login("ada", "ada-password-1");
    expect(res.status).toBe(201);
    expect(res.headers.get("set-cookie")).toMatch(
      /^opswatch_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Strict$/,
    );
    const me = (await (await api("/api/v1/session", { headers: { cookie } })).json()) as Record<
      string,
      unknown
    >;
    expect(me).toMatchObject({ user: "ada", role: "admin", via: "session", csrf });
    // Logout needs the CSRF token too; afterwards the cookie opens nothing.
    expect((await api("/api/v1/session", { method: "DELETE", headers: { cookie } })).status).toBe(403);
    const out = await api("/api/v1/session", { method: "DELETE", headers: { cookie, "x-csrf-token": csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^opswatch_session=; Path=\/; Max-Age=0;/);
    expect((await api("/api/v1/faults", { headers: { cookie } })).status).toBe(401);
  });
});

describe("audit log", () => {
  it("records writes with actor, role, via, address and before/after; never a hash or secret", async () => {
    const f = (await (
      await api("/api/v1/faults", {
        method: "POST",
        headers: creds.operator,
        body: JSON.stringify({ target: "web", title: "机房漏水", severity: "P2" }),
      })
    ).json()) as { id: string };
    await api(`/api/v1/faults/${f.id}/ack`, {
      method: "POST",
      headers: creds.operator,
      body: JSON.stringify({ note: "on it" }),
    });
    const page = (await (await api("/api/v1/audit?limit=100", { headers: admin })).json()) as {
      entries: {
        actor: string;
        role: string;
        via: string;
        addr: string;
        action: string;
        object: string;
        before: unknown;
        after: unknown;
      }[];
    };
    const ack = page.entries.find((e) => e.action === "fault.acknowledge");
    expect(ack).toMatchObject({
      actor: "t-operator",
      role: "operator",
      via: "token",
      object: `fault/${f.id}`,
    });
    expect(ack?.addr).toMatch(/127\.0\.0\.1/);
    // before: open, not acknowledged; after: acknowledged by the token's name.
    expect(ack?.before).toMatchObject({ status: "open", acknowledged: null });
    expect(ack?.after).toMatchObject({ acknowledged: { actor: "t-operator", note: "on it" } });
    expect(page.entries.find((e) => e.action === "fault.create")).toMatchObject({
      before: null,
      object: `fault/${f.id}`,
    });
    const add = page.entries.find((e) => e.action === "user.add" && e.object === "user/ada");
    expect(add).toMatchObject({ actor: "boss", role: "admin", via: "config", before: null });
    expect(page.entries.find((e) => e.action === "user.disable")).toMatchObject({
      object: "user/gone",
      before: { disabled: false },
      after: { disabled: true },
    });
    expect(page.entries.filter((e) => e.action === "token.revoke")).toHaveLength(1);
    expect(page.entries.find((e) => e.action === "session.login")).toMatchObject({ via: "session" });
    expect(page.entries.find((e) => e.action === "session.logout")).toMatchObject({ actor: "ada" });
    const text = JSON.stringify(page);
    expect(text).not.toMatch(/scrypt\$|owt_|password-1/);
  });

  it("pages with a cursor, filters by actor/action, caps the page size; there is no way to change it", async () => {
    const first = (await (await api("/api/v1/audit?limit=2", { headers: admin })).json()) as {
      entries: { id: string }[];
      next_cursor: string;
    };
    expect(first.entries).toHaveLength(2);
    const second = (await (
      await api(`/api/v1/audit?limit=2&cursor=${first.next_cursor}`, { headers: admin })
    ).json()) as { entries: { id: string }[] };
    expect(Number(second.entries[0]?.id)).toBeLessThan(Number(first.entries[1]?.id));
    const byRoot = (await (
      await api("/api/v1/audit?actor=boss&action=user.add", { headers: admin })
    ).json()) as {
      entries: { actor: string; action: string }[];
    };
    // boss (the config token) added ada and gone: 2 entries.
    expect(byRoot.entries.map((e) => e.actor + e.action)).toEqual(Array(2).fill("bossuser.add"));
    expect((await api("/api/v1/audit?limit=1001", { headers: admin })).status).toBe(400); // page_max 1000
    for (const method of ["POST", "PUT", "PATCH", "DELETE"])
      expect((await api("/api/v1/audit", { method, headers: admin, body: "{}" })).status).toBe(404);
  });
});

describe("the report's method section", () => {
  it("counts this period's audit entries per action, as the audit log lists them", async () => {
    const all = (await (await api("/api/v1/audit?limit=1000", { headers: admin })).json()) as {
      entries: { action: string; at: number }[];
    };
    const want: Record<string, number> = {};
    for (const e of all.entries) want[e.action] = (want[e.action] ?? 0) + 1;
    // The period starts before the first entry; the report measures up to its generation time.
    const from = Math.min(...all.entries.map((e) => e.at)) - 1000;
    const r = await api(`/api/v1/reports?from=${from}&to=${Date.now() + 3_600_000}&format=json`, {
      headers: creds.viewer,
    });
    const model = (await r.json()) as { parameters: { audit: Record<string, number> } };
    expect(model.parameters.audit).toEqual(want);
    // e.g. tokens: viewer, operator, admin, expired, revoked = 5 created through the API.
    expect(want["token.create"]).toBe(5);
    const md = await (
      await api(`/api/v1/reports?from=${from}&to=${Date.now() + 3_600_000}&format=md&lang=en`, {
        headers: creds.viewer,
      })
    ).text();
    expect(md).toContain(`| \`audit.token.create\` | 5 |`);
    expect(md).toContain(`| \`audit.total\` | ${all.entries.length} |`);
  });
});

describe("opswatch user / token (the built CLI, on the running server's database)", () => {
  const conf = join(dir, "cli.yaml");
  const cli = (args: string[], input = "") => {
    const r = spawnSync(process.execPath, [CLI, ...args, "-c", conf], { input, encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const me = userInfo().username;

  it("adds a user who can log in, creates and revokes a token the server honours, disables the user", async () => {
    writeFileSync(conf, `server:\n  listen: 127.0.0.1:0\n  database: ${join(dir, "s.db")}\ntargets: []\n`);
    expect(cli(["user", "add", "cleo", "--role", "operator"], "cleo-password-1\n")).toMatchObject({
      code: 0,
    });
    expect(cli(["user", "add", "cleo", "--role", "operator"], "cleo-password-1\n")).toMatchObject({
      code: 1,
      err: 'error: user "cleo" exists\n',
    });
    expect(cli(["user", "add", "dan", "--role", "viewer"], "short\n")).toMatchObject({ code: 1 });
    expect(cli(["user", "list"]).out).toMatch(/cleo\s+operator\s+active/);
    const cleo = await login("cleo", "cleo-password-1");
    expect(cleo.res.status).toBe(201);

    const created = cli(["token", "create", "--name", "nightly", "--role", "viewer", "--expires", "90d"]);
    expect(created.code).toBe(0);
    const secret = created.out.trim();
    expect(secret).toMatch(/^owt_[A-Za-z0-9_-]{43}$/);
    expect((await api("/api/v1/targets", { headers: bearer(secret) })).status).toBe(200);
    const id = /token (\d+) /.exec(created.err)?.[1] as string;
    expect(cli(["token", "list"]).out).not.toContain(secret);
    expect(cli(["token", "revoke", id])).toMatchObject({ code: 0 });
    const refused = await api("/api/v1/targets", { headers: bearer(secret) });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toBe("token revoked");

    expect(cli(["user", "disable", "cleo"])).toMatchObject({ code: 0 });
    expect((await api("/api/v1/faults", { headers: { cookie: cleo.cookie } })).status).toBe(401);
    expect((await login("cleo", "cleo-password-1")).res.status).toBe(401);

    // Enabled again with a new password (from a file): the old one no longer opens a session.
    expect(cli(["user", "enable", "cleo"])).toMatchObject({ code: 0 });
    writeFileSync(join(dir, "pw"), "cleo-password-2\n");
    expect(cli(["user", "passwd", "cleo", "--password-file", join(dir, "pw")])).toMatchObject({ code: 0 });
    expect((await login("cleo", "cleo-password-1")).res.status).toBe(401);
    expect((await login("cleo", "cleo-password-2")).res.status).toBe(201);

    const audit = (await (await api(`/api/v1/audit?actor=${me}`, { headers: admin })).json()) as {
      entries: { action: string; via: string; role: string; object: string }[];
    };
    expect(audit.entries.map((e) => `${e.action} ${e.object} ${e.via}`)).toEqual([
      "user.password user/cleo cli",
      "user.enable user/cleo cli",
      "user.disable user/cleo cli",
      `token.revoke token/${id} cli`,
      `token.create token/${id} cli`,
      "user.add user/cleo cli",
    ]);
  });

  it("has --help on each command", () => {
    for (const c of [
      ["user"],
      ["user", "add"],
      ["user", "passwd"],
      ["token"],
      ["token", "create"],
      ["token", "revoke"],
    ]) {
      const r = spawnSync(process.execPath, [CLI, ...c, "--help"], { encoding: "utf8" });
      expect(r.status, c.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/^Usage: opswatch /);
    }
  });
});

// Last: the address has used its failed logins afterwards, so no later test could log in from it.
describe("login throttle", () => {
  // A fresh server: the address here already has a refused login (cleo's, after user disable).
  beforeAll(async () => {
    await srv.close();
    srv = await start("throttle.db");
  });
  it("throttles failed logins per user name (login_attempts: 3 within 15 min) with Retry-After", async () => {
    await api("/api/v1/users", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "bea", role: "viewer", password: "bea-password-1" }),
    });
    for (let i = 0; i < 3; i++) expect((await login("bea", "wrong password")).res.status).toBe(401);
    // The 4th attempt is refused before the password is even checked, the right one included.
    const r = (await login("bea", "bea-password-1")).res;
    expect(r.status).toBe(429);
    const wait = Number(r.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(14 * 60);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    // …and per address: the same address has used its 3 failures, so another user is refused as well.
    expect((await login("ada", "ada-password-1")).res.status).toBe(429);
  });
});
