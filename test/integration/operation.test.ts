// Multi-step operations against a local login app (test/peers/login-app.ts): a CSRF token captured
// from the login page, a form login setting a session cookie, a JSON API behind it; timings, failures
// named by step, secrets kept out of errors and values; and the results feeding response_time.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OperationProber } from "../../agent/probers/operation.js";
import { Scheduler } from "../../agent/scheduler.js";
import type { Unsequenced } from "../../agent/spool.js";
import { parseConfig } from "../../config/load.js";
import { type Check, type OperationCheck, type OperationStep, Target } from "../../config/schema.js";
import { createLogger } from "../../lib/log.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { connectAgent } from "../peers/agent-client.js";
import { type LoginApp, startLoginApp } from "../peers/login-app.js";

// Characters that must be encoded in a form body: a raw '&' or '+' would corrupt the login.
const PASSWORD = "s3cret&+pw=1";
process.env.OPSWATCH_TEST_OP_PASSWORD = PASSWORD;

let app: LoginApp;
beforeAll(async () => {
  app = await startLoginApp({ admin: PASSWORD });
});
afterAll(() => app?.close());

/** The login flow: page (capture the CSRF token) → login (302 + session cookie) → API (JSON). */
function loginFlow(
  extra: Record<string, unknown> = {},
  steps: Record<string, unknown>[] = [],
): OperationCheck {
  const target = Target.parse({
    id: "biz",
    name: "业务系统",
    checks: [
      {
        id: "login",
        kind: "operation",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config secret from the environment
        secrets: { password: "${OPSWATCH_TEST_OP_PASSWORD}" },
        steps: [
          {
            id: "page",
            url: `${app.url}/login`,
            capture: { csrf: { regex: 'name="csrf" value="([^"]+)"' } },
          },
          {
            id: "login",
            url: `${app.url}/login`,
            method: "POST",
            body: "username=admin&password={{password}}&csrf={{csrf}}",
            max_redirects: 0,
            assertions: [{ type: "status", in: [302] }],
          },
          {
            id: "me",
            url: `${app.url}/api/me`,
            assertions: [
              { type: "json_path", path: "$.code", op: "eq", value: 0 },
              { type: "json_path", path: "$.data.ok", op: "eq", value: true },
            ],
          },
          ...steps,
        ],
        ...extra,
      },
    ],
  });
  return target.checks[0] as OperationCheck;
}

const probe = (check: OperationCheck) =>
  new OperationProber().probe(check, AbortSignal.timeout(check.timeout));

/** One run through the agent's scheduler, which measures duration_ms and enforces the timeout. */
async function scheduled(check: OperationCheck): Promise<Unsequenced> {
  const target = Target.parse({
    id: "biz",
    name: "业务系统",
    checks: [{ id: "x", kind: "tcp", address: "h:1" }],
  });
  const prober = new OperationProber();
  let got: (r: Unsequenced) => void = () => {};
  const first = new Promise<Unsequenced>((r) => {
    got = r;
  });
  const s = new Scheduler({
    agent: "a1",
    jobs: [{ target, check: { ...check, interval: 200 } as Check }],
    probe: (c, signal) => prober.probe(c as OperationCheck, signal),
    concurrency: 1,
    timezone: "Asia/Shanghai",
    logger: createLogger("silent"),
    onResult: (r) => got(r),
  });
  s.start();
  const r = await first;
  await s.stop();
  return r;
}

describe("operation against the login app", () => {
  it("logs in with the captured CSRF token and the session cookie; the total is the operation's time", async () => {
    Object.assign(app.delays, { login_page: 100, login: 150, api: 200 });
    try {
      const r = await scheduled(loginFlow());
      expect(r.error).toBeUndefined();
      expect(r.ok).toBe(true);
      const v = r.values;
      expect(v).toMatchObject({
        "op.steps": 3,
        "op.page.status": 200,
        "op.login.status": 302,
        "op.me.status": 200,
      });
      expect(v["op.failed_step"]).toBeUndefined();
      // Each step takes at least the app's delay; the total at least their sum: 100 + 150 + 200 = 450 ms.
      expect(v["op.page.ms"]).toBeGreaterThanOrEqual(100);
      expect(v["op.login.ms"]).toBeGreaterThanOrEqual(150);
      expect(v["op.me.ms"]).toBeGreaterThanOrEqual(200);
      const total = v["op.total_ms"] as number;
      const steps = (v["op.page.ms"] as number) + (v["op.login.ms"] as number) + (v["op.me.ms"] as number);
      expect(total).toBeGreaterThanOrEqual(450);
      expect(total).toBeGreaterThanOrEqual(steps);
      expect(total - steps).toBeLessThan(100);
      // duration_ms (what response_time uses) is the scheduler's wall time around the same run.
      expect(r.duration_ms).toBeGreaterThanOrEqual(total);
      expect(r.duration_ms - total).toBeLessThan(100);
      // Phases summed over the steps: the processing phase holds the app's delays.
      expect(v["http.phase.processing_ms"]).toBeGreaterThanOrEqual(450);
      expect(JSON.stringify(r)).not.toContain(PASSWORD);
    } finally {
      Object.assign(app.delays, { login_page: 0, login: 0, api: 0 });
    }
  });

  it("sent the token form-encoded and the cookies of earlier steps", async () => {
    app.requests.length = 0;
    expect((await probe(loginFlow())).ok).toBe(true);
    const [page, login, me] = app.requests;
    expect(page?.cookie).toBe("");
    const form = new URLSearchParams(login?.body);
    expect(form.get("password")).toBe(PASSWORD);
    expect(form.get("csrf")).toMatch(/\+\/=$/); // the token's '+/=' survived the form encoding
    expect(login?.cookie).toMatch(/^pre=[0-9a-f]{32}$/);
    expect(me?.cookie).toMatch(/(^|; )sid=[0-9a-f]{32}(;|$)/);
  });

  it("a wrong password fails at the login step, keeping the earlier step's timing", async () => {
    const check = loginFlow({ secrets: { password: "wrong-password" } });
    const out = await probe(check);
    expect(out.ok).toBe(false);
    expect(out.error).toBe("step 2 (login): assertion 1 (status in [302]): got 401");
    expect(out.values).toMatchObject({ "op.steps": 2, "op.failed_step": "login", "op.page.status": 200 });
    expect(out.values["op.login.status"]).toBe(401);
    expect(out.values["op.me.ms"]).toBeUndefined();
    expect(out.values["op.total_ms"]).toBeGreaterThanOrEqual(
      (out.values["op.page.ms"] as number) + (out.values["op.login.ms"] as number),
    );
  });

  it("a capture that finds nothing says which and where", async () => {
    const check = loginFlow();
    (check.steps[0] as OperationStep).capture = { csrf: { regex: 'name="token" value="([^"]+)"' } };
    const out = await probe(check);
    expect(out).toMatchObject({
      ok: false,
      error: 'step 1 (page): capture csrf (regex name="token" value="([^"]+)"): no match in the body',
      values: { "op.steps": 1, "op.failed_step": "page", "op.page.status": 200 },
    });
  });

  it("never shows a secret, even when a failing assertion quotes it", async () => {
    // The search API echoes its query: the failed json_path assertion quotes the value it saw.
    const check = loginFlow({}, [
      {
        id: "search",
        url: `${app.url}/api/echo?q={{password}}`,
        assertions: [{ type: "json_path", path: "$.q", op: "eq", value: "nothing" }],
      },
    ]);
    const out = await probe(check);
    expect(out.error).toBe('step 4 (search): assertion 1 (json_path $.q eq "nothing"): got "***"');
    expect(app.requests.at(-1)?.path).toBe("/api/echo"); // the secret did reach the app, encoded
    expect(JSON.stringify(out)).not.toContain(PASSWORD);
    expect(JSON.stringify(out)).not.toContain(encodeURIComponent(PASSWORD));
  });

  it("a slow step beyond the operation's timeout fails with a timeout naming the step", async () => {
    app.delays.api = 5000;
    try {
      const r = await scheduled(loginFlow({ timeout: "600ms" }));
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(
        /^step 3 \(me\): timeout after \d+ ms waiting for the response \(the operation's timeout is 600 ms\)$/,
      );
      expect(r.values).toMatchObject({ "op.steps": 3, "op.failed_step": "me" });
      expect(r.values["op.page.status"]).toBe(200);
      expect(r.values["op.login.status"]).toBe(302);
      // Bounded by the timeout (600 ms), not the app's 5 s; the prober answered within the scheduler's grace.
      expect(r.duration_ms).toBeGreaterThanOrEqual(600);
      expect(r.duration_ms).toBeLessThan(1000);
    } finally {
      app.delays.api = 0;
    }
  });
});

describe("operation results on the server", () => {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-op-"));
  let srv: RunningServer;
  beforeAll(async () => {
    const cfg = parseConfig(
      `server:
  listen: 127.0.0.1:0
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${join(dir, "s.db")}
  agents: [{ id: a1, token: agent-token }]
targets:
  - id: biz
    name: 业务系统
    indicators: [{ id: response_time }]
    checks:
      - id: login
        kind: operation
        steps: [{ id: home, url: "http://127.0.0.1:1/" }]
  - id: live
    name: 业务系统 (live)
    indicators: [{ id: response_time }]
    checks:
      - id: login
        kind: operation
        steps: [{ id: home, url: "http://127.0.0.1:1/" }]`,
      "inline.yaml",
    );
    srv = await startServer(
      cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
      createLogger("silent"),
    );
  });
  afterAll(() => srv?.close());

  interface RtFigures {
    n: number;
    p50: number | string | null;
    p95: number | string | null;
    max: number | string | null;
    met: boolean | null;
  }
  async function responseTime(from: number, to: number): Promise<Map<string, RtFigures>> {
    const body = (await (await fetch(`${srv.url}/api/v1/indicators?from=${from}&to=${to}`)).json()) as {
      indicators: { id: string; targets: { target: string; responseTime: RtFigures }[] }[];
    };
    const rt = body.indicators.find((i) => i.id === "response_time");
    return new Map(rt?.targets.map((t) => [t.target, t.responseTime]));
  }

  it("counts operations' durations toward response_time, a failed one as +Inf", async () => {
    const a = await connectAgent(srv.port);
    const t0 = Date.now() - 30 * 60_000;
    // 19 successes of 100, 200, …, 1900 ms and one failure (fast, but failed: +Inf).
    const results = Array.from({ length: 20 }, (_, i) => ({
      target: "biz",
      check: "login",
      kind: "operation" as const,
      ts: t0 + i * 60_000,
      ok: i < 19,
      duration_ms: i < 19 ? (i + 1) * 100 : 50,
      values: { "op.steps": 1, "op.total_ms": 1 },
    }));
    expect(await a.send(results)).toMatchObject({ type: "ack", committed: 20, rejected: [] });
    a.close();
    const rt = (await responseTime(t0, Date.now())).get("biz");
    // Nearest rank over n = 20 sorted [100 … 1900, +Inf]: p50 = the ⌈0.5·20⌉ = 10th = 1000 ms,
    // p95 = the ⌈0.95·20⌉ = 19th = 1900 ms (≤ 3000: met), max = +Inf.
    expect(rt).toEqual(expect.objectContaining({ n: 20, p50: 1000, p95: 1900, max: "+Inf", met: true }));
  });

  it("accepts a real operation result with its values; its duration_ms is the figure", async () => {
    const r = await scheduled(loginFlow());
    expect(r.ok).toBe(true);
    const a = await connectAgent(srv.port);
    const sent = { ...r, target: "live", check: "login", kind: "operation" as const };
    expect(await a.send([sent])).toMatchObject({ type: "ack", committed: 1, rejected: [] });
    a.close();
    const rt = (await responseTime(r.ts - 1000, Date.now())).get("live");
    expect(rt).toEqual(expect.objectContaining({ n: 1, p95: r.duration_ms, met: true }));
  });
});
