// The Store contract (server/store/store.ts), run against every implementation: store-sqlite.test.ts
// (real files) and store-pg.test.ts (a real PostgreSQL cluster). Expectations are worked out by hand.
import { afterEach, describe, expect, it } from "vitest";
import type { FaultEvent } from "../../engine/faults.js";
import type { MaintenanceWindow } from "../../engine/maintenance.js";
import type { Result } from "../../protocol/messages.js";
import type { RunRow } from "../../server/store/runs.js";
import type { AuditEntry, Store } from "../../server/store/store.js";

export interface StoreFixture {
  store: Store;
  /** SQL run on the database directly, around the store (what a person with a database shell can do). */
  raw(sql: string): Promise<unknown>;
  /** Marks the schema as written by a newer opswatch (version 99). */
  markNewer(): Promise<void>;
  /** Opens another store on the same database (a second server). */
  reopen(): Promise<Store>;
  close(): Promise<void>;
}

const r = (agent: string, seq: number, over: Partial<Result> = {}): Result => ({
  v: 1,
  agent,
  seq,
  target: "web",
  check: "home",
  kind: "http",
  ts: 1000 + seq,
  duration_ms: 12.5,
  ok: true,
  values: { "http.status": 200 },
  ...over,
});

const byKey = (a: Result, b: Result) => a.agent.localeCompare(b.agent) || a.seq - b.seq;

/** `multiServer`: the store is shared by several servers (PostgreSQL), so its locks are tested across two. */
export function storeSuite(open: () => Promise<StoreFixture>, o: { multiServer?: boolean } = {}): void {
  const opened: StoreFixture[] = [];
  const others: Store[] = [];
  afterEach(async () => {
    for (const s of others.splice(0)) await s.close().catch(() => undefined);
    for (const f of opened.splice(0)) await f.close();
  });
  async function fixture(): Promise<StoreFixture> {
    const f = await open();
    opened.push(f);
    return f;
  }
  async function second(f: StoreFixture): Promise<Store> {
    const s = await f.reopen();
    others.push(s);
    return s;
  }

  describe("results", () => {
    it("commits idempotently by (agent, seq) and reports only the fresh results", async () => {
      const { store } = await fixture();
      const [first] = await store.commit([[r("a", 1), r("a", 2), r("a", 3)]]);
      expect(first).toEqual({ committed: 3, duplicates: 0, fresh: [r("a", 1), r("a", 2), r("a", 3)] });
      // replay of 2 and 3 plus a new 4: one fresh, two duplicates
      const [replay] = await store.commit([[r("a", 2), r("a", 3), r("a", 4)]]);
      expect(replay).toEqual({ committed: 1, duplicates: 2, fresh: [r("a", 4)] });
      // two batches in one transaction: the second repeats the first's 5 → 5 is fresh once
      const two = await store.commit([[r("a", 5)], [r("a", 5), r("b", 1)]]);
      expect(two).toEqual([
        { committed: 1, duplicates: 0, fresh: [r("a", 5)] },
        { committed: 1, duplicates: 1, fresh: [r("b", 1)] },
      ]);
      // the same key twice in one batch: stored once
      const [twice] = await store.commit([[r("a", 6), r("a", 6)]]);
      expect(twice).toEqual({ committed: 1, duplicates: 1, fresh: [r("a", 6)] });
      expect(await store.commit([[]])).toEqual([{ committed: 0, duplicates: 0, fresh: [] }]);
      const page = await store.results({ target: "web", from: 0, to: 1e12, limit: 100 });
      // a1..a6 and b1: 7 rows
      expect(page.items.map((x) => `${x.agent}${x.seq}`)).toEqual(["a1", "b1", "a2", "a3", "a4", "a5", "a6"]);
    });

    it("remembers the highest seq per agent, never lowered by a late older result", async () => {
      const { store } = await fixture();
      expect(await store.lastSeq("a")).toBe(0);
      await store.commit([[r("a", 1), r("a", 7), r("a", 3)]]);
      expect(await store.lastSeq("a")).toBe(7);
      await store.commit([[r("a", 5)]]); // older than 7
      expect(await store.lastSeq("a")).toBe(7);
      await store.commit([[r("a", 9)], [r("b", 2)]]);
      expect([await store.lastSeq("a"), await store.lastSeq("b"), await store.lastSeq("c")]).toEqual([
        9, 2, 0,
      ]);
    });

    it("records agents seen, keeping their last seq", async () => {
      const { store } = await fixture();
      await store.commit([[r("a", 4)]]);
      await store.agentSeen({ agent: "a", version: "1.0", spoolDepth: 5, clockOffsetMs: -7000, seenMs: 100 });
      await store.agentSeen({ agent: "b", version: "1.1", spoolDepth: 0, clockOffsetMs: 3, seenMs: 200 });
      await store.agentSeen({ agent: "a", version: "1.2", spoolDepth: 0, clockOffsetMs: 20, seenMs: 300 });
      expect(await store.agents()).toEqual([
        { agent: "a", lastSeq: 4, version: "1.2", spoolDepth: 0, clockOffsetMs: 20, seenMs: 300 },
        { agent: "b", lastSeq: 0, version: "1.1", spoolDepth: 0, clockOffsetMs: 3, seenMs: 200 },
      ]);
      await store.commit([[r("c", 1)]]); // committed, never said hello: only its seq is known
      expect((await store.agents())[2]).toEqual({ agent: "c", lastSeq: 1 });
    });

    it("gives the newest result of every (target, check, agent)", async () => {
      const { store } = await fixture();
      await store.commit([
        [
          r("a", 1, { ts: 100 }),
          r("a", 2, { ts: 200, ok: false, error: "timeout" }),
          r("b", 1, { ts: 150 }),
          r("a", 3, { ts: 50, check: "api" }),
          r("a", 4, { ts: 10, target: "db" }),
        ],
      ]);
      const latest = (await store.latest()).sort(byKey);
      expect(latest).toEqual([
        r("a", 2, { ts: 200, ok: false, error: "timeout" }),
        r("a", 3, { ts: 50, check: "api" }),
        r("a", 4, { ts: 10, target: "db" }),
        r("b", 1, { ts: 150 }),
      ]);
    });

    it("pages results by (ts, agent, seq) with a cursor and flags results of a skewed clock", async () => {
      const { store } = await fixture();
      await store.commit([
        [r("a", 1, { ts: 10 }), r("b", 1, { ts: 20 }), r("a", 2, { ts: 20 }), r("a", 3, { ts: 30 })],
        { results: [r("b", 2, { ts: 40 })], clockOffsetMs: 9000 },
        [r("a", 4, { ts: 50 }), r("a", 5, { ts: 30, target: "db" }), r("a", 6, { ts: 9 })],
      ]);
      // [10, 50) on web: a1@10, a2@20, b1@20, a3@30, b2@40 (a4@50 is at `to`, a6@9 before `from`)
      const q = { target: "web", from: 10, to: 50, limit: 2 };
      const p1 = await store.results(q);
      expect(p1.items.map((x) => `${x.agent}${x.seq}`)).toEqual(["a1", "a2"]);
      const p2 = await store.results({ ...q, cursor: p1.next as string });
      expect(p2.items.map((x) => `${x.agent}${x.seq}`)).toEqual(["b1", "a3"]);
      const p3 = await store.results({ ...q, cursor: p2.next as string });
      expect(p3.items).toEqual([{ ...r("b", 2, { ts: 40 }), clock_offset_ms: 9000 }]);
      expect(p3.next).toBeUndefined();
      expect(p1.items[0]).not.toHaveProperty("clock_offset_ms");
      // exactly `limit` left: no next page
      expect((await store.results({ ...q, limit: 5 })).next).toBeUndefined();
      await expect(store.results({ ...q, cursor: "bm9wZQ" })).rejects.toThrow(RangeError);
    });

    it("finds results by key, absent keys left out", async () => {
      const { store } = await fixture();
      await store.commit([[r("a", 1), r("a", 2), r("a", 3), r("b", 3)]]);
      const found = (await store.byKeys("a", [3, 1, 99])).sort(byKey);
      expect(found).toEqual([r("a", 1), r("a", 3)]);
      expect(await store.byKeys("a", [])).toEqual([]);
    });

    it("gives operation results (not traps) and answered sysUpTime values of some checks", async () => {
      const { store } = await fixture();
      await store.commit([
        [
          r("a", 1, { ts: 100, check: "login", duration_ms: 80 }),
          r("a", 2, { ts: 200, check: "login", ok: false, duration_ms: 5000 }),
          r("a", 3, { ts: 300, check: "search", duration_ms: 40 }),
          r("a", 4, { ts: 150, check: "login", kind: "trap" }),
          r("a", 5, { ts: 250, check: "other", duration_ms: 1 }),
          r("a", 6, { ts: 999, check: "login" }), // outside [100, 400)
          r("a", 7, { ts: 120, check: "sys", kind: "snmp", values: { "sys.uptime_seconds": 3600 } }),
          r("b", 1, { ts: 110, check: "sys", kind: "snmp", values: { "sys.uptime_seconds": 3500 } }),
          r("a", 8, { ts: 130, check: "sys", kind: "snmp", ok: false, values: { "sys.uptime_seconds": 1 } }),
          r("a", 9, { ts: 140, check: "sys", kind: "snmp", values: { "ups.load": 3 } }),
          r("a", 10, { ts: 160, check: "sys", kind: "snmp", values: { "sys.uptime_seconds": 5 } }),
        ],
      ]);
      const ops = (await store.operations("web", ["login", "search"], 100, 400)).sort((x, y) => x.ts - y.ts);
      expect(ops).toEqual([
        { ts: 100, ok: true, durationMs: 80 },
        { ts: 200, ok: false, durationMs: 5000 },
        { ts: 300, ok: true, durationMs: 40 },
      ]);
      // a8 failed, a9 has no uptime: left out; ordered by ts
      expect(await store.uptimes("web", ["sys"], 100, 400)).toEqual([
        { check: "sys", agent: "b", ts: 110, uptime: 3500 },
        { check: "sys", agent: "a", ts: 120, uptime: 3600 },
        { check: "sys", agent: "a", ts: 160, uptime: 5 },
      ]);
      expect(await store.uptimes("web", ["login"], 100, 400)).toEqual([]);
    });

    it("prunes raw results older than a time, at most `limit` per call, across targets", async () => {
      const { store } = await fixture();
      await store.commit([
        [
          r("a", 1, { ts: 10, target: "t1" }),
          r("a", 2, { ts: 20, target: "t1" }),
          r("a", 3, { ts: 100, target: "t1" }), // not older than 100: kept
          r("a", 4, { ts: 10, target: "t2" }),
          r("a", 5, { ts: 30, target: "t2" }),
          r("a", 6, { ts: 99, target: "t2" }),
          r("a", 7, { ts: 500, target: "t3" }),
        ],
      ]);
      // 5 rows are older than 100 (a1, a2, a4, a5, a6): 4 go now, 1 next time, then none
      expect(await store.pruneResults(100, 4)).toBe(4);
      expect(await store.pruneResults(100, 10)).toBe(1);
      expect(await store.pruneResults(100, 10)).toBe(0);
      expect((await store.byKeys("a", [1, 2, 3, 4, 5, 6, 7])).map((x) => x.seq).sort()).toEqual([3, 7]);
      // the agent's seq survives retention: a replay of a pruned seq is not taken for new
      expect(await store.lastSeq("a")).toBe(7);
    });
  });

  describe("exclusive", () => {
    it("runs the job and hands back its value; a failing job lets go of the lock", async () => {
      const { store } = await fixture();
      expect(await store.exclusive("reports", async () => 42)).toBe(42);
      await expect(
        store.exclusive("reports", async () => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.exclusive("reports", async () => "again")).toBe("again");
    });

    // SQLite has one server per file: its exclusive() always runs the job (the test above).
    if (o.multiServer)
      it("a second server is refused while the first holds the lock", async () => {
        const f = await fixture();
        const other = await second(f);
        let release = () => {};
        const held = new Promise<void>((resolve) => (release = resolve));
        const first = f.store.exclusive("reports", () => held.then(() => "A"));
        await new Promise((res) => setTimeout(res, 100)); // A has taken the lock by now
        expect(await other.exclusive("reports", async () => "B")).toBeUndefined();
        expect(await other.exclusive("inspections", async () => "B2")).toBe("B2"); // another name is free
        release();
        expect(await first).toBe("A");
        expect(await other.exclusive("reports", async () => "B3")).toBe("B3");
      });
  });

  describe("runs", () => {
    const key = { target: "web", indicator: "avail", check: "home", agent: "a" };
    const run = (over: Partial<RunRow>): RunRow => ({
      ...key,
      start: 0,
      last: 50,
      count: 6,
      verdict: "ok",
      hold: 30,
      ...over,
    });

    it("saves (upserting by stream and start), loads a window, gives tails, deletes from a time", async () => {
      const { store } = await fixture();
      await store.runs.save([
        run({ start: 0, last: 50 }),
        run({ start: 100, last: 200, count: 11, verdict: "fail" }),
        run({ start: 300, last: 400, count: 5 }),
        run({ agent: "b", start: 50, last: 60, count: 2 }),
        run({ agent: "b", start: 110, last: 130, count: 3, verdict: "none" }),
        run({ indicator: "resp", start: 0, last: 10, count: 1 }),
      ]);
      // the run at 300 grows: same key, new last/count
      await store.runs.save([run({ start: 300, last: 450, count: 7 })]);
      // [120, 350): start < 350 and last ≥ 120 → a@100 (last 200), a@300 (last 450), b@110 (last 130);
      // a@0 ended at 50 and b@50 at 60, before 120
      expect(await store.runs.load("web", "avail", 120, 350)).toEqual([
        run({ start: 100, last: 200, count: 11, verdict: "fail" }),
        run({ start: 300, last: 450, count: 7 }),
        run({ agent: "b", start: 110, last: 130, count: 3, verdict: "none" }),
      ]);
      const tails = (await store.runs.tails()).sort((x, y) =>
        `${x.indicator}${x.agent}`.localeCompare(`${y.indicator}${y.agent}`),
      );
      expect(tails).toEqual([
        run({ start: 300, last: 450, count: 7 }),
        run({ agent: "b", start: 110, last: 130, count: 3, verdict: "none" }),
        run({ indicator: "resp", start: 0, last: 10, count: 1 }),
      ]);
      // from 150: runs with last ≥ 150 go (a@100, a@300); re-encoding starts at the first one, 100
      expect(await store.runs.deleteFrom(key, 150)).toBe(100);
      expect(await store.runs.load("web", "avail", 0, 1000)).toEqual([
        run({ start: 0, last: 50 }),
        run({ agent: "b", start: 50, last: 60, count: 2 }),
        run({ agent: "b", start: 110, last: 130, count: 3, verdict: "none" }),
      ]);
      // nothing reaches 500: start there
      expect(await store.runs.deleteFrom(key, 500)).toBe(500);
      // from 40: the run at 0 (last 50 ≥ 40) goes; re-encoding starts at its start, min(0, 40) = 0
      expect(await store.runs.deleteFrom(key, 40)).toBe(0);
      expect(await store.runs.load("web", "avail", 0, 1000)).toHaveLength(2);
      await store.runs.save([]);
    });

    it("does not load runs that started more than two days before the window", async () => {
      const { store } = await fixture();
      const day = 86_400_000;
      // a malformed run spanning 3 days: it started before from − 2 days, so it is not read
      await store.runs.save([run({ start: 0, last: 3 * day }), run({ start: 2 * day, last: 2 * day + 5 })]);
      expect(await store.runs.load("web", "avail", 2 * day + 1, 4 * day)).toEqual([
        run({ start: 2 * day, last: 2 * day + 5 }),
      ]);
    });
  });

  describe("faults", () => {
    const opened = (at: number): Extract<FaultEvent, { type: "opened" }> => ({
      type: "opened",
      at,
      severity: "P2",
      source: "auto",
      cause: "down",
    });
    const row = (target: string, at: number) => ({
      target,
      cause: "down",
      title: `${target} down`,
      source: "auto" as const,
      severity: "P2",
      openedAt: at,
    });

    it("creates, appends events, gets, finds the open one and lists with filters", async () => {
      const { store } = await fixture();
      const f1 = await store.faults.create(row("web", 1000), opened(1000));
      const f2 = await store.faults.create(row("db", 2000), opened(2000));
      const ack: FaultEvent = { type: "acknowledged", at: 1100, actor: "alice", note: "看一下" };
      await store.faults.append(f1, ack, { open: true, severity: "P2" });
      const resolved: FaultEvent = { type: "resolved", at: 2500, actor: "bob", note: "fixed" };
      await store.faults.append(f2, resolved, { open: false, severity: "P3" });
      expect(await store.faults.get(f1)).toEqual({
        id: f1,
        ...row("web", 1000),
        open: true,
        events: [opened(1000), ack],
      });
      expect((await store.faults.openFor("web", "down"))?.id).toBe(f1);
      expect(await store.faults.openFor("db", "down")).toBeUndefined(); // resolved
      const ids = async (q?: Parameters<Store["faults"]["list"]>[0]) =>
        (await store.faults.list(q)).map((f) => f.id);
      expect(await ids()).toEqual([f2, f1]); // newest opened first
      expect(await ids({ open: true })).toEqual([f1]);
      expect(await ids({ open: false })).toEqual([f2]);
      expect(await ids({ target: "db" })).toEqual([f2]);
      expect(await ids({ from: 1500 })).toEqual([f2]);
      expect(await ids({ to: 1500 })).toEqual([f1]);
      expect(await ids({ limit: 1 })).toEqual([f2]);
      const f2row = await store.faults.get(f2);
      expect([f2row?.severity, f2row?.open, f2row?.events.length]).toEqual(["P3", false, 2]);
      expect(await store.faults.get("999")).toBeUndefined();
    });
  });

  describe("maintenance", () => {
    it("creates windows as recorded and cancels each once", async () => {
      const { store } = await fixture();
      const w: Omit<MaintenanceWindow, "id"> = {
        targets: ["web"],
        start: 5000,
        end: 9000,
        createdAt: 1000,
        reason: "UPS 更换",
        approvedBy: "chief",
      };
      const rec: Omit<MaintenanceWindow, "id"> = {
        groups: ["core"],
        recurrence: { every: "week", weekdays: [0], at: "02:00", duration: 3_600_000, from: "2025-01-05" },
        createdAt: 2000,
        reason: "weekly",
        approvedBy: "chief",
      };
      const id1 = await store.maintenance.create(w, "alice");
      const id2 = await store.maintenance.create(rec, "bob");
      expect(await store.maintenance.get(id1)).toEqual({ window: { ...w, id: id1 }, createdBy: "alice" });
      expect(await store.maintenance.cancel(id1, 3000, "carol")).toBe(true);
      expect(await store.maintenance.cancel(id1, 4000, "dave")).toBe(false); // already cancelled
      expect(await store.maintenance.cancel("999", 4000, "dave")).toBe(false);
      expect(await store.maintenance.all()).toEqual([
        { window: { ...w, id: id1, cancelledAt: 3000 }, createdBy: "alice", cancelledBy: "carol" },
        { window: { ...rec, id: id2 }, createdBy: "bob" },
      ]);
      expect(await store.maintenance.get("999")).toBeUndefined();
    });
  });

  describe("inspections", () => {
    const items = [
      {
        target: "ups",
        item: "battery_charge",
        kind: "auto" as const,
        label: "电池电量 ≥ 90 %",
        result: "pass" as const,
        detail: "98 %",
      },
      { target: "ups", item: "room", kind: "manual" as const, label: "机房温度正常" },
      { target: "web", item: "room", kind: "manual" as const, label: "机房温度正常" },
    ];

    it("records runs once per scheduled time, missed ones, sign-offs once, fault links", async () => {
      const { store } = await fixture();
      const s = store.inspections;
      expect(await s.since("daily", 100)).toBe(100);
      expect(await s.since("daily", 200)).toBe(100); // first seen stays
      expect(await s.lastScheduled("daily")).toBeUndefined();
      const run = {
        plan: "daily",
        scheduledAt: 1000,
        startedAt: 1010,
        toleranceMs: 600,
        recordedAt: 1010,
        items,
      };
      const a = await s.create(run);
      expect(a.created).toBe(true);
      expect(await s.create({ ...run, startedAt: 1020, items: [] })).toEqual({ id: a.id, created: false });
      expect(await s.lastScheduled("daily")).toBe(1000);
      // 1000 is recorded already: 500 and 1500 are new
      expect(await s.recordMissed("daily", [500, 1000, 1500], 600, 2000)).toBe(2);
      expect(await s.recordMissed("daily", [], 600, 2000)).toBe(0);
      expect(await s.lastScheduled("daily")).toBe(1500);
      await s.create({ ...run, plan: "weekly", scheduledAt: 1200, items: [] });

      expect(
        await s.signOff(a.id, "ups", "room", {
          result: "fail",
          note: "32 °C",
          at: 1100,
          by: "alice",
          faultId: "7",
        }),
      ).toBe(true);
      expect(await s.signOff(a.id, "ups", "room", { result: "pass", at: 1200, by: "bob" })).toBe(false); // once
      expect(await s.signOff(a.id, "ups", "battery_charge", { result: "pass", at: 1200, by: "bob" })).toBe(
        false,
      ); // auto
      expect(await s.signOff("999", "ups", "room", { result: "pass", at: 1200, by: "bob" })).toBe(false);
      await s.linkFault(a.id, "ups", "battery_charge", "12");

      expect(await s.get(a.id)).toEqual({
        id: a.id,
        ...run,
        items: [
          { ...items[0], faultId: "12" },
          {
            ...items[1],
            result: "fail",
            note: "32 °C",
            signedOffAt: 1100,
            signedOffBy: "alice",
            faultId: "7",
          },
          items[2],
        ],
      });
      const listed = await s.list({ from: 0, to: 2000 });
      expect(listed.map((x) => [x.plan, x.scheduledAt, x.startedAt ?? null, x.items.length])).toEqual([
        ["daily", 500, null, 0],
        ["daily", 1000, 1010, 3],
        ["weekly", 1200, 1010, 0],
        ["daily", 1500, null, 0],
      ]);
      expect(listed[0]).toEqual({
        id: listed[0]?.id,
        plan: "daily",
        scheduledAt: 500,
        toleranceMs: 600,
        recordedAt: 2000,
        items: [],
      });
      expect((await s.list({ from: 1000, to: 1500, plan: "daily" })).map((x) => x.scheduledAt)).toEqual([
        1000,
      ]);
      expect(await s.get("999")).toBeUndefined();
      expect(await s.get("x")).toBeUndefined();
    });
  });

  describe("auth", () => {
    const alice = {
      name: "alice",
      role: "operator" as const,
      passwordHash: "$scrypt$x",
      disabled: false,
      createdAt: 10,
      createdBy: "admin",
    };

    it("adds, reads and updates users", async () => {
      const { store } = await fixture();
      const a = store.auth;
      expect(await a.addUser(alice)).toBe(true);
      expect(await a.addUser({ ...alice, role: "admin" })).toBe(false); // name taken
      await a.addUser({ ...alice, name: "bob", displayName: "Bob 王", role: "viewer", lastLoginAt: 5 });
      expect(await a.user("alice")).toEqual(alice);
      expect((await a.users()).map((u) => u.name)).toEqual(["alice", "bob"]);
      expect(
        await a.updateUser("alice", {
          role: "admin",
          disabled: true,
          lastLoginAt: 99,
          displayName: "A",
          passwordHash: "$new",
        }),
      ).toBe(true);
      expect(await a.user("alice")).toEqual({
        ...alice,
        role: "admin",
        disabled: true,
        lastLoginAt: 99,
        displayName: "A",
        passwordHash: "$new",
      });
      expect(await a.updateUser("nobody", { role: "admin" })).toBe(false);
      expect(await a.updateUser("bob", {})).toBe(true);
      expect(await a.updateUser("nobody", {})).toBe(false);
      expect(await a.user("nobody")).toBeUndefined();
    });

    it("adds, finds, revokes (once) and touches API tokens", async () => {
      const { store } = await fixture();
      const a = store.auth;
      const t = {
        name: "ci",
        role: "operator" as const,
        hash: "ab12",
        createdAt: 10,
        createdBy: "admin",
        expiresAt: 1000,
      };
      const id = await a.addToken(t);
      const id2 = await a.addToken({
        ...t,
        name: "grafana",
        role: "viewer",
        hash: "cd34",
        expiresAt: undefined,
      });
      expect(await a.tokenByHash("ab12")).toEqual({ id, ...t });
      expect(await a.token(id2)).toEqual({
        id: id2,
        name: "grafana",
        role: "viewer",
        hash: "cd34",
        createdAt: 10,
        createdBy: "admin",
      });
      expect(await a.tokenByHash("ffff")).toBeUndefined();
      expect(await a.token("x")).toBeUndefined();
      expect(await a.revokeToken(id, 50, "admin")).toBe(true);
      expect(await a.revokeToken(id, 60, "admin")).toBe(false);
      expect(await a.revokeToken("x", 60, "admin")).toBe(false);
      await a.touchToken(id2, 77);
      expect(
        (await a.tokens()).map((x) => [x.id, x.revokedAt ?? null, x.revokedBy ?? null, x.lastUsedAt ?? null]),
      ).toEqual([
        [id, 50, "admin", null],
        [id2, null, null, 77],
      ]);
      await expect(a.addToken({ ...t, name: "dup" })).rejects.toThrow(); // hash is unique
    });

    it("keeps sessions, touches, deletes one, all of a user, and expired ones", async () => {
      const { store } = await fixture();
      const a = store.auth;
      const s = {
        idHash: "h1",
        user: "alice",
        csrf: "c1",
        createdAt: 10,
        expiresAt: 1000,
        lastSeenAt: 10,
        addr: "10.0.0.1",
      };
      await a.addSession(s);
      await a.addSession({ ...s, idHash: "h2" });
      await a.addSession({ ...s, idHash: "h3", user: "bob", expiresAt: 50 });
      await a.addSession({ ...s, idHash: "h4", user: "bob", expiresAt: 500 });
      expect(await a.session("h1")).toEqual(s);
      await a.touchSession("h1", 20, 2000);
      expect(await a.session("h1")).toEqual({ ...s, lastSeenAt: 20, expiresAt: 2000 });
      await a.deleteSession("h1");
      expect(await a.session("h1")).toBeUndefined();
      expect(await a.deleteSessionsOf("alice")).toBe(1); // h2 left of alice's
      expect(await a.pruneSessions(100)).toBe(1); // h3 expired at 50
      expect(await a.session("h4")).toBeDefined();
    });
  });

  describe("audit", () => {
    const entry = (at: number, actor: string, action: string): Omit<AuditEntry, "id"> => ({
      at,
      actor,
      role: "operator",
      via: "token",
      addr: "10.0.0.9",
      action,
      object: "fault/1",
      before: { status: "open" },
      after: { status: "acknowledged", note: "收到" },
    });

    it("appends, lists newest first with a cursor and filters, counts per action", async () => {
      const { store } = await fixture();
      const id1 = await store.audit.append(entry(10, "alice", "fault.acknowledge"));
      const id2 = await store.audit.append({
        ...entry(20, "bob", "user.add"),
        before: undefined,
        after: null,
      });
      const id3 = await store.audit.append(entry(30, "alice", "fault.acknowledge"));
      const p1 = await store.audit.list({ limit: 2 });
      expect(p1.items.map((e) => e.id)).toEqual([id3, id2]);
      expect(p1.items[1]).toEqual({ id: id2, ...entry(20, "bob", "user.add"), before: null, after: null });
      const p2 = await store.audit.list({ limit: 2, cursor: p1.next as string });
      expect(p2).toEqual({ items: [{ id: id1, ...entry(10, "alice", "fault.acknowledge") }] });
      const ids = async (q: Omit<Parameters<Store["audit"]["list"]>[0], "limit">) =>
        (await store.audit.list({ limit: 10, ...q })).items.map((e) => e.id);
      expect(await ids({ actor: "alice" })).toEqual([id3, id1]);
      expect(await ids({ action: "user.add" })).toEqual([id2]);
      expect(await ids({ from: 20, to: 30 })).toEqual([id2]);
      await expect(store.audit.list({ limit: 1, cursor: "!!" })).rejects.toThrow(RangeError);
      expect(await store.audit.counts(0, 25)).toEqual({ "fault.acknowledge": 1, "user.add": 1 });
      expect(await store.audit.counts(0, 100)).toEqual({ "fault.acknowledge": 2, "user.add": 1 });
      expect(await store.audit.counts(100, 200)).toEqual({});
    });

    it("is append-only in the database itself: UPDATE and DELETE are refused", async () => {
      const f = await fixture();
      await f.store.audit.append(entry(10, "alice", "fault.resolve"));
      await expect(f.raw("UPDATE audit SET actor = 'mallory'")).rejects.toThrow(/append-only/);
      await expect(f.raw("DELETE FROM audit")).rejects.toThrow(/append-only/);
      const { items } = await f.store.audit.list({ limit: 10 });
      expect(items.map((e) => e.actor)).toEqual(["alice"]);
    });
  });

  describe("schema", () => {
    it("refuses a database written by a newer opswatch", async () => {
      const f = await fixture();
      await f.store.commit([[r("a", 1)]]);
      await f.markNewer();
      await expect(f.reopen()).rejects.toThrow(/newer than this opswatch/);
    });

    it("opens an existing database again without migrating it twice", async () => {
      const f = await fixture();
      await f.store.commit([[r("a", 1)]]);
      const again = await second(f);
      expect(await again.lastSeq("a")).toBe(1);
    });
  });
}
