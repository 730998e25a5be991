// The golden month of the monthly report (月度运维报告), shared by the report tests: October 2026 in
// Asia/Shanghai for two targets (a website and a UPS) imported from NDJSON, a maintenance window recorded
// before it started and one recorded late, two faults reported and handled by a person. The figures it
// gives are computed by hand in report.test.ts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { parseConfig } from "../../config/load.js";
import { WorkCalendar } from "../../engine/calendar.js";
import { createLogger } from "../../lib/log.js";
import { FaultService } from "../../server/faults.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { SqliteFaultStore } from "../../server/store/faults.js";

export const at = (s: string) => Date.parse(`${s}+08:00`);
/** Report time: the report of October is made on Nov 2, when every deadline has passed. */
export const NOW = at("2026-11-02T08:00:00");
// October 2026 in Asia/Shanghai: 31 days = 2,678,400 s, both targets 24×7. One result every 5 min
// (8,928 per target). portal: HTTP, hold 2 × 300 + 15 = 615 s, confirm 2. ups: SNMP, hold 610 s, confirm 3.
export const START = at("2026-10-01T00:00:00");
const STEP = 300_000;
const inRange = (ts: number, from: string, to: string) => ts >= at(from) && ts <= at(to);

export interface GoldenOptions {
  /** Names of the targets (the HTML test puts markup in one). */
  portalName?: string;
  /** Scheduled reports (written to Golden.reportsDir): the formats and a webhook. */
  reports?: { formats: string[]; webhook?: string };
}

export interface Golden {
  dir: string;
  db: string;
  reportsDir: string;
  srv: RunningServer;
  api(path: string, init?: RequestInit): Promise<Response>;
}

/** A server on a fresh database whose clock says NOW, configured for the golden month. */
export async function startGolden(o: GoldenOptions = {}): Promise<Golden> {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-report-"));
  const db = join(dir, "s.db");
  const reportsDir = join(dir, "reports");
  const reports = o.reports
    ? `reports: { dir: ${reportsDir}, formats: [${o.reports.formats.join(", ")}], lang: zh-CN${o.reports.webhook ? `, webhook: "${o.reports.webhook}"` : ""} }\n`
    : "";
  const cfg = parseConfig(
    `site: { name: 某区政务云 }
server:
  listen: 127.0.0.1:0
  anonymous_read: true # reads without a token: not a test of auth
  database: ${db}
  api_tokens: [{ name: alice, token: op-token, role: operator }]
${reports}targets:
  - id: portal
    name: ${JSON.stringify(o.portalName ?? "门户网站")}
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 5m, timeout: 15s }]
  - id: ups
    name: 1号UPS
    indicators: [{ id: ups_power_stability }, { id: room_power_stability }]
    checks: [{ id: snmp, kind: snmp, address: "127.0.0.1:161", interval: 5m, timeout: 10s, oids: { ups.output_source: 1.3.6.1.2.1.33.1.4.1.0 } }]`,
    "inline.yaml",
  );
  const srv = await startServer(
    cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
    createLogger("silent"),
    { clock: () => NOW },
  );
  return { dir, db, reportsDir, srv, api: (path, init) => fetch(`${srv.url}${path}`, init) };
}

/** The month's results as NDJSON (POST /api/v1/import). */
export function goldenMonth(): string {
  const lines: string[] = [];
  for (let ts = START; ts < at("2026-11-01T00:00:00"); ts += STEP) {
    // portal: no results 10:05–10:55 on Oct 28 (a monitoring gap)
    if (!inRange(ts, "2026-10-28T10:05:00", "2026-10-28T10:55:00")) {
      const fail =
        ts === at("2026-10-03T12:00:00") || // a lone failure: a flap
        inRange(ts, "2026-10-12T09:00:00", "2026-10-12T09:30:00") || // 7 failures: DOWN 09:00–09:35
        inRange(ts, "2026-10-20T14:00:00", "2026-10-20T14:25:00"); // 6 failures inside planned maintenance
      lines.push(
        JSON.stringify({
          target: "portal",
          agent: "old",
          ts: new Date(ts).toISOString(),
          ok: !fail,
          duration_ms: 90,
        }),
      );
    }
    // ups: no results 00:05–07:55 on Oct 15 (a long gap: low coverage)
    if (!inRange(ts, "2026-10-15T00:05:00", "2026-10-15T07:55:00")) {
      const unpowered = inRange(ts, "2026-10-08T03:00:00", "2026-10-08T03:15:00"); // output source none(2) × 4
      const battery = inRange(ts, "2026-10-16T22:00:00", "2026-10-16T22:40:00"); // on battery(5) × 9
      const values = unpowered
        ? { "ups.output_source": 2, "input.voltage": 220 }
        : battery
          ? { "ups.output_source": 5, "input.voltage": 0 }
          : { "ups.output_source": 3, "input.voltage": 221 };
      lines.push(
        JSON.stringify({
          target: "ups",
          agent: "old",
          ts: new Date(ts).toISOString(),
          ok: true,
          duration_ms: 30,
          values,
        }),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Imports the month through the API; returns the import's answer. */
export async function importGoldenMonth(g: Pick<Golden, "api">): Promise<unknown> {
  const r = await g.api("/api/v1/import", {
    method: "POST",
    headers: { authorization: "Bearer op-token", "content-type": "application/x-ndjson" },
    body: goldenMonth(),
  });
  return r.json();
}

/**
 * Maintenance windows and faults of October written as they happened (the API stamps "now"), through
 * the same store (and for faults the same service) the API uses.
 */
export async function recordGoldenHistory(g: Pick<Golden, "db">): Promise<void> {
  const raw = new Database(g.db);
  try {
    const ins = raw.prepare(
      "INSERT INTO maintenance (spec, reason, approved_by, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    // planned: recorded Sep 30 for Oct 20 13:30–15:00 (90 min), over the six failures of 14:00–14:25
    ins.run(
      JSON.stringify({
        targets: ["portal"],
        start: at("2026-10-20T13:30:00"),
        end: at("2026-10-20T15:00:00"),
      }),
      "系统升级",
      "张主任",
      "alice",
      at("2026-09-30T09:00:00"),
    );
    // late: recorded Oct 25 02:30 for 02:00–03:00: listed, excludes nothing
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
    const faults = new FaultService(
      new SqliteFaultStore(raw),
      {
        severities: {
          P1: { respond: "15m", resolve: "4h" },
          P2: { respond: "30m", resolve: "8h" },
          P3: { respond: "2h", resolve: "24h" },
          P4: { respond: "1wd", resolve: "5wd" },
        },
        tz: "Asia/Shanghai",
        calendar: new WorkCalendar(),
      },
      () => true,
      createLogger("silent"),
    );
    // P2 on the UPS, opened 03:20: respond by 03:50 (acked 04:30: missed), resolve by 11:20 (09:00: met)
    const f1 = await faults.report({
      target: "ups",
      title: "UPS输出中断",
      severity: "P2",
      actor: "bob",
      at: at("2026-10-08T03:20:00"),
    });
    await faults.act(f1, { type: "acknowledged", note: "到场检查" }, "alice", at("2026-10-08T04:30:00"));
    await faults.act(f1, { type: "resolved", note: "更换输出模块" }, "alice", at("2026-10-08T09:00:00"));
    // P3 on the portal, opened 09:10: respond by 11:10 (acked 09:40: met), resolve by Oct 13 09:10 (11:00: met)
    const f2 = await faults.report({
      target: "portal",
      title: "门户无法访问",
      severity: "P3",
      actor: "bob",
      at: at("2026-10-12T09:10:00"),
    });
    await faults.act(f2, { type: "acknowledged", note: "重启Web服务" }, "alice", at("2026-10-12T09:40:00"));
    await faults.act(f2, { type: "resolved", note: "已恢复" }, "alice", at("2026-10-12T11:00:00"));
  } finally {
    raw.close();
  }
}

/** A server holding the whole golden month (results, maintenance, faults). */
export async function goldenServer(o: GoldenOptions = {}): Promise<Golden> {
  const g = await startGolden(o);
  await importGoldenMonth(g);
  await recordGoldenHistory(g);
  return g;
}
