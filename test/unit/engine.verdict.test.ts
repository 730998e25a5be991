import { describe, expect, it } from "vitest";
import { verdictOf } from "../../engine/verdict.js";

const params = { nominalVoltage: 220, tolerance: 0.15 }; // normal from 187 V to 253 V inclusive
const ok = (values: Record<string, number | string>) => ({ ok: true, values });

describe("verdictOf", () => {
  it("via ok: the probe's own success", () => {
    expect(verdictOf(ok({}), "ok", params)).toBe("ok");
    expect(verdictOf({ ok: false, values: {} }, "ok", params)).toBe("fail");
  });

  it("load_powered: unpowered on output source none(2) or an unpowered alarm; no answer is unknown", () => {
    expect(verdictOf(ok({ "ups.output_source": 3 }), "load_powered", params)).toBe("ok");
    // battery(5) and bypass(4): the UPS doing its job, not instability
    expect(verdictOf(ok({ "ups.output_source": 5 }), "load_powered", params)).toBe("ok");
    expect(verdictOf(ok({ "ups.output_source": 4 }), "load_powered", params)).toBe("ok");
    expect(verdictOf(ok({ "ups.output_source": 2 }), "load_powered", params)).toBe("fail");
    for (const alarm of ["UpsOutputOff", "upssystemoff", "OnBattery, SHUTDOWNIMMINENT"])
      expect(verdictOf(ok({ "ups.output_source": 3, "ups.alarms": alarm }), "load_powered", params)).toBe(
        "fail",
      );
    // an alarm proves the failure even without the output source
    expect(verdictOf(ok({ "ups.alarms": "UpsOutputOff" }), "load_powered", params)).toBe("fail");
    // switched off on request: not counted
    const asRequested = ok({ "ups.output_source": 3, "ups.alarms": "OutputOffAsRequested" });
    expect(verdictOf(asRequested, "load_powered", params)).toBe("ok");
    expect(verdictOf({ ok: false, values: { "ups.output_source": 2 } }, "load_powered", params)).toBe("none");
    expect(verdictOf(ok({ "battery.charge": 100 }), "load_powered", params)).toBe("none");
  });

  it("mains_normal: abnormal on battery(5), InputBad/OnBattery, or voltage outside nominal ± tolerance", () => {
    expect(verdictOf(ok({ "ups.output_source": 3, "input.voltage": 221 }), "mains_normal", params)).toBe(
      "ok",
    );
    expect(verdictOf(ok({ "ups.output_source": 5, "input.voltage": 221 }), "mains_normal", params)).toBe(
      "fail",
    );
    expect(verdictOf(ok({ "ups.output_source": 3, "ups.alarms": "inputbad" }), "mains_normal", params)).toBe(
      "fail",
    );
    expect(verdictOf(ok({ "ups.output_source": 3, "ups.alarms": "OnBattery" }), "mains_normal", params)).toBe(
      "fail",
    );
    // 220 × 0.85 = 187 and 220 × 1.15 = 253 are still normal (in doubles 220 * 1.15 is 252.99999999999997)
    expect(verdictOf(ok({ "input.voltage": 187 }), "mains_normal", params)).toBe("ok");
    expect(verdictOf(ok({ "input.voltage": 253 }), "mains_normal", params)).toBe("ok");
    expect(verdictOf(ok({ "input.voltage": 186.9 }), "mains_normal", params)).toBe("fail");
    expect(verdictOf(ok({ "input.voltage": 253.1 }), "mains_normal", params)).toBe("fail");
    // 230 V ± 10 %: 207 and 253 inclusive
    const eu = { nominalVoltage: 230, tolerance: 0.1 };
    expect(verdictOf(ok({ "input.voltage": 207 }), "mains_normal", eu)).toBe("ok");
    expect(verdictOf(ok({ "input.voltage": 253 }), "mains_normal", eu)).toBe("ok");
    expect(verdictOf(ok({ "input.voltage": 206.99 }), "mains_normal", eu)).toBe("fail");
    expect(verdictOf({ ok: false, values: {} }, "mains_normal", params)).toBe("none");
    expect(verdictOf(ok({ "ups.load": 40 }), "mains_normal", params)).toBe("none");
  });
});
