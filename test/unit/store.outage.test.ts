// The store watcher (server/store/outage.ts) on a real SQLite store whose writes fail like a full disk:
// SQLite's own SQLITE_FULL, produced by capping the file's page count (PRAGMA max_page_count).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/log.js";
import type { Result } from "../../protocol/messages.js";
import { StoreHealth, StoreUnavailable, storeErrorKind, watchStore } from "../../server/store/outage.js";
import { SqliteStore } from "../../server/store/sqlite.js";
import type { Store } from "../../server/store/store.js";

const result = (seq: number): Result => ({
  v: 1,
  agent: "a1",
  seq,
  target: "web",
  check: "home",
  kind: "http",
  ts: 1_800_000_000_000 + seq,
  duration_ms: 1,
  ok: true,
  values: { pad: "x".repeat(2000) },
});

describe("store outage watcher", () => {
  it("classifies SQLite, errno and PostgreSQL codes", () => {
    expect(storeErrorKind({ code: "SQLITE_FULL" })).toBe("disk_full");
    expect(storeErrorKind({ code: "ENOSPC" })).toBe("disk_full");
    expect(storeErrorKind({ code: "53100" })).toBe("disk_full"); // PostgreSQL disk_full
    expect(storeErrorKind({ code: "SQLITE_IOERR_WRITE" })).toBe("io");
    expect(storeErrorKind({ code: "SQLITE_BUSY" })).toBe("busy");
    expect(storeErrorKind(new Error("bug"))).toBe("other");
  });

  it("turns a full disk into one log line and 503s, and recovers after 5 quiet seconds", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "opswatch-outage-")), "s.db");
    const raw = new SqliteStore(file);
    const lines: { level: number; msg: string }[] = [];
    const logger = createLogger("info");
    const log = Object.assign(Object.create(logger), {
      error: (_o: unknown, msg: string) => lines.push({ level: 50, msg }),
      warn: (_o: unknown, msg: string) => lines.push({ level: 40, msg }),
    });
    let now = 0;
    const health = new StoreHealth(file, log, () => now);
    const registry = new Registry();
    health.register(registry);
    const store = watchStore(raw, health);

    // Cap the file at its current size (max_page_count, on the store's own connection — reached
    // through its private field, test only): the next page SQLite needs gives SQLITE_FULL.
    const db = (raw as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true })}`);

    const batch = Array.from({ length: 50 }, (_, i) => result(i + 1));
    for (let i = 0; i < 3; i++) {
      now += 1000;
      const err = await store.commit([batch]).catch((e) => e);
      expect(err).toBeInstanceOf(StoreUnavailable);
      expect(err).toMatchObject({ status: 503, code: "store_unavailable", kind: "disk_full" });
    }
    expect(lines).toEqual([{ level: 50, msg: expect.stringMatching(/^database disk is full: .*s\.db — /) }]);
    expect(await registry.getSingleMetricAsString("opswatch_store_errors_total")).toMatch(
      /opswatch_store_errors_total\{kind="disk_full"\} 3/,
    );

    db.pragma("max_page_count = 1000000"); // space is back
    now += 1000; // 1 s after the last failure: a success, but the outage is not over yet
    await store.commit([batch.slice(0, 1)]);
    expect(health.unavailable).toBe(true);
    now += 5000;
    await store.commit([batch.slice(1)]);
    expect(health.unavailable).toBe(false);
    expect(lines.at(-1)?.msg).toMatch(/^the store writes again: .*s\.db/);
    expect(await store.lastSeq("a1")).toBe(50);
    await store.close();
  });

  it("swallows a failed agentSeen (best effort: the agent still gets its welcome)", async () => {
    const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    const fake = {
      agentSeen: async () => {
        throw full;
      },
      lastSeq: async () => {
        throw full;
      },
    } as unknown as Store;
    const store = watchStore(fake, new StoreHealth("x.db", createLogger("silent")));
    await expect(
      store.agentSeen({ agent: "a1", version: "1", spoolDepth: 0, clockOffsetMs: 0, seenMs: 0 }),
    ).resolves.toBeUndefined();
    await expect(store.lastSeq("a1")).rejects.toBeInstanceOf(StoreUnavailable); // a read is not swallowed
  });
});
