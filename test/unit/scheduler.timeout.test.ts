// The scheduler's per-probe timeout: a TimeoutError abort when a probe overruns, and nothing left behind
// (no abort, no timer) when it finishes early.
import { expect, it } from "vitest";
import type { ProbeOutcome } from "../../agent/probers/types.js";
import { Scheduler } from "../../agent/scheduler.js";
import type { Unsequenced } from "../../agent/spool.js";
import { Target } from "../../config/schema.js";
import { createLogger } from "../../lib/log.js";

const until = async (cond: () => boolean, ms = 3000) => {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

it("aborts an overrunning probe with a TimeoutError and leaves a finished one alone", async () => {
  const target = Target.parse({
    id: "t",
    name: "t",
    checks: [
      { id: "fast", kind: "tcp", address: "127.0.0.1:1", interval: "40ms", timeout: "60ms" },
      { id: "hang", kind: "tcp", address: "127.0.0.1:1", interval: "100ms", timeout: "50ms" },
    ],
  });
  const signals: AbortSignal[] = [];
  const results: Unsequenced[] = [];
  const scheduler = new Scheduler({
    agent: "a1",
    jobs: target.checks.map((check) => ({ target, check })),
    concurrency: 4,
    timezone: "Asia/Shanghai",
    logger: createLogger("silent"),
    onResult: (r) => results.push(r),
    probe: (check, signal) => {
      if (check.id === "fast") {
        signals.push(signal);
        return Promise.resolve<ProbeOutcome>({ ok: true, values: {} });
      }
      // A prober that honours its signal reports its own failure, with the signal's reason.
      return new Promise((resolve) =>
        signal.addEventListener("abort", () =>
          resolve({ ok: false, error: `${(signal.reason as Error).name}: stopped`, values: {} }),
        ),
      );
    },
  });
  scheduler.start();
  await until(() => results.some((r) => r.check === "hang") && signals.length >= 4);
  await scheduler.stop();
  // The overrunning probe was aborted at its 50 ms timeout with a TimeoutError and reported itself.
  expect(results.find((r) => r.check === "hang")).toMatchObject({
    ok: false,
    error: "TimeoutError: stopped",
  });
  // Finished probes' signals are never aborted, even long after their 60 ms timeout.
  await new Promise((r) => setTimeout(r, 120));
  expect(signals.some((s) => s.aborted)).toBe(false);
});
