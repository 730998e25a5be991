// Retention: raw results older than server.retention.raw_results are deleted in chunks; rollups,
// faults and the audit log are kept; the config refuses a period too short for the monthly report.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import type { Result } from "../../protocol/messages.js";
import { Retention } from "../../server/retention.js";
import { startServer } from "../../server/server.js";
import { SqliteStore } from "../../server/store/sqlite.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-02T08:00:00+08:00");

const result = (target: string, seq: number, ts: number): Result => ({
  v: 1,
  agent: "a1",
  seq,
  target,
  check: "home",
  kind: "http",
  ts,
  duration_ms: 10,
  ok: true,
  values: {},
});

/**
 * Per target (web, db, dns): 10 results 401..410 days old and 5 results 1..5 days old, plus one
 * exactly 400 days old (not older than the period: kept). 3 × 16 = 48 rows, 30 of them expired.
 */
async function seed(store: SqliteStore): Promise<void> {
  let seq = 0;
  const rows: Result[] = [];
  for (const t of ["web", "db", "dns"]) {
    for (let d = 401; d <= 410; d++) rows.push(result(t, ++seq, NOW - d * DAY));
    rows.push(result(t, ++seq, NOW - 400 * DAY));
    for (let d = 1; d <= 5; d++) rows.push(result(t, ++seq, NOW - d * DAY));
  }
  await store.commit([rows]);
  // A rollup run and a fault from the expired period: kept forever.
  await store.runs.save([
    {
      target: "web",
      indicator: "website_uptime",
      check: "home",
      agent: "a1",
      start: NOW - 410 * DAY,
      last: NOW - 401 * DAY,
      count: 10,
      verdict: "ok",
      hold: 615_000,
    },
  ]);
  await store.faults.create(
    {
      target: "web",
      cause: "website_uptime",
      title: "old",
      severity: "P3",
      source: "auto",
      openedAt: NOW - 405 * DAY,
    },
    { type: "opened", at: NOW - 405 * DAY, severity: "P3", source: "auto", cause: "website_uptime" },
  );
}

describe("retention", () => {
  it("deletes expired raw results chunk by chunk and keeps rollups and faults", async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "opswatch-retention-")), "s.db"));
    await seed(store);
    const registry = new Registry();
    const r = new Retention({
      store,
      keepMs: 400 * DAY,
      tz: "Asia/Shanghai",
      logger: createLogger("silent"),
      registry,
      clock: () => NOW,
      chunk: 7, // 30 expired rows: chunks of 7, 7, 7, 7, 2
    });
    expect(await r.run()).toBe(30);
    const left = await store.results({ target: "web", from: 0, to: NOW, limit: 100 });
    // web keeps the 400-day-old result and the 5 recent ones
    expect(left.items.map((x) => Math.round((NOW - x.ts) / DAY))).toEqual([400, 5, 4, 3, 2, 1]);
    expect(await store.runs.load("web", "website_uptime", 0, NOW)).toHaveLength(1);
    expect(await store.faults.list({ limit: 10 })).toHaveLength(1);
    expect(await registry.getSingleMetricAsString("opswatch_results_pruned_total")).toMatch(
      /opswatch_results_pruned_total 30$/m,
    );
    expect(await r.run()).toBe(0); // nothing left to delete
    await store.close();
  });

  it("runs in the server, counted on /metrics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opswatch-retention-"));
    const db = join(dir, "s.db");
    const pre = new SqliteStore(db);
    await seed(pre);
    await pre.close();
    const cfg = parseConfig(
      `server:
  listen: 127.0.0.1:0
  database: ${db}
  anonymous_read: true
  retention: { raw_results: 35d }
targets: []`,
      "inline.yaml",
    );
    const srv = await startServer(
      cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
      createLogger("silent"),
      { clock: () => NOW },
    );
    try {
      // 35 days: everything but the 1..5-day-old results, 3 × 11 = 33 rows
      expect(await srv.retention.run()).toBe(33);
      const metrics = await (await fetch(`${srv.url}/metrics`)).text();
      expect(metrics).toMatch(/^opswatch_results_pruned_total 33$/m);
    } finally {
      await srv.close();
    }
  });

  it("refuses a retention period shorter than 35 days", () => {
    let err: unknown;
    try {
      parseConfig("server: { retention: { raw_results: 30d } }\ntargets: []", "short.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/server\.retention\.raw_results.*at least 35d/);
  });
});
