// The server side of trap events: never live state, counted on /metrics with bounded labels.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Target } from "../../config/schema.js";
import type { Result } from "../../protocol/messages.js";
import { LiveView } from "../../server/live.js";
import { trapCounter } from "../../server/trap-metrics.js";

const event = (seq: number, values: Result["values"], check = "trap"): Result => ({
  v: 1,
  agent: "a1",
  seq,
  target: "ups-1",
  check,
  kind: "trap",
  ts: 1_700_000_000_000 + seq,
  duration_ms: 0,
  ok: true,
  values,
});

describe("trap events on the server", () => {
  it("never enter the live view, even on a check id a target configures", () => {
    // The config refuses a check named "trap"; should one get in anyway, a trap event still must not
    // make it up or down.
    const input = {
      id: "ups-1",
      name: "UPS",
      checks: [{ id: "trap", kind: "tcp", address: "127.0.0.1:22" }],
    };
    expect(Target.safeParse(input).error?.issues[0]?.message).toBe(
      'check id "trap" is reserved for SNMP trap events',
    );
    const parsed = Target.parse({ ...input, checks: [{ ...input.checks[0], id: "port" }] });
    const ups = { ...parsed, checks: parsed.checks.map((c) => ({ ...c, id: "trap" })) };
    const live = new LiveView([ups]);
    expect(live.update(event(1, { "trap.name": "coldStart" }))).toBe(false);
    expect(live.checkState("ups-1", "trap", Date.now())).toBe("unknown");
  });

  it("count traps by name, trap.count each, with unknown names as other", async () => {
    const registry = new Registry();
    const count = trapCounter(registry);
    count([
      event(1, { "trap.name": "upsTrapOnBattery", "trap.count": 1 }),
      event(2, { "trap.name": "upsTrapOnBattery", "trap.count": 5 }), // a reminder folding 4 repeats
      event(3, { "trap.name": "1.3.6.1.4.1.2011.5.25.219.2.2.1", "trap.count": 1 }),
      event(4, { "trap.name": "linkDown" }), // no count: one trap
      { ...event(5, {}), kind: "snmp", check: "snmp" }, // not a trap
    ]);
    const text = await registry.metrics();
    const value = (kind: string) =>
      Number(new RegExp(`opswatch_snmp_traps_received_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1]);
    expect(value("upsTrapOnBattery")).toBe(6); // 1 + 5
    expect(value("other")).toBe(1);
    expect(value("linkDown")).toBe(1);
    expect(value("coldStart")).toBe(0);
  });
});
