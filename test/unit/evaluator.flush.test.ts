// A rollup save that fails (disk full) must not drop the runs it was saving: they stay in memory,
// dirty, and the next flush saves them all.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import { WorkCalendar } from "../../engine/calendar.js";
import { indicatorSpecs } from "../../engine/mapping.js";
import { createLogger } from "../../lib/log.js";
import type { Result } from "../../protocol/messages.js";
import { Evaluator } from "../../server/evaluator.js";
import { FaultService } from "../../server/faults.js";
import type { RunRow } from "../../server/store/runs.js";
import type { FaultStore, RunStore } from "../../server/store/store.js";

describe("evaluator flush", () => {
  it("keeps the runs of a failed save and saves them with the next flush", async () => {
    const cfg = parseConfig(
      `targets:
  - id: portal
    name: Portal
    indicators: [{ id: website_uptime }]
    checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 5m, timeout: 15s }]`,
      "inline.yaml",
    );
    const saved: RunRow[][] = [];
    let full = true;
    const runs: RunStore = {
      async save(rows) {
        if (full) throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
        saved.push([...rows]);
      },
      load: async () => [],
      tails: async () => [],
      deleteFrom: async (_k, from) => from,
    };
    const faults = new FaultService(
      {} as FaultStore, // never reached: replayed results open no faults
      { severities: cfg.severities, tz: "Asia/Shanghai", calendar: new WorkCalendar() },
      () => true,
      createLogger("silent"),
    );
    const ev = new Evaluator(
      indicatorSpecs(cfg.targets),
      cfg.targets,
      cfg.indicators,
      "Asia/Shanghai",
      runs,
      faults,
      createLogger("silent"),
    );
    // 00:00 ok, 00:05 ok, 00:10 fail, 00:15 ok on Oct 1 (+08:00): three runs ok(2), fail(1), ok(1).
    const t0 = Date.parse("2026-10-01T00:00:00+08:00");
    const results: Result[] = [true, true, false, true].map((ok, i) => ({
      v: 1,
      agent: "a1",
      seq: i + 1,
      target: "portal",
      check: "home",
      kind: "http",
      ts: t0 + i * 300_000,
      duration_ms: 10,
      ok,
      values: {},
    }));
    await ev.apply(results, "replay");
    await expect(ev.flush()).rejects.toThrow("database or disk is full");
    full = false; // space is back
    await ev.flush();
    expect(saved).toHaveLength(1);
    expect(saved[0]?.map((r) => [r.verdict, r.count, (r.start - t0) / 60_000])).toEqual([
      ["ok", 2, 0],
      ["fail", 1, 10],
      ["ok", 1, 15],
    ]);
  });
});
