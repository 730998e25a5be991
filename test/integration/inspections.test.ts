// Daily inspections through the server: the service runs on a test clock (runDue(now) is what the cron
// tick calls), agents feed the live values over the real WebSocket ingest, people sign off manual items
// through the API, and inspection_pass_rate comes out of GET /api/v1/indicators. Figures by hand below.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import type { Config, ServerConfig } from "../../config/schema.js";
import { createLogger } from "../../lib/log.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { connectAgent } from "../peers/agent-client.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-insp-"));
const db = join(dir, "s.db");
const OPERATOR = { authorization: "Bearer op-token", "content-type": "application/json" };
const VIEWER = { authorization: "Bearer view-token", "content-type": "application/json" };
const t = (local: string) => Date.parse(`${local}+08:00`); // site zone Asia/Shanghai
const MIN = 60_000;

// ups-1 counts toward ups_power_stability → kind ups: reachable, battery_charge, battery_status, ups_load.
// portal counts toward website_uptime over plain http → kind website: reachable, response (no certificate item).
// room_temp is a manual item of ups-1 only. A run therefore has 4 + 1 + 2 = 7 items.
const cfg = parseConfig(
  `site: { timezone: Asia/Shanghai }
server:
  listen: 127.0.0.1:0
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${db}
  agents: [{ id: a1, token: agent-token }]
  api_tokens:
    - { name: zhang, token: op-token, role: operator }
    - { name: victor, token: view-token, role: viewer }
targets:
  - id: ups-1
    name: 1号机房 UPS
    indicators: [{ id: ups_power_stability }]
    checks: [{ id: snmp, kind: snmp, address: "127.0.0.1:1", interval: 30s, timeout: 5s, oids: { battery.charge: 1.3.6.1.2.1.33.1.2.4.0 } }]
  - id: portal
    name: 门户网站
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 15s }]
inspections:
  - id: daily
    name: 每日巡检
    manual_items:
      - { id: room_temp, text: 机房温度正常, targets: [ups-1] }`,
  "inline.yaml",
) as Config & { server: ServerConfig };

let now = t("2026-03-09T08:00:00"); // the server first starts at 08:00 on Monday 2026-03-09
let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer(cfg, createLogger("silent"), { clock: () => now });
});
afterAll(async () => {
  await srv?.close();
});

const api = (path: string, init?: RequestInit) => fetch(`${srv.url}${path}`, init);
const json = async <T = Record<string, unknown>>(r: Response) => (await r.json()) as T;

/** One batch with a UPS poll and a portal probe at `ts`, acked after commit (so the live view has it). */
async function feed(ts: number, charge: number): Promise<void> {
  const a = await connectAgent(srv.port, { clockMs: ts });
  const ack = await a.send([
    {
      target: "ups-1",
      check: "snmp",
      kind: "snmp",
      ts,
      duration_ms: 40,
      ok: true,
      values: { "battery.charge": charge, "battery.status": 2, "ups.load": 40, "ups.output_source": 3 },
    },
    {
      target: "portal",
      check: "home",
      kind: "http",
      ts,
      duration_ms: 120,
      ok: true,
      values: { "http.status": 200 },
    },
  ]);
  expect(ack).toMatchObject({ type: "ack", committed: 2 });
  a.close();
}

interface ItemView {
  target: string;
  item: string;
  kind: string;
  label: string;
  result: string | null;
  detail: string | null;
  note: string | null;
  signed_off_at: number | null;
  signed_off_by: string | null;
  fault_id: string | null;
}
interface RunView {
  id: string;
  plan: string;
  scheduled_at: number;
  started_at: number | null;
  status: string;
  reasons: string[];
  items: ItemView[];
}
const run = async (id: string) => json<RunView>(await api(`/api/v1/inspections/${id}`));
const item = (r: RunView, target: string, id: string) =>
  r.items.find((i) => i.target === target && i.item === id);
const signOff = (
  runId: string,
  target: string,
  id: string,
  body: unknown,
  headers: Record<string, string> = OPERATOR,
) =>
  api(`/api/v1/inspections/${runId}/items/${target}/${id}/sign-off`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });

const runIds: string[] = [];

describe("daily inspections", () => {
  it("day 1: on time and complete — pending during the day, compliant once the local day has ended", async () => {
    await feed(t("2026-03-09T08:59:50"), 100);
    now = t("2026-03-09T09:00:05");
    const due = await srv.inspections.runDue(now);
    expect(due.missed).toEqual([]);
    expect(due.started).toHaveLength(1);
    runIds.push(due.started[0] as string);
    // runDue is idempotent: the same scheduled time is not run twice
    expect(await srv.inspections.runDue(now)).toEqual({ started: [], missed: [] });

    let r = await run(runIds[0] as string);
    expect(r).toMatchObject({
      plan: "daily",
      scheduled_at: t("2026-03-09T09:00:00"),
      started_at: now,
      status: "pending",
      reasons: [],
    });
    expect(r.items.map((i) => [i.target, i.item, i.kind, i.result])).toEqual([
      ["ups-1", "reachable", "auto", "pass"],
      ["ups-1", "battery_charge", "auto", "pass"],
      ["ups-1", "battery_status", "auto", "pass"],
      ["ups-1", "ups_load", "auto", "pass"],
      ["ups-1", "room_temp", "manual", null],
      ["portal", "reachable", "auto", "pass"],
      ["portal", "response", "auto", "pass"],
    ]);
    expect(item(r, "ups-1", "battery_charge")?.detail).toBe("battery.charge = 100 (needs >= 90)");
    expect(item(r, "portal", "response")?.detail).toBe("probe.duration_ms = 120 (needs < 3000)");

    // sign-off needs an operator token
    expect(
      (await signOff(r.id, "ups-1", "room_temp", { result: "pass" }, { "content-type": "application/json" }))
        .status,
    ).toBe(401);
    expect((await signOff(r.id, "ups-1", "room_temp", { result: "pass" }, VIEWER)).status).toBe(403);
    expect((await signOff(r.id, "ups-1", "room_temp", { result: "maybe" })).status).toBe(400);
    // automatic items are not signed off; unknown items are 404
    expect((await signOff(r.id, "ups-1", "battery_charge", { result: "pass" })).status).toBe(409);
    expect((await signOff(r.id, "portal", "room_temp", { result: "pass" })).status).toBe(404);

    now = t("2026-03-09T09:20:00");
    const signed = await signOff(r.id, "ups-1", "room_temp", { result: "pass", note: "22 °C" });
    expect(signed.status).toBe(200);
    expect(item(await json<RunView>(signed), "ups-1", "room_temp")).toMatchObject({
      result: "pass",
      note: "22 °C",
      signed_off_by: "zhang", // the token's name is the actor
      signed_off_at: now,
    });
    expect((await signOff(r.id, "ups-1", "room_temp", { result: "fail" })).status).toBe(409); // once only

    now = t("2026-03-09T23:59:59");
    expect((await run(r.id)).status).toBe("pending"); // rule 17: judged only after the local day
    now = t("2026-03-10T00:00:00");
    r = await run(r.id);
    expect([r.status, r.reasons]).toEqual(["compliant", []]);
  });

  it("day 2: a failed automatic item opens a fault and links it; a failed manual item too", async () => {
    await feed(t("2026-03-10T08:59:50"), 85); // battery charge 85 % < 90 %
    now = t("2026-03-10T09:00:00");
    const due = await srv.inspections.runDue(now);
    expect(due.started).toHaveLength(1);
    runIds.push(due.started[0] as string);
    const r = await run(runIds[1] as string);
    const charge = item(r, "ups-1", "battery_charge");
    expect(charge).toMatchObject({ result: "fail", detail: "battery.charge = 85 (needs >= 90)" });
    expect(charge?.fault_id).toMatch(/^\d+$/);
    const fault = await json(await api(`/api/v1/faults/${charge?.fault_id}`));
    expect(fault).toMatchObject({
      target: "ups-1",
      cause: "inspection:battery_charge",
      source: "auto",
      severity: "P3", // the plan's default severity
      status: "open",
      opened_at: now,
    });

    // a failed manual item: a fault id that does not exist is refused; without one the service opens a fault
    now = t("2026-03-10T09:30:00");
    const ghost = await signOff(r.id, "ups-1", "room_temp", { result: "fail", fault_id: "999999" });
    expect([ghost.status, (await json(ghost)).message]).toEqual([400, "fault_id: no fault 999999"]);
    expect(
      (await signOff(r.id, "ups-1", "room_temp", { result: "pass", fault_id: charge?.fault_id })).status,
    ).toBe(400);
    const failed = await signOff(r.id, "ups-1", "room_temp", { result: "fail", note: "31 °C, 空调故障" });
    const temp = item(await json<RunView>(failed), "ups-1", "room_temp");
    expect(temp).toMatchObject({ result: "fail", signed_off_by: "zhang", note: "31 °C, 空调故障" });
    expect(temp?.fault_id).not.toBe(charge?.fault_id);
    expect(await json(await api(`/api/v1/faults/${temp?.fault_id}`))).toMatchObject({
      target: "ups-1",
      cause: "inspection:room_temp",
      source: "manual",
      opened_at: now,
    });

    now = t("2026-03-11T00:00:00");
    // every item has a result, the manual one was signed off the same day, both failures link a fault
    expect((await run(r.id)).status).toBe("compliant");
  });

  it("day 3: the server is down at 09:00 — the run is recorded as missed, never silently skipped", async () => {
    now = t("2026-03-11T10:00:00"); // 60 min after 09:00, beyond the ± 30 min tolerance
    const due = await srv.inspections.runDue(now);
    expect(due).toEqual({ started: [], missed: [{ plan: "daily", scheduledAt: t("2026-03-11T09:00:00") }] });
    const list = await json<{ runs: RunView[] }>(
      await api(`/api/v1/inspections?from=${t("2026-03-11T00:00:00")}&to=${t("2026-03-12T00:00:00")}`),
    );
    expect(list.runs).toHaveLength(1);
    const missed = list.runs[0] as RunView;
    runIds.push(missed.id);
    expect(missed).toMatchObject({ started_at: null, items: [], status: "pending" });
    expect((await signOff(missed.id, "ups-1", "room_temp", { result: "pass" })).status).toBe(409);
    now = t("2026-03-12T00:00:00");
    expect(await run(missed.id)).toMatchObject({
      status: "non_compliant",
      reasons: ["never started (missed)"],
    });
  });

  it("day 4: started 25 min late, inside the tolerance, is on time; a passing item marks its open fault recovered", async () => {
    await feed(t("2026-03-12T09:24:50"), 100);
    now = t("2026-03-12T09:25:00");
    const due = await srv.inspections.runDue(now);
    expect(due.missed).toEqual([]);
    runIds.push(due.started[0] as string);
    const r = await run(runIds[3] as string);
    expect((r.started_at ?? 0) - r.scheduled_at).toBe(25 * MIN);
    expect(item(r, "ups-1", "battery_charge")?.result).toBe("pass");
    now = t("2026-03-12T09:40:00");
    expect((await signOff(r.id, "ups-1", "room_temp", { result: "pass" })).status).toBe(200);
    // the day-2 battery fault is still open (a person resolves it) but now shows the recovery
    const day2 = item(await run(runIds[1] as string), "ups-1", "battery_charge");
    const fault = await json<{ status: string; recovered_at: number | null }>(
      await api(`/api/v1/faults/${day2?.fault_id}`),
    );
    expect(fault).toMatchObject({ status: "open", recovered_at: t("2026-03-12T09:25:00") });
    now = t("2026-03-13T00:00:00");
    expect((await run(r.id)).status).toBe("compliant");
  });

  it("inspection_pass_rate counts the missed run in its denominator", async () => {
    // 4 scheduled (03-09 … 03-12), all judged: 03-09, 03-10, 03-12 compliant; 03-11 missed → 3 / 4 = 0.75.
    // Item pass share over the judged runs' items with a result: 03-09 7/7, 03-10 5/7 (battery and
    // room temperature failed), 03-11 none, 03-12 7/7 → 19 / 21.
    const q = `from=${encodeURIComponent("2026-03-09T00:00:00+08:00")}&to=${encodeURIComponent("2026-03-13T00:00:00+08:00")}`;
    const body = await json<{
      indicators: { id: string; objective: number; value: number | null; met: boolean | null }[];
      inspections: Record<string, unknown>;
    }>(await api(`/api/v1/indicators?${q}`));
    expect(body.indicators.find((i) => i.id === "inspection_pass_rate")).toEqual({
      id: "inspection_pass_rate",
      objective: 1,
      value: 0.75,
      met: false,
      targets: [],
    });
    expect(body.inspections).toEqual({
      scheduled: 4,
      compliant: 3,
      nonCompliant: 1,
      pending: 0,
      ratio: 0.75,
      items: { passed: 19, withResult: 21, share: 19 / 21 },
    });
    const list = await json<{ summary: Record<string, unknown>; runs: RunView[] }>(
      await api(`/api/v1/inspections?${q}`),
    );
    expect(list.runs.map((r) => r.status)).toEqual(["compliant", "compliant", "non_compliant", "compliant"]);
    expect(list.summary).toMatchObject({
      scheduled: 4,
      compliant: 3,
      non_compliant: 1,
      pending: 0,
      ratio: 0.75,
    });
    // the metric is a gauge per window (the real current month here holds none of these March runs)
    const metrics = await (await api("/metrics")).text();
    expect(metrics).toMatch(/^opswatch_inspection_runs\{result="non_compliant",window="month"\} \d+$/m);
  });

  it("after a restart, scheduled times passed while the server was down are recorded as missed", async () => {
    now = t("2026-03-12T10:00:00");
    await srv.close();
    now = t("2026-03-14T08:00:00"); // down through 03-13 09:00; 03-14 09:00 is still ahead
    srv = await startServer(cfg, createLogger("silent"), { clock: () => now });
    const q = `from=${t("2026-03-09T00:00:00")}&to=${t("2026-03-15T00:00:00")}`;
    const list = await json<{ summary: Record<string, unknown>; runs: RunView[] }>(
      await api(`/api/v1/inspections?${q}`),
    );
    expect(list.runs.map((r) => [r.scheduled_at, r.started_at])).toEqual([
      [t("2026-03-09T09:00:00"), t("2026-03-09T09:00:05")],
      [t("2026-03-10T09:00:00"), t("2026-03-10T09:00:00")],
      [t("2026-03-11T09:00:00"), null],
      [t("2026-03-12T09:00:00"), t("2026-03-12T09:25:00")],
      [t("2026-03-13T09:00:00"), null], // recorded at start-up
    ]);
    // 03-13 missed (its day has ended), 03-14 not yet scheduled: 3 compliant of 5 judged = 0.6
    expect(list.summary).toMatchObject({
      scheduled: 5,
      compliant: 3,
      non_compliant: 2,
      pending: 0,
      ratio: 0.6,
    });
  });
});
