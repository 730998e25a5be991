import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Spool, type Unsequenced } from "../../agent/spool.js";

const r = (n: number): Unsequenced => ({
  v: 1,
  agent: "a",
  target: "t",
  check: "c",
  kind: "tcp",
  ts: n,
  duration_ms: 1,
  ok: true,
  values: { "tcp.connect_ms": n },
});
const file = () => join(mkdtempSync(join(tmpdir(), "opswatch-spool-")), "spool.db");

describe("agent spool", () => {
  it("numbers results 1, 2, 3… and keeps them across a restart until acked", () => {
    const f = file();
    const s = new Spool(f);
    expect([s.append(r(10)), s.append(r(20)), s.append(r(30))]).toEqual([1, 2, 3]);
    s.close();
    const again = new Spool(f);
    expect(again.depth()).toBe(3);
    const rows = again.read(0, 10);
    expect(rows.map((x) => JSON.parse(x.json))).toEqual(
      [1, 2, 3].map((seq, i) => ({ ...r((i + 1) * 10), seq })),
    );
    again.ack(1, 2);
    expect(again.depth()).toBe(1);
    // a deleted number is never reused
    expect(again.append(r(40))).toBe(4);
    expect(again.read(0, 10).map((x) => x.seq)).toEqual([3, 4]);
    again.close();
  });

  it("moves results the server refused into the dead table instead of losing them", () => {
    const s = new Spool(file());
    for (let i = 1; i <= 3; i++) s.append(r(i));
    s.ack(1, 3, [{ seq: 2, reason: "ts: bad" }]);
    expect(s.depth()).toBe(0);
    expect(s.deadCount()).toBe(1);
    s.close();
  });

  it("renumbers a brand-new spool above the server's last seq, so nothing looks like a replay", () => {
    const s = new Spool(file());
    s.append(r(1));
    s.append(r(2));
    // the server already holds seq 1..100 of this agent from a spool file that was lost
    expect(s.reconcile(100)).toEqual({ renumbered: 2, dropped: 0 });
    expect(s.read(0, 10).map((x) => x.seq)).toEqual([101, 102]);
    expect(s.append(r(3))).toBe(103);
    s.close();
  });

  it("drops rows a known spool finds already committed (their ack was lost)", () => {
    const s = new Spool(file());
    s.reconcile(0); // first contact: nothing to renumber
    for (let i = 1; i <= 5; i++) s.append(r(i));
    expect(s.reconcile(3)).toEqual({ renumbered: 0, dropped: 3 });
    expect(s.depth()).toBe(2);
    expect(s.read(0, 10).map((x) => x.seq)).toEqual([4, 5]);
    s.close();
  });
});
