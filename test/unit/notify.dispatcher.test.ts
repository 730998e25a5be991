// The dispatcher with recording channels and a clock the test moves: grouping windows, routing,
// de-duplication, rate limits that merge instead of dropping, retries, overdue checks, shutdown.
import { describe, expect, it } from "vitest";
import { SendError } from "../../server/notify/channel.js";
import type { Dispatcher } from "../../server/notify/dispatcher.js";
import {
  captureLogger,
  dispatcher,
  FakeChannel,
  ManualClock,
  note,
  OPENED,
  record,
  run,
  T0,
} from "./notify.helpers.js";

async function counter(
  d: Dispatcher,
  channel: string,
  result: string,
  name = "opswatch_notifications_total",
) {
  const m = await d.registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels.channel === channel && v.labels.result === result)?.value;
}

describe("grouping", () => {
  it("sends what arrives within group_wait as one message per channel", async () => {
    const clock = new ManualClock();
    const a = new FakeChannel("a", clock);
    const b = new FakeChannel("b", clock);
    const d = dispatcher({ group_wait: "10s" }, { clock, channels: [a, b] });
    d.notify(note({ fault: "1" }));
    await run(clock, d, 3000);
    d.notify(note({ fault: "2" }));
    await run(clock, d, 6000);
    d.notify(note({ fault: "3" }));
    expect(a.batches).toEqual([]);
    await run(clock, d, 1000); // 10 s after the first
    expect(a.batches.map((x) => [x.at - T0, x.batch.map((n) => n.fault)])).toEqual([
      [10_000, ["1", "2", "3"]],
    ]);
    expect(b.faults).toEqual(["1", "2", "3"]);
    d.notify(note({ fault: "4" }));
    await run(clock, d, 10_000);
    expect(a.batches.map((x) => [x.at - T0, x.batch.length])).toEqual([
      [10_000, 3],
      [20_000, 1],
    ]);
  });
});

describe("routing", () => {
  it("gives each channel only its severities and events (attached and acknowledged are opt-in)", async () => {
    const clock = new ManualClock();
    const p1 = new FakeChannel("p1-only", clock);
    const all = new FakeChannel("everything", clock);
    const plain = new FakeChannel("defaults", clock);
    const d = dispatcher(
      {
        group_wait: "0s",
        channels: [
          { id: "p1-only", kind: "webhook", url: "http://127.0.0.1:1/", severities: ["P1"] },
          {
            id: "everything",
            kind: "webhook",
            url: "http://127.0.0.1:1/",
            events: ["opened", "attached", "acknowledged", "recovered"],
          },
        ],
      },
      { clock, channels: [p1, all, plain] },
    );
    d.notify(note({ fault: "1", severity: "P2" }));
    d.notify(note({ fault: "2", severity: "P1" }));
    d.notify(note({ fault: "1", kind: "attached" }));
    d.notify(note({ fault: "1", kind: "acknowledged", actor: "alice" }));
    d.notify(note({ fault: "1", kind: "overdue_response" }));
    await run(clock, d, 1000);
    const seen = (c: FakeChannel) => c.batches.flatMap((b) => b.batch.map((n) => `${n.fault}:${n.kind}`));
    expect(seen(p1)).toEqual(["2:opened"]);
    expect(seen(all)).toEqual(["1:opened", "2:opened", "1:attached", "1:acknowledged"]);
    expect(seen(plain)).toEqual(["1:opened", "2:opened", "1:overdue_response"]);
  });
});

describe("de-duplication", () => {
  it("drops an identical notification within the window, and counts it", async () => {
    const clock = new ManualClock();
    const a = new FakeChannel("a", clock);
    const d = dispatcher({ group_wait: "0s", dedupe_window: "10m" }, { clock, channels: [a] });
    d.notify(note({ kind: "recovered", at: T0 }));
    await run(clock, d, 60_000);
    d.notify(note({ kind: "recovered", at: T0 + 60_000 })); // a flap: same fault, same kind, same content
    d.notify(note({ kind: "resolved", actor: "alice", note: "重启" }));
    d.notify(note({ kind: "resolved", actor: "alice", note: "重启" })); // delivered twice by mistake
    d.notify(note({ kind: "resolved", actor: "bob", note: "换电源" })); // not identical: kept
    await run(clock, d, 1000);
    expect(a.batches.flatMap((b) => b.batch.map((n) => `${n.kind}:${n.actor ?? ""}`))).toEqual([
      "recovered:",
      "resolved:alice",
      "resolved:bob",
    ]);
    expect(await counter(d, "a", "deduplicated")).toBe(2);
    await run(clock, d, 10 * 60_000, 60_000); // the window has passed
    d.notify(note({ kind: "recovered" }));
    await run(clock, d, 1000);
    expect(a.faults).toHaveLength(4);
    expect(await counter(d, "a", "sent")).toBe(4);
  });
});

describe("rate limits", () => {
  it("keeps a robot at 20 messages a minute and merges the rest into the next message", async () => {
    const clock = new ManualClock();
    const robot = new FakeChannel("robot", clock, "wecom", { messages: 20, per: 60_000 });
    const d = dispatcher({ group_wait: "0s" }, { clock, channels: [robot] });
    // 25 faults, one a second: each would be its own message
    for (let i = 0; i < 25; i++) {
      d.notify(note({ fault: String(100 + i), at: clock.now() }));
      await run(clock, d, 1000);
    }
    expect(robot.batches).toHaveLength(20);
    await run(clock, d, 60_000);
    expect(robot.batches).toHaveLength(21);
    const last = robot.batches[20];
    expect(last?.at).toBe(T0 + 60_000); // when the first message left the window
    expect(last?.batch.map((n) => n.fault)).toEqual(["120", "121", "122", "123", "124"]);
    // no 60-second window holds more than 20 messages; every fault was delivered exactly once
    const times = robot.batches.map((b) => b.at);
    for (const t of times)
      expect(times.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(20);
    expect(robot.faults.sort()).toEqual(Array.from({ length: 25 }, (_, i) => String(100 + i)));
  });

  it("uses the configured limit over the channel's own", async () => {
    const clock = new ManualClock();
    const robot = new FakeChannel("robot", clock, "dingtalk", { messages: 20, per: 60_000 });
    const d = dispatcher(
      {
        group_wait: "0s",
        channels: [
          { id: "robot", kind: "dingtalk", access_token: "t", rate_limit: { messages: 2, per: "10s" } },
        ],
      },
      { clock, channels: [robot] },
    );
    for (let i = 0; i < 5; i++) {
      d.notify(note({ fault: String(i) }));
      await run(clock, d, 1000);
    }
    await run(clock, d, 20_000);
    expect(robot.batches.map((b) => [b.at - T0, b.batch.length])).toEqual([
      [0, 1],
      [1000, 1],
      [10_000, 3],
    ]);
  });
});

describe("retries", () => {
  it("retries transient failures with doubling backoff and merges what arrived meanwhile", async () => {
    const clock = new ManualClock();
    const flaky = new FakeChannel("flaky", clock, "webhook", undefined, (call) =>
      call <= 2 ? new SendError("HTTP 503", true) : undefined,
    );
    const d = dispatcher({ group_wait: "0s", retry_backoff: "2s" }, { clock, channels: [flaky] });
    d.notify(note({ fault: "1" }));
    await run(clock, d, 1000); // first attempt failed at 0 s, the next is due at 2 s
    d.notify(note({ fault: "2" }));
    await run(clock, d, 10_000); // second attempt at 2 s failed, third at 2 + 4 = 6 s
    expect(flaky.calls).toBe(3);
    expect(flaky.batches.map((b) => [b.at - T0, b.batch.map((n) => n.fault)])).toEqual([[6000, ["1", "2"]]]);
    expect(await counter(d, "flaky", "sent")).toBe(2);
    expect(await counter(d, "flaky", "error", "opswatch_notification_messages_total")).toBe(2);
  });

  it("gives up on a permanent error at once, and after `retries` transient ones", async () => {
    const clock = new ManualClock();
    const cap = captureLogger();
    const bad = new FakeChannel(
      "bad",
      clock,
      "webhook",
      undefined,
      () => new SendError("HTTP 400: bad", false),
    );
    const down = new FakeChannel("down", clock, "webhook", undefined, () => new SendError("refused", true));
    const d = dispatcher({ group_wait: "0s", retries: 2 }, { clock, channels: [bad, down], log: cap.log });
    d.notify(note());
    await run(clock, d, 120_000, 1000);
    expect(bad.calls).toBe(1);
    expect(down.calls).toBe(3);
    expect(await counter(d, "bad", "failed")).toBe(1);
    expect(await counter(d, "down", "failed")).toBe(1);
    expect(cap.text()).toContain('"msg":"notification failed"');
  });
});

describe("fault events", () => {
  it("turns FaultService events into notifications with deadlines, recoveries and actors", async () => {
    const clock = new ManualClock();
    const a = new FakeChannel("a", clock);
    const d = dispatcher(
      {
        group_wait: "0s",
        public_url: "https://opswatch.example.gov.cn/",
        channels: [
          {
            id: "a",
            kind: "webhook",
            url: "http://127.0.0.1:1/",
            events: ["opened", "escalated", "recovered", "resolved"],
          },
        ],
      },
      { clock, channels: [a] },
    );
    const rec = record("7", []);
    d.onEvent(rec, OPENED);
    rec.events.push(OPENED);
    const esc = { type: "escalated", at: T0 + 60_000, actor: "alice", severity: "P1" } as const;
    d.onEvent(rec, esc);
    rec.events.push(esc);
    const recovered = { type: "recovered", at: T0 + 20 * 60_000 } as const;
    d.onEvent(rec, recovered);
    rec.events.push(recovered);
    d.onEvent(rec, { type: "resolved", at: T0 + 30 * 60_000, actor: "bob", note: "更换网卡" });
    await run(clock, d, 1000);
    const got = a.batches.flatMap((b) => b.batch);
    expect(got.map((n) => n.kind)).toEqual(["opened", "escalated", "recovered", "resolved"]);
    expect(got[0]).toEqual({
      kind: "opened",
      fault: "7",
      target: "portal",
      targetName: "区政府门户网站",
      title: "区政府门户网站: 网站不可访问 website down",
      severity: "P2",
      status: "open",
      source: "auto",
      at: T0,
      openedAt: T0,
      respondBy: T0 + 30 * 60_000, // P2: 30 min
      resolveBy: T0 + 8 * 3600_000, // P2: 8 h
      link: "https://opswatch.example.gov.cn/api/v1/faults/7",
    });
    // escalation changes the severity, not the deadlines (rule 13)
    expect(got[1]).toMatchObject({
      severity: "P1",
      previousSeverity: "P2",
      actor: "alice",
      respondBy: T0 + 30 * 60_000,
    });
    expect(got[2]).toMatchObject({ kind: "recovered", status: "open", at: T0 + 20 * 60_000 });
    expect(got[3]).toMatchObject({ kind: "resolved", status: "resolved", actor: "bob", note: "更换网卡" });
  });

  it("still tells when a working-day deadline cannot be computed (a year the calendar does not cover)", async () => {
    const far = Date.UTC(2099, 0, 5, 1, 0);
    const clock = new ManualClock(far);
    const a = new FakeChannel("a", clock);
    const d = dispatcher({ group_wait: "0s" }, { clock, channels: [a] });
    d.onEvent(record("8", [], { severity: "P4" }), { ...OPENED, at: far, severity: "P4" });
    await run(clock, d, 1000);
    const [n] = a.batches.flatMap((b) => b.batch);
    expect(n).toMatchObject({ kind: "opened", severity: "P4", at: far });
    expect(n?.respondBy).toBeUndefined();
  });

  it("links to the console page when one is configured", () => {
    const clock = new ManualClock();
    const d = dispatcher(
      { console_url: "https://console.example/faults/{id}?tab=history" },
      { clock, channels: [] },
    );
    expect(d.link("42")).toBe("https://console.example/faults/42?tab=history");
  });

  it("never throws into FaultService", () => {
    const clock = new ManualClock();
    const d = dispatcher({}, { clock, channels: [new FakeChannel("a", clock)] });
    // a log that breaks the rules: recovered before opened
    expect(() => d.onEvent(record("1", []), { type: "recovered", at: T0 })).not.toThrow();
  });
});

describe("overdue check", () => {
  it("tells once per fault and stage when a response or resolution deadline passes", async () => {
    const clock = new ManualClock(T0 + 31 * 60_000);
    const a = new FakeChannel("a", clock);
    const acked = record("2", [
      OPENED,
      { type: "acknowledged", at: T0 + 60_000, actor: "alice", note: "在查" },
    ]);
    const d = dispatcher(
      { group_wait: "0s", overdue_check: "1m" },
      { clock, channels: [a], openFaults: async () => [record("1", [OPENED]), acked] },
    );
    d.start("http://127.0.0.1:8080");
    await run(clock, d, 5 * 60_000, 60_000);
    expect(a.batches.flatMap((b) => b.batch.map((n) => `${n.fault}:${n.kind}`))).toEqual([
      "1:overdue_response",
    ]);
    expect(a.batches[0]?.batch[0]).toMatchObject({
      at: T0 + 30 * 60_000,
      link: "http://127.0.0.1:8080/api/v1/faults/1",
    });
    clock.t = T0 + 8 * 3600_000 + 1;
    await run(clock, d, 3 * 60_000, 60_000);
    expect(a.batches.flatMap((b) => b.batch.map((n) => `${n.fault}:${n.kind}`))).toEqual([
      "1:overdue_response",
      "1:overdue_resolution",
      "2:overdue_resolution",
    ]);
    await d.stop();
  });
});

describe("stop", () => {
  it("sends what waits for its group window, then stops the timers", async () => {
    const clock = new ManualClock();
    const a = new FakeChannel("a", clock);
    const d = dispatcher({ group_wait: "10s" }, { clock, channels: [a] });
    d.notify(note());
    await run(clock, d, 1000);
    expect(a.batches).toHaveLength(0);
    await d.stop();
    expect(a.faults).toEqual(["12"]);
    d.notify(note({ fault: "13" }));
    await run(clock, d, 60_000);
    expect(a.faults).toEqual(["12"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("gives up a retry that is waiting, and counts it", async () => {
    const clock = new ManualClock();
    const down = new FakeChannel("down", clock, "webhook", undefined, () => new SendError("refused", true));
    const d = dispatcher({ group_wait: "0s", retry_backoff: "30s" }, { clock, channels: [down] });
    d.notify(note());
    await run(clock, d, 1000);
    await d.stop();
    expect(down.calls).toBe(1);
    expect(await counter(d, "down", "failed")).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
