import { describe, expect, it } from "vitest";
import type { VarbindResult } from "../../agent/snmp/client.js";
import { normalize, type PollInput } from "../../agent/snmp/normalize.js";
import { counterRate } from "../../agent/snmp/normalize-rates.js";
import type { CompiledProfile } from "../../agent/snmp/profile-compile.js";
import { alarmWalk, planPoll } from "../../agent/snmp/profile-plan.js";
import { loadProfiles } from "../../agent/snmp/profile-registry.js";

const registry = loadProfiles();
const mains = { nominalVoltage: 220, tolerance: 0.15 };
const ups = "1.3.6.1.2.1.33.1";
const apc = "1.3.6.1.4.1.318.1.1.1";

/** GET answers from { oid: value }; null = noSuchObject. */
const got = (answers: Record<string, string | number | null>) =>
  new Map<string, VarbindResult>(
    Object.entries(answers).map(([oid, value]) => [
      oid,
      value === null ? { oid, error: "noSuchObject" } : { oid, value },
    ]),
  );

function run(profile: CompiledProfile, raw: Partial<PollInput["raw"]>, extra: Partial<PollInput> = {}) {
  return normalize({
    profile,
    oids: {},
    designated: [],
    interfaces: new Map(),
    raw: { got: raw.got ?? new Map(), walked: raw.walked ?? new Map() },
    counters: new Map(),
    now: 1_000_000,
    mains,
    ...extra,
  });
}

/** A healthy RFC 1628 UPS on mains. */
const rfcNormal = {
  [`${ups}.1.1.0`]: "ACME",
  [`${ups}.1.2.0`]: "Power 3000",
  [`${ups}.2.1.0`]: 2,
  [`${ups}.2.2.0`]: 0,
  [`${ups}.2.3.0`]: 42,
  [`${ups}.2.4.0`]: 100,
  [`${ups}.2.5.0`]: 545,
  [`${ups}.3.1.0`]: 3,
  [`${ups}.3.3.1.2.1`]: 499,
  [`${ups}.3.3.1.3.1`]: 221,
  [`${ups}.4.1.0`]: 3,
  [`${ups}.4.4.1.2.1`]: 220,
  [`${ups}.4.4.1.5.1`]: 37,
  [`${ups}.6.1.0`]: 0,
};
const alarmTable = `${ups}.6.2.1.2`;
const alarmRows = (...ids: number[]): VarbindResult[] =>
  ids.map((id, i) => ({ oid: `${alarmTable}.${i + 1}`, value: `${ups}.6.3.${id}` }));

describe("ups-rfc1628", () => {
  const profile = registry.compile(["ups-rfc1628"]);

  it("plans one GET and no walk: a healthy UPS costs one round trip", () => {
    const plan = planPoll(profile, {}, new Map());
    expect(plan.walks).toEqual([]);
    expect(plan.get).toHaveLength(14);
    expect(plan.get).toContain(`${ups}.6.1.0`);
    // the alarm table only once upsAlarmsPresent > 0
    expect(alarmWalk(profile, got(rfcNormal))).toBeUndefined();
    expect(alarmWalk(profile, got({ ...rfcNormal, [`${ups}.6.1.0`]: 1 }))).toBe(alarmTable);
    expect(alarmWalk(profile, got({ ...rfcNormal, [`${ups}.6.1.0`]: null }))).toBeUndefined();
  });

  it("normalizes a healthy UPS on mains", () => {
    const { values, missing } = run(profile, { got: got(rfcNormal) });
    expect(missing).toEqual([]);
    expect(values).toEqual({
      "ups.mfr": "ACME",
      "ups.model": "Power 3000",
      "battery.status": 2,
      "battery.seconds_on_battery": 0,
      "battery.runtime": 2520, // 42 min × 60
      "battery.charge": 100,
      "battery.voltage": 54.5, // 545 × 0.1 V, without binary noise
      "input.line_bads": 3,
      "input.frequency": 49.9, // 499 × 0.1 Hz
      "input.voltage": 221,
      "ups.output_source": 3,
      "output.voltage": 220,
      "ups.load": 37,
      "ups.alarms_present": 0,
      "ups.alarms": "",
      "ups.status": "OL",
      "ups.load_powered": true,
      "ups.mains_normal": true,
      "snmp.profile": "ups-rfc1628",
    });
  });

  it("on battery: OB, mains abnormal, load powered; alarms by name from the walked table", () => {
    const { values } = run(profile, {
      got: got({ ...rfcNormal, [`${ups}.4.1.0`]: 5, [`${ups}.3.3.1.3.1`]: 0, [`${ups}.6.1.0`]: 2 }),
      walked: new Map([[alarmTable, alarmRows(2, 6)]]),
    });
    expect(values).toMatchObject({
      "ups.status": "OB",
      "ups.alarms": "OnBattery, InputBad",
      "ups.alarms_present": 2,
      "ups.load_powered": true,
      "ups.mains_normal": false,
    });
  });

  it("low battery while on battery: OB LB", () => {
    const { values } = run(profile, { got: got({ ...rfcNormal, [`${ups}.4.1.0`]: 5, [`${ups}.2.1.0`]: 3 }) });
    expect(values["ups.status"]).toBe("OB LB");
  });

  it("output off: OFF and the load unpowered (source none, UpsOutputOff alarm)", () => {
    const { values } = run(profile, {
      got: got({ ...rfcNormal, [`${ups}.4.1.0`]: 2, [`${ups}.6.1.0`]: 1 }),
      walked: new Map([[alarmTable, alarmRows(14)]]),
    });
    expect(values).toMatchObject({
      "ups.status": "OFF",
      "ups.alarms": "UpsOutputOff",
      "ups.load_powered": false,
      "ups.mains_normal": true, // 221 V is within 220 V ± 15 % (187–253)
    });
  });

  it("bypass with overload and a bad battery: OL BYPASS OVER RB; an unknown alarm OID is named by its OID", () => {
    const { values } = run(profile, {
      got: got({ ...rfcNormal, [`${ups}.4.1.0`]: 4, [`${ups}.6.1.0`]: 3 }),
      walked: new Map([
        [alarmTable, [...alarmRows(8, 1), { oid: `${alarmTable}.9`, value: "1.3.6.1.4.1.99.1" }]],
      ]),
    });
    expect(values["ups.status"]).toBe("OL BYPASS OVER RB");
    expect(values["ups.alarms"]).toBe("OutputOverload, BatteryBad, 1.3.6.1.4.1.99.1");
  });

  it("input voltage outside 220 V ± 15 % is mains abnormal although on line", () => {
    // 220 × 1.15 = 253 is the bound (normal); 254 is outside
    expect(
      run(profile, { got: got({ ...rfcNormal, [`${ups}.3.3.1.3.1`]: 253 }) }).values["ups.mains_normal"],
    ).toBe(true);
    expect(
      run(profile, { got: got({ ...rfcNormal, [`${ups}.3.3.1.3.1`]: 254 }) }).values["ups.mains_normal"],
    ).toBe(false);
  });

  it("lists objects that did not answer and keeps the rest; without upsAlarmsPresent the alarms are unknown", () => {
    const { values, missing } = run(profile, {
      got: got({ ...rfcNormal, [`${ups}.2.5.0`]: null, [`${ups}.6.1.0`]: null, [`${ups}.4.4.1.5.1`]: "n/a" }),
    });
    expect(missing).toEqual([
      `battery.voltage (${ups}.2.5.0): noSuchObject`,
      `ups.alarms_present (${ups}.6.1.0): noSuchObject`,
    ]);
    expect(values["battery.voltage"]).toBeUndefined();
    expect(values["ups.alarms"]).toBeUndefined();
    expect(values["ups.load"]).toBe("n/a"); // unscaled: passed through as the device sent it
    expect(values["ups.load_powered"]).toBe(true);
  });

  it("a check's extra oids are reported raw next to the profile's values", () => {
    const { values } = run(
      profile,
      { got: got({ ...rfcNormal, "1.3.6.1.2.1.1.5.0": "ups-a" }) },
      {
        oids: { "sys.name": ".1.3.6.1.2.1.1.5.0" },
      },
    );
    expect(values["sys.name"]).toBe("ups-a");
  });
});

describe("ups-apc: PowerNet values mapped onto RFC 1628 numbering", () => {
  const profile = registry.compile(["ups-apc"]);
  const apcNormal = {
    [`${apc}.1.1.1.0`]: "Smart-UPS 3000",
    [`${apc}.4.1.1.0`]: 2,
    [`${apc}.2.1.1.0`]: 2,
    [`${apc}.2.1.2.0`]: 0,
    [`${apc}.2.2.1.0`]: 97,
    [`${apc}.2.2.3.0`]: 372000, // TimeTicks: 3720 s
    [`${apc}.2.2.8.0`]: 54,
    [`${apc}.3.2.1.0`]: 228,
    [`${apc}.3.2.4.0`]: 50,
    [`${apc}.4.2.1.0`]: 230,
    [`${apc}.4.2.3.0`]: 41,
  };

  it("on line", () => {
    const { values, missing } = run(profile, { got: got(apcNormal) });
    expect(missing).toEqual([]);
    expect(values).toMatchObject({
      "ups.output_source": 3,
      "battery.runtime": 3720, // 372000 cs × 0.01
      "ups.alarms": "",
      "ups.alarms_present": 0,
      "ups.status": "OL",
      "ups.load_powered": true,
      "ups.mains_normal": true,
    });
  });

  it("onBattery(3) → battery(5) with the OnBattery alarm; batteryLow(3) → LB", () => {
    const { values } = run(profile, {
      got: got({ ...apcNormal, [`${apc}.4.1.1.0`]: 3, [`${apc}.2.1.1.0`]: 3, [`${apc}.2.1.2.0`]: 12345 }),
    });
    expect(values).toMatchObject({
      "ups.output_source": 5,
      "battery.status": 3,
      "battery.seconds_on_battery": 123.45,
      "ups.alarms": "OnBattery, LowBattery",
      "ups.alarms_present": 2,
      "ups.status": "OB LB",
      "ups.load_powered": true,
      "ups.mains_normal": false,
    });
  });

  it("off(7) → none(2): load unpowered; onSmartTrim(12) → reducer(7); an unlisted status → other(1)", () => {
    const status = (n: number) => run(profile, { got: got({ ...apcNormal, [`${apc}.4.1.1.0`]: n }) }).values;
    expect(status(7)).toMatchObject({
      "ups.output_source": 2,
      "ups.status": "OFF",
      "ups.load_powered": false,
    });
    expect(status(12)).toMatchObject({ "ups.output_source": 7, "ups.status": "OL TRIM" });
    expect(status(99)).toMatchObject({ "ups.output_source": 1, "ups.status": "" });
  });
});

describe("devices", () => {
  it("firewall-huawei: CPU and memory averaged over the entities that have them", () => {
    const cpu = "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5";
    const mem = "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7";
    const profile = registry.compile(["firewall-huawei"]);
    expect(planPoll(profile, {}, new Map())).toEqual({
      get: ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"],
      walks: [cpu, mem],
    });
    const rows = (col: string, vals: number[]) =>
      vals.map((value, i) => ({ oid: `${col}.${16 + i}`, value }));
    const { values } = run(profile, {
      got: got({
        "1.3.6.1.2.1.1.3.0": 123456,
        "1.3.6.1.2.1.1.1.0": "USG6550",
        "1.3.6.1.2.1.1.2.0": "1.3.6.1.4.1.2011.2.239.1",
      }),
      walked: new Map([
        [cpu, rows(cpu, [0, 12, 0, 19])], // (12 + 19) / 2 = 15.5; zero rows are boards without a CPU
        [mem, rows(mem, [0, 40, 0, 45])], // (40 + 45) / 2 = 42.5
      ]),
    });
    expect(values).toEqual({
      "sys.uptime_seconds": 1234.56,
      "sys.descr": "USG6550",
      "sys.object_id": "1.3.6.1.4.1.2011.2.239.1",
      "fw.cpu_percent": 15.5,
      "fw.mem_percent": 42.5,
      "snmp.profile": "firewall-huawei",
    });
  });

  it("host-resources: memory = 100 × used / size of the RAM rows only", () => {
    const s = "1.3.6.1.2.1.25.2.3.1";
    const profile = registry.compile(["host-resources"]);
    const { values } = run(profile, {
      walked: new Map([
        ["1.3.6.1.2.1.25.3.3.1.2", [{ oid: "1.3.6.1.2.1.25.3.3.1.2.196608", value: 7 }]],
        [
          `${s}.2`,
          [
            { oid: `${s}.2.1`, value: "1.3.6.1.2.1.25.2.1.2" },
            { oid: `${s}.2.31`, value: "1.3.6.1.2.1.25.2.1.4" },
          ],
        ],
        [
          `${s}.5`,
          [
            { oid: `${s}.5.1`, value: 8000 },
            { oid: `${s}.5.31`, value: 100 },
          ],
        ],
        [
          `${s}.6`,
          [
            { oid: `${s}.6.1`, value: 2000 },
            { oid: `${s}.6.31`, value: 99 },
          ],
        ],
      ]),
    });
    expect(values["fw.cpu_percent"]).toBe(7);
    expect(values["fw.mem_percent"]).toBe(25); // 100 × 2000 / 8000; the disk row (31) is left out
  });

  it("vrrp: master of any virtual router is 3", () => {
    const col = "1.3.6.1.2.1.68.1.3.1.3";
    const profile = registry.compile(["vrrp"]);
    const state = (...s: number[]) =>
      run(profile, { walked: new Map([[col, s.map((value, i) => ({ oid: `${col}.1.${i + 1}`, value }))]]) })
        .values["vrrp.state"];
    expect(state(2, 3)).toBe(3);
    expect(state(2, 2)).toBe(2);
    expect(run(profile, {}).missing).toEqual([`vrrp.state (walk ${col}): no rows`]);
  });

  it("if-mib: designated interfaces by row index, bits/s from the previous poll's octets", () => {
    const profile = registry.compile(["if-mib"]);
    const designated = [
      { match: "GigabitEthernet1/0/1", name: "uplink" },
      { match: "ha-link", name: "ha" },
    ];
    const interfaces = new Map([["uplink", "3"]]);
    expect(planPoll(profile, {}, interfaces).get).toEqual([
      "1.3.6.1.2.1.2.2.1.8.3",
      "1.3.6.1.2.1.31.1.1.1.6.3",
      "1.3.6.1.2.1.31.1.1.1.10.3",
    ]);
    const poll = (now: number, inOctets: number, outOctets: number, counters = new Map()) =>
      run(
        profile,
        {
          got: got({
            "1.3.6.1.2.1.2.2.1.8.3": 1,
            "1.3.6.1.2.1.31.1.1.1.6.3": inOctets,
            "1.3.6.1.2.1.31.1.1.1.10.3": outOctets,
          }),
        },
        { designated, interfaces, now, counters },
      );
    const first = poll(0, 1_000_000, 5_000);
    expect(first.values).toEqual({ "if.uplink.oper_status": 1, "snmp.profile": "if-mib" }); // no rate yet
    expect(first.missing).toEqual(['if.ha: no interface named "ha-link"']);
    // 30 s later: in +3,750,000 octets → 3,750,000 × 8 / 30 = 1,000,000 bit/s; out +0 → 0
    const second = poll(30_000, 4_750_000, 5_000, first.counters);
    expect(second.values["if.uplink.in_bps"]).toBe(1_000_000);
    expect(second.values["if.uplink.out_bps"]).toBe(0);
    // the counter went down (device reboot, counters cleared): no rate for that poll
    const third = poll(60_000, 10, 5_000, second.counters);
    expect(third.values["if.uplink.in_bps"]).toBeUndefined();
    expect(poll(90_000, 810, 5_000, third.counters).values["if.uplink.in_bps"]).toBe(213.333333333333); // 800 × 8 / 30
  });

  it("a designated interface whose row vanished is reported stale (to be found by name again)", () => {
    const profile = registry.compile(["if-mib"]);
    const { stale, missing } = run(
      profile,
      {
        got: new Map([["1.3.6.1.2.1.2.2.1.8.3", { oid: "1.3.6.1.2.1.2.2.1.8.3", error: "noSuchInstance" }]]),
      },
      { designated: [{ match: "eth0", name: "eth0" }], interfaces: new Map([["eth0", "3"]]) },
    );
    expect(stale).toEqual(["eth0"]);
    expect(missing[0]).toBe("if.eth0.oper_status (1.3.6.1.2.1.2.2.1.8.3): noSuchInstance");
  });
});

describe("counterRate", () => {
  it("is the increase per second × factor, and nothing without a usable previous sample", () => {
    expect(counterRate({ value: 100, at: 0 }, { value: 400, at: 10_000 }, 8)).toBe(240); // 300 × 8 / 10
    expect(counterRate(undefined, { value: 400, at: 10_000 }, 8)).toBeUndefined();
    expect(counterRate({ value: 100, at: 10_000 }, { value: 400, at: 10_000 }, 8)).toBeUndefined();
    expect(counterRate({ value: 2 ** 64 - 10, at: 0 }, { value: 5, at: 10_000 }, 8)).toBeUndefined();
  });
});
