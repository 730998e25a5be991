import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import { AGENT_WS_PATH, type Result } from "../../protocol/messages.js";
import { type RunningServer, startServer } from "../../server/server.js";

// The server in-process on a real port and a real SQLite file; agents are raw WebSocket clients.
let srv: RunningServer;
const dir = mkdtempSync(join(tmpdir(), "opswatch-ingest-"));

beforeAll(async () => {
  const cfg = parseConfig(
    `server:
  listen: 127.0.0.1:0
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${join(dir, "s.db")}
  max_frame_bytes: 65536
  agents: [{ id: a1, token: tok-1 }, { id: a2, token: tok-2 }]
targets:
  - id: web
    name: Web
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s }]`,
    "inline.yaml",
  );
  srv = await startServer(
    cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
    createLogger("silent"),
  );
});
afterAll(async () => {
  await srv?.close();
});

interface Client {
  ws: WebSocket;
  next(): Promise<Record<string, unknown>>;
  closed: Promise<number>;
}

async function connect(): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${AGENT_WS_PATH}`);
  const inbox: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  ws.on("message", (d) => {
    const m = JSON.parse(d.toString());
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
  await new Promise((r, j) => ws.once("open", r).once("error", j));
  return {
    ws,
    closed,
    next: () =>
      new Promise((r) => (inbox.length ? r(inbox.shift() as Record<string, unknown>) : waiters.push(r))),
  };
}

async function hello(agent: string, token: string): Promise<Client> {
  const c = await connect();
  c.ws.send(
    JSON.stringify({
      type: "hello",
      v: 1,
      agent,
      token,
      version: "test",
      spool_depth: 0,
      clock_ms: Date.now(),
    }),
  );
  return c;
}

function result(agent: string, seq: number, ok = true): Result {
  return {
    v: 1,
    agent,
    seq,
    target: "web",
    check: "home",
    kind: "http",
    ts: 1_700_000_000_000 + seq * 1000,
    duration_ms: 12.5,
    ok,
    values: { "http.status": ok ? 200 : 503 },
  };
}

interface Page {
  results: Result[];
  next_cursor: string | null;
  message?: string;
}
const page = async (url: string) => (await (await fetch(url)).json()) as Page;

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : Number.NaN;
}

describe("agent ingest", () => {
  it("acks after commit and stores a replayed batch only once", async () => {
    const c = await hello("a1", "tok-1");
    expect(await c.next()).toMatchObject({ type: "welcome", last_seq: 0 });
    const batch = [result("a1", 1), result("a1", 2, false), result("a1", 3)];
    c.ws.send(JSON.stringify({ type: "batch", id: 1, spool_depth: 3, results: batch }));
    expect(await c.next()).toEqual({ type: "ack", id: 1, committed: 3, duplicates: 0, rejected: [] });
    c.ws.send(JSON.stringify({ type: "batch", id: 2, spool_depth: 3, results: batch }));
    expect(await c.next()).toEqual({ type: "ack", id: 2, committed: 0, duplicates: 3, rejected: [] });
    c.ws.close();

    const stored = await page(`${srv.url}/api/v1/targets/web/results?from=0&to=${2e12}`);
    expect(stored.results.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(stored.results[1]).toEqual(batch[1]);
    // a reconnecting agent learns what is already committed
    const again = await hello("a1", "tok-1");
    expect(await again.next()).toMatchObject({ type: "welcome", last_seq: 3 });
    again.ws.close();
  });

  it("pages results with a cursor", async () => {
    const c = await hello("a2", "tok-2");
    await c.next();
    c.ws.send(
      JSON.stringify({
        type: "batch",
        id: 1,
        spool_depth: 0,
        results: [1, 2, 3, 4, 5].map((s) => result("a2", s)),
      }),
    );
    await c.next();
    c.ws.close();
    // a1's seq 1..3 and a2's seq 1..5 share timestamps ts(seq); order is (ts, agent, seq): 8 rows, pages of 3.
    const seen: string[] = [];
    let cursor = "";
    for (let n = 0; n < 5; n++) {
      const q = `from=0&to=${2e12}&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const body = await page(`${srv.url}/api/v1/targets/web/results?${q}`);
      seen.push(...body.results.map((r) => `${r.agent}:${r.seq}`));
      if (!body.next_cursor) break;
      cursor = body.next_cursor;
    }
    expect(seen).toEqual(["a1:1", "a2:1", "a1:2", "a2:2", "a1:3", "a2:3", "a2:4", "a2:5"]);
  });

  it("rejects an invalid result with its reason and commits the rest", async () => {
    const c = await hello("a2", "tok-2");
    await c.next();
    const bad = { ...result("a2", 7), ts: "yesterday" };
    const foreign = result("a1", 99);
    c.ws.send(
      JSON.stringify({ type: "batch", id: 9, spool_depth: 0, results: [result("a2", 6), bad, foreign] }),
    );
    const ack = await c.next();
    expect(ack).toMatchObject({ type: "ack", id: 9, committed: 1, duplicates: 0 });
    expect(ack.rejected).toEqual([
      { seq: 7, reason: expect.stringMatching(/^ts: /) },
      { seq: 99, reason: 'result of agent "a1" sent by "a2"' },
    ]);
    c.ws.close();
  });

  it("refuses garbage, unauthenticated and oversized frames, counts them, and keeps serving", async () => {
    const before = {
      json: await metric('opswatch_ingest_rejected_total{reason="bad_json"}'),
      token: await metric('opswatch_ingest_rejected_total{reason="bad_token"}'),
      auth: await metric('opswatch_ingest_rejected_total{reason="not_authenticated"}'),
      large: await metric('opswatch_ingest_rejected_total{reason="too_large"}'),
      msg: await metric('opswatch_ingest_rejected_total{reason="bad_message"}'),
    };

    const g = await connect();
    g.ws.send("\u0000{not json");
    expect(await g.next()).toMatchObject({ type: "error", reason: "bad_json" });
    g.ws.send(JSON.stringify({ type: "launch", target: "moon" }));
    expect(await g.next()).toMatchObject({ type: "error", reason: "bad_message" });
    g.ws.send(JSON.stringify({ type: "batch", id: 1, spool_depth: 0, results: [result("a1", 50)] }));
    expect(await g.next()).toMatchObject({ type: "error", reason: "not_authenticated" });
    expect(await g.closed).toBe(4401);

    const t = await hello("a1", "wrong-token");
    expect(await t.next()).toMatchObject({ type: "error", reason: "bad_token" });
    expect(await t.closed).toBe(4401);

    const big = await connect();
    big.ws.send("x".repeat(70_000));
    expect(await big.closed).toBe(1009);

    await expect
      .poll(() => metric('opswatch_ingest_rejected_total{reason="too_large"}'))
      .toBe(before.large + 1);
    expect(await metric('opswatch_ingest_rejected_total{reason="bad_json"}')).toBe(before.json + 1);
    expect(await metric('opswatch_ingest_rejected_total{reason="bad_message"}')).toBe(before.msg + 1);
    expect(await metric('opswatch_ingest_rejected_total{reason="not_authenticated"}')).toBe(before.auth + 1);
    expect(await metric('opswatch_ingest_rejected_total{reason="bad_token"}')).toBe(before.token + 1);
    // nothing from the refused frames was stored, and the server still works
    const all = await page(`${srv.url}/api/v1/targets/web/results?from=0&to=${2e12}&limit=1000`);
    expect(all.results.some((r) => r.seq === 50)).toBe(false);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    const ok = await hello("a1", "tok-1");
    expect(await ok.next()).toMatchObject({ type: "welcome" });
    ok.ws.close();
  });

  it("answers bad API queries with 400 and a reason", async () => {
    const r = await fetch(`${srv.url}/api/v1/targets/web/results?from=2026-11-01T00:00:00`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as Page).message).toMatch(/offset/);
    expect((await fetch(`${srv.url}/api/v1/targets/nope/results`)).status).toBe(404);
    expect((await fetch(`${srv.url}/api/v1/targets/web/results?limit=5000`)).status).toBe(400);
  });
});
