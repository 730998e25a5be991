// The agent judges ups.mains_normal with the config's room_power_stability parameters, as the server
// does (createProbers passes them to the SNMP prober).
import { afterAll, beforeAll, expect, it } from "vitest";
import { proberFor } from "../../agent/probers/index.js";
import { Indicators } from "../../config/indicators.js";
import { Check, type SnmpCheck } from "../../config/schema.js";
import { startUpsSimulator, type UpsSimulator } from "../../sim/ups-snmp.js";

let sim: UpsSimulator;
beforeAll(async () => {
  sim = await startUpsSimulator({ port: 0 });
});
afterAll(() => sim?.close());

const check = () =>
  Check.parse({
    id: "ups",
    kind: "snmp",
    address: `127.0.0.1:${sim.port}`,
    timeout: "2s",
    profile: "ups-rfc1628",
  }) as SnmpCheck;

it("uses nominal voltage and tolerance from the config", async () => {
  // The simulator's mains read about 220 V (± a few volts of jitter).
  const defaults = proberFor("snmp", { indicators: Indicators.parse({}) });
  // 380 V ± 10 %: 342 … 418 V, so 220 V is abnormal.
  const industrial = proberFor("snmp", {
    indicators: Indicators.parse({ room_power_stability: { nominal_voltage: 380, tolerance: 0.1 } }),
  });
  try {
    const a = await defaults.probe(check(), AbortSignal.timeout(2000));
    const b = await industrial.probe(check(), AbortSignal.timeout(2000));
    expect(a.values["input.voltage"]).toBeGreaterThan(200);
    expect(a.values["ups.mains_normal"]).toBe(true);
    expect(b.values["ups.mains_normal"]).toBe(false);
    expect(b.values["ups.load_powered"]).toBe(true);
  } finally {
    defaults.close?.();
    industrial.close?.();
  }
});
