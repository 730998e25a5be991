// Scheduler.pollNow: what a trap triggers. Only the target's SNMP checks run, at once, and a check
// still running is not started twice (the busy/skip rule of regular turns).
import { describe, expect, it } from "vitest";
import type { ProbeOutcome } from "../../agent/probers/types.js";
import { type Job, Scheduler } from "../../agent/scheduler.js";
import type { Unsequenced } from "../../agent/spool.js";
import { Target } from "../../config/schema.js";
import { createLogger } from "../../lib/log.js";

const snmp = (id: string) => ({
  id,
  kind: "snmp",
  address: "127.0.0.1:161",
  interval: "24h",
  oids: { "sys.uptime": "1.3.6.1.2.1.1.3.0" },
});
const tcp = { id: "tcp", kind: "tcp", address: "127.0.0.1:22", interval: "24h" };
const target = (id: string, checks: object[]) => Target.parse({ id, name: id, checks });

describe("Scheduler.pollNow", () => {
  it("runs the target's SNMP checks now, and skips one still running", async () => {
    const ups = target("ups-1", [snmp("snmp-a"), snmp("snmp-b"), tcp]);
    const other = target("ups-2", [snmp("snmp")]);
    const jobs: Job[] = [...ups.checks, ...other.checks].map((check, i) => ({
      target: i < 3 ? ups : other,
      check,
    }));
    const started: string[] = [];
    const release: (() => void)[] = [];
    const results: Unsequenced[] = [];
    const scheduler = new Scheduler({
      agent: "a1",
      jobs,
      concurrency: 4,
      timezone: "Asia/Shanghai",
      logger: createLogger("silent"),
      onResult: (r) => results.push(r),
      // Each probe waits until the test releases it, so "still running" is under the test's control.
      probe: (check) =>
        new Promise<ProbeOutcome>((resolve) => {
          started.push(check.id);
          release.push(() => resolve({ ok: true, values: {} }));
        }),
    });
    // not start(): no regular turns, only what pollNow triggers (24 h intervals would not fire anyway)
    expect(scheduler.pollNow("ups-1")).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(["snmp-a", "snmp-b"]);
    expect(scheduler.pollNow("ups-1")).toBe(0); // both still running: skipped, not queued
    for (const r of release.splice(0)) r();
    await new Promise((r) => setImmediate(r));
    expect(results.map((r) => `${r.target}/${r.check}/${r.kind}`)).toEqual([
      "ups-1/snmp-a/snmp",
      "ups-1/snmp-b/snmp",
    ]);
    expect(scheduler.pollNow("ups-1")).toBe(2); // finished: a new trap polls again
    expect(scheduler.pollNow("nope")).toBe(0);
    for (const r of release.splice(0)) r();
    await scheduler.stop();
  });
});
