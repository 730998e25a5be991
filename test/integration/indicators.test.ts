// The indicator engine through the server: live faults from ingest, maintenance and fault APIs with
// roles, and a whole month imported from NDJSON whose figures are computed by hand below.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import { formatPercent } from "../../engine/availability.js";
import { createLogger } from "../../lib/log.js";
import type { Result } from "../../protocol/messages.js";
import { contentSeq } from "../../server/import.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { connectAgent } from "../peers/agent-client.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-ind-"));
const db = join(dir, "s.db");
let srv: RunningServer;
const OPERATOR = { authorization: "Bearer op-token", "content-type": "application/json" };
const VIEWER = { authorization: "Bearer view-token", "content-type": "application/json" };

beforeAll(async () => {
  const cfg = parseConfig(
    `server:
  listen: 127.0.0.1:0
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${db}
  agents: [{ id: a1, token: agent-token }]
  api_tokens:
    - { name: alice, token: op-token, role: operator }
    - { name: victor, token: view-token, role: viewer }
targets:
  - id: web
    name: 业务系统
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 15s }]
  - id: portal
    name: 门户网站
    group: web
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 15s }]
  - id: ups
    name: 1号UPS
    indicators: [{ id: ups_power_stability }]
    checks: [{ id: snmp, kind: snmp, address: "127.0.0.1:161", interval: 30s, timeout: 5s, oids: { ups.output_source: 1.3.6.1.2.1.33.1.4.1.0 } }]`,
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

const api = (path: string, init?: RequestInit) => fetch(`${srv.url}${path}`, init);
const json = async <T = Record<string, unknown>>(r: Response) => (await r.json()) as T;

/** An agent connection that sends results for target "web" (or the UPS) and waits for each ack. */
async function agent() {
  const a = await connectAgent(srv.port);
  return {
    async send(ts: number, ok: boolean, ups?: Result["values"]) {
      const where = ups
        ? ({ target: "ups", check: "snmp", kind: "snmp" } as const)
        : ({ target: "web", check: "home", kind: "http" } as const);
      expect((await a.send([{ ...where, ts, ok, values: ups ?? {} }])).type).toBe("ack");
    },
    async replay() {
      expect(await a.replay()).toMatchObject({ type: "ack", committed: 0, duplicates: 1 });
    },
    close: () => a.close(),
  };
}

interface FaultView {
  id: string;
  target: string;
  status: string;
  severity: string;
  opened_at: number;
  respond_by: number;
  recovered_at: number | null;
  acknowledged: { actor: string; note: string } | null;
  history: { type: string; actor?: string }[];
}

describe("faults from live results", () => {
  it("opens at the confirming result, needs a person to ack and resolve, and only once healthy", async () => {
    const a = await agent();
    const t0 = Date.now() - 10 * 60_000;
    await a.send(t0, true);
    await a.send(t0 + 60_000, false); // first failure: not yet DOWN (confirm 2 for HTTP)
    expect((await json<{ faults: FaultView[] }>(await api("/api/v1/faults?target=web"))).faults).toEqual([]);
    await a.send(t0 + 120_000, false); // the confirming failure opens the fault, at its time (rule 13)
    const [f] = (await json<{ faults: FaultView[] }>(await api("/api/v1/faults?target=web&state=open")))
      .faults;
    expect(f).toMatchObject({ target: "web", status: "open", severity: "P2", opened_at: t0 + 120_000 });
    expect(f?.respond_by).toBe(t0 + 120_000 + 30 * 60_000); // P2: respond within 30 min
    await a.send(t0 + 180_000, false); // still the same outage: nothing new
    await a.send(t0 + 240_000, true); // recovered by itself: the fault stays open for a person
    await a.send(t0 + 300_000, false);
    await a.send(t0 + 360_000, false); // DOWN again while the fault is open: the repeat attaches to it
    expect((await json<{ faults: FaultView[] }>(await api("/api/v1/faults?target=web"))).faults).toHaveLength(
      1,
    );

    const id = f?.id as string;
    const noToken = await api(`/api/v1/faults/${id}/ack`, {
      method: "POST",
      body: JSON.stringify({ note: "x" }),
      headers: { "content-type": "application/json" },
    });
    expect(noToken.status).toBe(401);
    const viewer = await api(`/api/v1/faults/${id}/ack`, {
      method: "POST",
      body: JSON.stringify({ note: "x" }),
      headers: VIEWER,
    });
    expect(viewer.status).toBe(403);
    const ack = await api(`/api/v1/faults/${id}/ack`, {
      method: "POST",
      body: JSON.stringify({ note: "在处理" }),
      headers: OPERATOR,
    });
    expect(ack.status).toBe(200);
    expect((await json<FaultView>(ack)).acknowledged).toMatchObject({ actor: "alice", note: "在处理" });

    const early = await api(`/api/v1/faults/${id}/resolve`, {
      method: "POST",
      body: JSON.stringify({ note: "done" }),
      headers: OPERATOR,
    });
    expect(early.status).toBe(409);
    expect((await json(early)).message).toMatch(/not healthy/);

    await a.send(t0 + 420_000, true); // recovered by itself: still open until a person resolves it
    const recovered = await json<FaultView>(await api(`/api/v1/faults/${id}`));
    expect(recovered).toMatchObject({ status: "open", recovered_at: t0 + 420_000 });
    const done = await api(`/api/v1/faults/${id}/resolve`, {
      method: "POST",
      body: JSON.stringify({ note: "重启服务" }),
      headers: OPERATOR,
    });
    expect(done.status).toBe(200);
    // History in time order: the results carry times minutes ago, the person acted just now.
    expect((await json<FaultView>(done)).history.map((h) => h.type)).toEqual([
      "opened",
      "recovered",
      "attached",
      "recovered",
      "acknowledged",
      "resolved",
    ]);
    const noNote = await api(`/api/v1/faults/${id}/reopen`, {
      method: "POST",
      body: "{}",
      headers: OPERATOR,
    });
    expect(noNote.status).toBe(400);
    a.close();
  });

  it("does not count a replayed failure twice", async () => {
    const a = await agent();
    const t0 = Date.now() - 2 * 60_000; // after the previous test's results: in order for the stream
    const open = async () =>
      (await json<{ faults: FaultView[] }>(await api("/api/v1/faults?target=web&state=open"))).faults.length;
    const failSamples = async () => {
      const text = await (await api("/metrics")).text();
      return Number(
        /opswatch_indicator_samples_total\{indicator="website_uptime",target="web",verdict="fail"\} (\d+)/.exec(
          text,
        )?.[1],
      );
    };
    const before = await failSamples();
    await a.send(t0, false);
    await a.replay(); // the same result again (lost ack): still one failure, not the two that confirm
    await a.replay();
    expect(await open()).toBe(0);
    expect(await failSamples()).toBe(before + 1); // the SLI counter counted it once
    await a.send(t0 + 60_000, false); // a second, real failure confirms
    expect(await open()).toBe(1);
    a.close();
  });

  it("reads UPS values: load unpowered opens a P1 fault, a silent UPS a monitoring-lost fault", async () => {
    const a = await agent();
    const t0 = Date.now() - 10 * 60_000;
    const faults = async () =>
      (await json<{ faults: (FaultView & { cause: string })[] }>(await api("/api/v1/faults?target=ups")))
        .faults;
    await a.send(t0, true, { "ups.output_source": 3 }); // normal
    await a.send(t0 + 30_000, false, {}); // no SNMP answer: a gap, not an outage
    expect((await faults()).map((f) => [f.cause, f.severity, f.opened_at])).toEqual([
      ["monitoring_lost", "P3", t0 + 30_000],
    ]);
    await a.send(t0 + 60_000, true, { "ups.output_source": 2 }); // output source none(2): unpowered
    await a.send(t0 + 90_000, true, { "ups.output_source": 2 });
    expect((await faults()).length).toBe(1); // SNMP confirms after 3 results
    await a.send(t0 + 120_000, true, { "ups.output_source": 2 });
    const [unpowered, lost] = await faults();
    expect(unpowered).toMatchObject({
      cause: "ups_power_stability",
      severity: "P1",
      opened_at: t0 + 120_000,
    });
    expect(lost).toMatchObject({ cause: "monitoring_lost", recovered_at: t0 + 60_000 });
    a.close();
  });

  it("takes faults reported by people", async () => {
    const r = await api("/api/v1/faults", {
      method: "POST",
      headers: OPERATOR,
      body: JSON.stringify({ target: "portal", title: "用户反映登录缓慢", severity: "P3" }),
    });
    expect(r.status).toBe(201);
    const reported = await json<FaultView>(r);
    expect(reported).toMatchObject({ source: "manual", severity: "P3", status: "open" });
    expect(reported.history[0]).toMatchObject({ type: "opened", actor: "alice" }); // who reported it
    const bad = await api("/api/v1/faults", {
      method: "POST",
      headers: OPERATOR,
      body: JSON.stringify({ target: "nope", title: "x", severity: "P3" }),
    });
    expect(bad.status).toBe(400);
  });
});

describe("maintenance API", () => {
  it("creates, lists and cancels windows; a window recorded late is kept but excludes nothing", async () => {
    const start = Date.now() + 86_400_000;
    const body = {
      targets: ["portal"],
      start: new Date(start).toISOString(),
      end: new Date(start + 3_600_000).toISOString(),
      reason: "升级",
      approved_by: "张主任",
    };
    const created = await api("/api/v1/maintenance", {
      method: "POST",
      headers: OPERATOR,
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(201);
    const w = await json<{ id: string; warning?: string }>(created);
    expect(w.warning).toBeUndefined();
    const late = await api("/api/v1/maintenance", {
      method: "POST",
      headers: OPERATOR,
      body: JSON.stringify({
        ...body,
        start: new Date(Date.now() - 60_000).toISOString(),
        end: new Date(Date.now() + 60_000).toISOString(),
      }),
    });
    expect((await json(late)).warning).toMatch(/excludes nothing/);
    const noOffset = await api("/api/v1/maintenance", {
      method: "POST",
      headers: OPERATOR,
      body: JSON.stringify({ ...body, start: "2026-12-01T10:00:00" }),
    });
    expect(noOffset.status).toBe(400);
    expect(
      (await json(await api(`/api/v1/maintenance/${w.id}/cancel`, { method: "POST", headers: OPERATOR })))
        .cancelledAt,
    ).toBeTypeOf("number");
    expect(
      (await api(`/api/v1/maintenance/${w.id}/cancel`, { method: "POST", headers: OPERATOR })).status,
    ).toBe(409);
    const list = await json<{ windows: { id: string; createdBy: string }[] }>(
      await api("/api/v1/maintenance"),
    );
    expect(list.windows.find((x) => x.id === w.id)?.createdBy).toBe("alice");
  });
});

describe("a month imported and computed exactly", () => {
  // October 2026 in Asia/Shanghai: [2026-10-01T00:00+08:00, 2026-11-01T00:00+08:00) = 31 days = 2,678,400 s.
  // One result a minute, 44,640 in all. Hold = 2 × 60 s + 15 s; confirm = 2.
  const start = Date.parse("2026-10-01T00:00:00+08:00");
  const at = (s: string) => Date.parse(`${s}+08:00`);
  const failing = (ts: number) =>
    ts === at("2026-10-05T08:00:00") || // a lone failure: a flap, no downtime
    (ts >= at("2026-10-10T10:00:00") && ts <= at("2026-10-10T11:00:00")) || // 61 failures → DOWN 10:00–11:01 = 61 min
    (ts >= at("2026-10-20T14:00:00") && ts <= at("2026-10-20T14:36:00")); // 37 min DOWN, inside planned maintenance
  const lines: string[] = [];
  for (let i = 0; i < 44_640; i++) {
    const ts = start + i * 60_000;
    lines.push(
      JSON.stringify({
        target: "portal",
        agent: "kuma",
        ts: new Date(ts).toISOString(),
        ok: !failing(ts),
        duration_ms: 80,
      }),
    );
  }
  const ndjson = `${lines.join("\n")}\n{"target":"portal","ts":"2026-10-01T00:00:00","ok":true,"duration_ms":1}\nnot json\n`;

  it("imports idempotently and reports rejected lines by number", async () => {
    const post = () =>
      api("/api/v1/import", {
        method: "POST",
        headers: { authorization: "Bearer op-token", "content-type": "application/x-ndjson" },
        body: ndjson,
      });
    const first = await json<{
      lines: number;
      imported: number;
      duplicates: number;
      rejected: number;
      errors: { line: number; reason: string }[];
    }>(await post());
    expect(first).toMatchObject({ lines: 44_642, imported: 44_640, duplicates: 0, rejected: 2 });
    expect(first.errors).toEqual([
      { line: 44_641, reason: "ts: an ISO 8601 time with offset (Z or +08:00)" },
      { line: 44_642, reason: "not JSON" },
    ]);
    const again = await json(await post());
    expect(again).toMatchObject({ imported: 0, duplicates: 44_640, rejected: 2 });
    // A "corrected" line for a time already stored is refused by line number, never silently dropped.
    const corrected = `${JSON.stringify({ target: "portal", agent: "kuma", ts: new Date(start).toISOString(), ok: false, duration_ms: 80 })}\n`;
    const conflict = await json<{ rejected: number; errors: { line: number; reason: string }[] }>(
      await api("/api/v1/import", {
        method: "POST",
        headers: { authorization: "Bearer op-token", "content-type": "application/x-ndjson" },
        body: corrected,
      }),
    );
    expect(conflict).toMatchObject({
      rejected: 1,
      errors: [{ line: 1, reason: expect.stringMatching(/already stored/) }],
    });
  });

  it("moves a line whose 48-bit key is taken by another result to the next key", async () => {
    // Occupy the key the next line would get with a result of another target (a simulated collision).
    const ts = Date.parse("2026-09-15T12:00:00+08:00");
    const seq = contentSeq("portal", "home", "import-clash", ts);
    const raw = new Database(db);
    raw
      .prepare(
        "INSERT INTO results (agent, seq, target, check_id, kind, ts, duration_ms, ok, error, vals, received) VALUES (?, ?, 'web', 'home', 'http', 0, 1, 1, NULL, '{}', 0)",
      )
      .run("import-clash", seq);
    raw.close();
    const line = `${JSON.stringify({ target: "portal", agent: "clash", ts: new Date(ts).toISOString(), ok: true, duration_ms: 5 })}\n`;
    const post = () =>
      api("/api/v1/import", {
        method: "POST",
        headers: { authorization: "Bearer op-token", "content-type": "application/x-ndjson" },
        body: line,
      });
    expect(await json(await post())).toMatchObject({ imported: 1, duplicates: 0, rejected: 0 });
    expect(await json(await post())).toMatchObject({ imported: 0, duplicates: 1, rejected: 0 }); // still idempotent
    const check = new Database(db, { readonly: true });
    expect(
      check.prepare("SELECT target FROM results WHERE agent = 'import-clash' AND seq = ?").get(seq + 1),
    ).toEqual({ target: "portal" });
    check.close();
  });

  it("computes October as defined: maintenance recorded in time excludes, late windows don't", async () => {
    // Windows recorded in the past can't be made through the API (it stamps "now"): write them as the
    // store would have recorded them in September and October.
    const raw = new Database(db);
    const ins = raw.prepare(
      "INSERT INTO maintenance (spec, reason, approved_by, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    // planned: recorded Sep 30, window Oct 20 13:30–15:00 (90 min) covers the 37-min outage
    ins.run(
      JSON.stringify({
        targets: ["portal"],
        start: at("2026-10-20T13:30:00"),
        end: at("2026-10-20T15:00:00"),
      }),
      "升级",
      "张主任",
      "alice",
      at("2026-09-30T09:00:00"),
    );
    // late: recorded Oct 25 02:30 for 02:00–03:00 the same night: listed, excludes nothing
    ins.run(
      JSON.stringify({
        targets: ["portal"],
        start: at("2026-10-25T02:00:00"),
        end: at("2026-10-25T03:00:00"),
      }),
      "补录",
      "张主任",
      "alice",
      at("2026-10-25T02:30:00"),
    );
    raw.close();

    const body = await json<{
      indicators: {
        id: string;
        value: number | null;
        met: boolean | null;
        targets: {
          target: string;
          availability: Record<string, unknown> & { ratio: number; outages: unknown[]; flaps: unknown[] };
          exclusions: { planned: boolean; excludedMs: number }[];
          website: { samples: unknown; worstWeek: Record<string, unknown> };
        }[];
      }[];
    }>(await api("/api/v1/indicators?month=2026-10"));
    const web = body.indicators.find((i) => i.id === "website_uptime");
    const portal = web?.targets.find((t) => t.target === "portal");
    // AST = 2,678,400 s; excluded = 90 min = 5,400 s; counted = 2,673,000 s; down = 61 min = 3,660 s.
    // ratio = (2,673,000 − 3,660) / 2,673,000 = 2,669,340 / 2,673,000 = 0.998630…, shown truncated as 99.86 %.
    expect(portal?.availability).toMatchObject({
      ast: 2_678_400_000,
      excluded: 5_400_000,
      down: 3_660_000,
      unknown: 0,
      up: 2_669_340_000,
      coverage: 1,
    });
    expect(portal?.availability.ratio).toBe(2_669_340 / 2_673_000);
    expect(formatPercent(portal?.availability.ratio ?? null)).toBe("99.86%");
    expect(portal?.availability.outages).toEqual([
      {
        start: at("2026-10-10T10:00:00"),
        end: at("2026-10-10T11:01:00"),
        rawStart: at("2026-10-10T10:00:00"),
        rawEnd: at("2026-10-10T11:01:00"),
      },
    ]);
    expect(portal?.availability.flaps).toHaveLength(1);
    expect(portal?.exclusions.map((e) => [e.planned, e.excludedMs])).toEqual([
      [true, 5_400_000],
      [false, 0],
    ]);
    // Samples: 44,640 results, 1 + 61 + 37 = 99 failed (the national check ignores our windows).
    expect(portal?.website.samples).toEqual({ total: 44_640, failed: 99, share: 99 / 44_640 });
    // Worst 7 local days: Oct 4–10 holds the flap (Oct 5) and the 61 failures (Oct 10): 62 / (7 × 1,440) —
    // the earliest of the windows with that share; 0.6 % < 5 %: no veto.
    expect(portal?.website.worstWeek).toMatchObject({
      start: at("2026-10-04T00:00:00"),
      end: at("2026-10-11T00:00:00"),
      total: 10_080,
      failed: 62,
      veto: false,
    });
    // The group figure is the minimum over targets: "web" has no data in October, so n/a and ignored.
    expect(web?.value).toBe(2_669_340 / 2_673_000);
    expect(web?.met).toBe(true);
    // No fault was opened in October: both rates are n/a, never 100 %.
    expect(body.indicators.find((i) => i.id === "fault_response_rate")).toMatchObject({
      value: null,
      met: null,
    });
  });
});
