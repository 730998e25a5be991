// The simulators' pure models: every figure computed by hand from the documented rates.
import { describe, expect, it } from "vitest";
import { CommandError, parseQuery, parseWords } from "../../sim/command.js";
import { firewallSnapshot } from "../../sim/firewall-mib.js";
import {
  applyFirewallCommand,
  cpuAt,
  type FirewallState,
  initialFirewallState,
  octetsAt,
  uptimeCs,
} from "../../sim/firewall-model.js";
import { upsSnapshot } from "../../sim/ups-mib.js";
import {
  applyUpsCommand,
  initialUpsState,
  type UpsState,
  upsReadings,
  upsTick,
} from "../../sim/ups-model.js";

describe("command words", () => {
  it("reads key=value words, bare words and JSON", () => {
    expect(parseWords(" mains=fail  reboot ")).toEqual({ mains: "fail", reboot: true });
    expect(parseWords('{"if.GigabitEthernet1/0/1":"down"}')).toEqual({ "if.GigabitEthernet1/0/1": "down" });
    expect(() => parseWords("=x")).toThrow(CommandError);
    expect(() => parseWords("{nope")).toThrow(/not JSON/);
  });

  it("reads query parameters as words", () => {
    expect(parseQuery("?alarms=&reboot&if.GigabitEthernet1%2F0%2F1=down")).toEqual({
      alarms: "",
      reboot: true,
      "if.GigabitEthernet1/0/1": "down",
    });
    expect(() => parseQuery("?a=%E0%A4%A")).toThrow(/bad URL encoding/);
  });
});

describe("UPS model", () => {
  // Times are multiples of 150 s where the load's 300 s wobble is 0: load = 40 %.
  const run = (steps: [number, Record<string, unknown>][]) => {
    let s: UpsState = initialUpsState(0);
    const events = [];
    for (const [t, cmd] of steps) {
      const next = applyUpsCommand(s, cmd, t);
      s = next.state;
      events.push(...next.events);
    }
    return { s, events };
  };

  it("mains failure: on battery, alarms, seconds counting, charge draining at 100 % per 30 min", () => {
    const { s, events } = run([[114_000, { mains: "fail" }]]);
    const r = upsReadings(s, 150_000);
    // 36 s on battery: 100 − 36 × 100/1800 = 98 %; battery 180.0 V + 3.6 × 98 = 2152.8 → 2153 (0.1 V)
    expect(r).toMatchObject({
      outputSource: 5,
      secondsOnBattery: 36,
      charge: 98,
      batteryDecivolts: 2153,
      inputVolts: 0,
      inputDecihertz: 0,
      outputVolts: 220,
      load: 40,
      // 98 % × 30 min × 40 % / 40 % = 29.4 → 29
      minutesRemaining: 29,
      // 40 % × 9000 W = 3600 W; 3600 / 220 V = 16.36 A → 164 (0.1 A)
      outputWatts: 3600,
      outputDeciamps: 164,
      lineBads: 1,
      uptimeCs: 15_000,
    });
    expect(s.alarms).toEqual([
      { id: 1, name: "OnBattery", since: 114_000 },
      { id: 2, name: "InputBad", since: 114_000 },
    ]);
    expect(events.map((e) => e.kind)).toEqual(["on-battery", "alarm-added", "alarm-added"]);
  });

  it("keeps alarm rows stable, recharges 1 %/min, and reset clears all", () => {
    const { s, events } = run([
      [114_000, { mains: "fail" }],
      [150_000, { battery: "low" }], // charge min(98, 20) = 20
      [180_000, { mains: "normal" }], // 30 s more on battery: 20 − 30/18 = 18.33; held while low
      [180_000, { battery: "normal" }],
    ]);
    expect(s.alarms).toEqual([]);
    expect(events.filter((e) => e.kind === "alarm-removed").map((e) => "alarm" in e && e.alarm.id)).toEqual([
      1, 2, 3,
    ]);
    // 10 min at 1 %/min: 18.33 + 10 = 28.33 → 28
    expect(upsReadings(s, 780_000).charge).toBe(28);
    expect(upsReadings(s, 780_000).batteryStatus).toBe(2);
    const after = applyUpsCommand(s, { reset: true, output: "off" }, 780_000).state;
    expect(upsReadings(after, 780_000)).toMatchObject({
      outputSource: 2,
      charge: 100,
      load: 0,
      outputVolts: 0,
    });
    // ids keep counting: 1–3 were used
    expect(after.alarms).toEqual([{ id: 4, name: "UpsOutputOff", since: 780_000 }]);
    expect(after.lineBads).toBe(1);
  });

  it("low battery keeps its row while mains fails and returns", () => {
    const { s } = run([
      [0, { battery: "low" }],
      [10_000, { mains: "fail" }],
      [20_000, { mains: "normal" }],
    ]);
    expect(s.alarms).toEqual([{ id: 1, name: "LowBattery", since: 0 }]);
    expect(upsReadings(s, 20_000).batteryStatus).toBe(3);
  });

  it("output source precedence: off > battery > bypass; overload 115 %", () => {
    const bypass = run([[0, { bypass: "on", overload: "on" }]]).s;
    expect(upsReadings(bypass, 0)).toMatchObject({ outputSource: 4, load: 115 });
    expect(bypass.alarms.map((a) => [a.id, a.name])).toEqual([
      [1, "OutputOverload"],
      [2, "OnBypass"],
    ]);
    const battery = applyUpsCommand(bypass, { mains: "fail" }, 1000).state;
    expect(upsReadings(battery, 1000).outputSource).toBe(5);
    expect(battery.alarms.map((a) => a.name)).toEqual(["OutputOverload", "OnBattery", "InputBad"]);
    const off = applyUpsCommand(battery, { output: "off" }, 2000).state;
    expect(upsReadings(off, 2000)).toMatchObject({ outputSource: 2, secondsOnBattery: 0 });
  });

  it("repeats the on-battery event every minute", () => {
    const s = run([[0, { mains: "fail" }]]).s;
    expect(upsTick(s, 59_999).events).toEqual([]);
    const next = upsTick(s, 60_000);
    expect(next.events).toEqual([{ kind: "on-battery" }]);
    expect(upsTick(next.state, 119_999).events).toEqual([]);
    expect(upsTick(applyUpsCommand(s, { mains: "normal" }, 30_000).state, 90_000).events).toEqual([]);
  });

  it("extra alarms by name; refuses unknown keys and values", () => {
    const s = run([[0, { alarms: "ShutdownImminent,UpsSystemOff" }]]).s;
    expect(s.alarms.map((a) => a.name)).toEqual(["UpsSystemOff", "ShutdownImminent"]);
    expect(
      run([
        [0, { alarms: "ShutdownImminent" }],
        [1, { alarms: "" }],
      ]).s.alarms,
    ).toEqual([]);
    expect(() => run([[0, { mains: "off" }]])).toThrow(/mains: Invalid option/);
    expect(() => run([[0, { power: "off" }]])).toThrow(/"power".*known: reset, mains/);
    expect(() => run([[0, { alarms: "Bogus" }]])).toThrow(CommandError);
  });

  it("serves the alarm table and APC's numbering", () => {
    const s = run([[100_000, { mains: "fail" }]]).s;
    const r = upsReadings(s, 150_000);
    const rfc = upsSnapshot("rfc1628", s, r, "ups-1");
    expect(rfc.scalars.upsAlarmsPresent).toBe(2);
    expect(rfc.tables.upsAlarm).toEqual([
      // upsAlarmTime: sysUpTime at 100 s = 10000 cs
      { upsAlarmId: 1, upsAlarmDescr: "1.3.6.1.2.1.33.1.6.3.2", upsAlarmTime: 10_000 },
      { upsAlarmId: 2, upsAlarmDescr: "1.3.6.1.2.1.33.1.6.3.6", upsAlarmTime: 10_000 },
    ]);
    const apc = upsSnapshot("apc", s, r, "ups-1");
    expect(apc.scalars).toMatchObject({
      upsBasicOutputStatus: 3, // onBattery
      upsBasicBatteryTimeOnBattery: 5000, // 50 s in TimeTicks
      upsAdvBatteryRunTimeRemaining: 29 * 60 * 100, // 29 min (charge 97.2 → 97: 29.1 → 29)
      upsAdvInputLineVoltage: 0,
    });
  });
});

describe("firewall model", () => {
  const uplink = (s: FirewallState) => s.interfaces[1] as FirewallState["interfaces"][number];
  const at = (s: FirewallState, t: number) => octetsAt(s, uplink(s), t).in;
  const step = (s: FirewallState, cmd: Record<string, unknown>, t: number) => applyFirewallCommand(s, cmd, t);

  // Uplink in: 300 Mbit/s ± 120 Mbit/s over 600 s. Octets to s seconds: (300e6·s + (120e6/w)(1 − cos ws))/8,
  // w = 2π/600; 120e6/w = 11 459 155 902.6.
  it("counts octets along the traffic curve", () => {
    const s = initialFirewallState(0);
    // 150 s (cos = 0): (4.5e10 + 1.14591559026e10)/8 = 7 057 394 487.8
    expect(at(s, 150_000)).toBe(7_057_394_487);
    // 600 s (cos = 1): 300e6 × 600 / 8 = 22.5e9
    expect(at(s, 600_000)).toBe(22_500_000_000);
  });

  it("freezes a down interface's counters, resumes when up, zeroes them on reboot", () => {
    let s = initialFirewallState(0);
    const down = step(s, { "if.GigabitEthernet1/0/1": "down" }, 150_000);
    expect(down.events).toEqual([{ kind: "link", index: 2, up: false }]);
    s = down.state;
    expect(at(s, 600_000)).toBe(7_057_394_487);
    s = step(s, { "if.uplink-internet": "up" }, 600_000).state;
    // 7 057 394 487 + F(750 s) − F(600 s) = 7 057 394 487 + 7 057 394 487.8 → 14 114 788 974
    expect(at(s, 750_000)).toBe(14_114_788_974);
    const reboot = step(s, { reboot: true }, 750_000);
    expect(reboot.events).toEqual([{ kind: "cold-start" }]);
    s = reboot.state;
    expect(uptimeCs(s, 750_000)).toBe(0);
    expect(at(s, 750_000)).toBe(0);
    // F(900) − F(750) = 7 057 394 487.8
    expect(at(s, 900_000)).toBe(7_057_394_487);
    expect(uptimeCs(s, 900_000)).toBe(15_000);
    const snap = firewallSnapshot("huawei", s, 900_000, "fw-a");
    const row = snap.tables.ifTable?.[1];
    // ifInOctets is the Counter32: 7 057 394 487 − 2^32 = 2 762 427 191
    expect(row).toMatchObject({ ifIndex: 2, ifInOctets: 2_762_427_191, ifOperStatus: 1, ifLastChange: 0 });
    expect(snap.tables.ifXTable?.[1]).toMatchObject({
      ifName: "GigabitEthernet1/0/1",
      ifHCInOctets: 7_057_394_487n,
    });
  });

  it("HA role, CPU and memory, reset", () => {
    let s = step(
      initialFirewallState(0, "master"),
      { ha: "backup", cpu: "high", mem: 88, "if.2": "down" },
      0,
    ).state;
    let snap = firewallSnapshot("h3c", s, 0, "fw-b");
    expect(snap.tables.vrrpOperTable?.map((r) => [r.ifIndex, r.vrrpOperVrId, r.vrrpOperState])).toEqual([
      [2, 1, 2],
      [3, 2, 2],
    ]);
    expect(snap.tables.entityState).toEqual([
      { entPhysicalIndex: 1, cpuUsage: 0, memUsage: 0 },
      { entPhysicalIndex: 2, cpuUsage: 95, memUsage: 88 },
    ]);
    const reset = step(s, { reset: true }, 1000);
    expect(reset.events).toEqual([{ kind: "link", index: 2, up: true }]);
    s = reset.state;
    snap = firewallSnapshot("huawei", s, 1000, "fw-a");
    expect(snap.tables.vrrpOperTable?.[0]?.vrrpOperState).toBe(3);
    expect(cpuAt(s, 1000)).toBeGreaterThanOrEqual(14);
    expect(cpuAt(s, 1000)).toBeLessThanOrEqual(26);
    expect(snap.tables.ifTable?.[1]?.ifLastChange).toBe(100); // up again at 1 s
  });

  it("refuses unknown interfaces and keys, naming what exists", () => {
    const s = initialFirewallState(0);
    expect(() => step(s, { "if.Eth9": "down" }, 0)).toThrow(
      /no such interface; known: GigabitEthernet0\/0\/0 \(mgmt, 1\)/,
    );
    expect(() => step(s, { "if.2": "sideways" }, 0)).toThrow(CommandError);
    expect(() => step(s, { cpu: 101 }, 0)).toThrow(/cpu/);
    expect(() => step(s, { shutdown: true }, 0)).toThrow(/known: reset, reboot/);
  });
});
