// The simulated UPS as pure data: its state, the commands that flip it, and what it measures at an
// instant (time is always passed in, so every figure can be computed by hand in a test).
import { z } from "zod";
import { type CommandInput, parseCommand } from "./command.js";

/** RFC 1628 well-known alarms: name → N of upsWellKnownAlarms 1.3.6.1.2.1.33.1.6.3.N. */
export const UPS_ALARMS = {
  BatteryBad: 1,
  OnBattery: 2,
  LowBattery: 3,
  DepletedBattery: 4,
  TempBad: 5,
  InputBad: 6,
  OutputBad: 7,
  OutputOverload: 8,
  OnBypass: 9,
  BypassBad: 10,
  OutputOffAsRequested: 11,
  UpsOffAsRequested: 12,
  ChargerFailed: 13,
  UpsOutputOff: 14,
  UpsSystemOff: 15,
  FanFailure: 16,
  FuseFailure: 17,
  GeneralFault: 18,
  DiagnosticTestFailed: 19,
  CommunicationsLost: 20,
  AwaitingPower: 21,
  ShutdownPending: 22,
  ShutdownImminent: 23,
  TestInProgress: 24,
} as const;
export type AlarmName = keyof typeof UPS_ALARMS;
const alarmNames = Object.keys(UPS_ALARMS) as [AlarmName, ...AlarmName[]];

/** A full battery lasts this long on battery; it recharges at RECHARGE_PER_S on mains. */
export const RUNTIME_FULL_S = 30 * 60;
const DRAIN_PER_S = 100 / RUNTIME_FULL_S; // % per second
const RECHARGE_PER_S = 1 / 60; // % per second (1 % a minute)
/** `battery=low` drops the charge to at most this. */
export const LOW_CHARGE = 20;
export const NOMINAL_VOLTS = 220;
export const ON_BATTERY_REPEAT_MS = 60_000;
const RATED_WATTS = 9000;

const OnOff = z.enum(["on", "off"]);
export const UpsCommand = z.strictObject({
  reset: z.literal(true).optional(),
  mains: z.enum(["normal", "fail"]).optional(),
  battery: z.enum(["normal", "low"]).optional(),
  output: OnOff.optional(),
  bypass: OnOff.optional(),
  overload: OnOff.optional(),
  alarms: z
    .preprocess(
      (v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v),
      z.array(z.enum(alarmNames)),
    )
    .optional(),
});
export type UpsCommand = z.infer<typeof UpsCommand>;

export interface UpsAlarm {
  /** upsAlarmId: unique while the UPS runs, kept as long as the alarm is present. */
  id: number;
  name: AlarmName;
  /** When it appeared (ms). */
  since: number;
}

export interface UpsState {
  bootAt: number;
  mains: "normal" | "fail";
  battery: "normal" | "low";
  output: "on" | "off";
  bypass: "on" | "off";
  overload: "on" | "off";
  /** Alarms asked for by name on top of those the state implies (e.g. ShutdownImminent). */
  extraAlarms: AlarmName[];
  mainsFailedAt: number | null;
  /** When the last on-battery event was raised: RFC 1628 repeats upsTrapOnBattery every minute. */
  onBatteryEventAt: number | null;
  /** Charge (%) at an instant; it drains or recharges linearly from there. */
  charge: { percent: number; at: number };
  lineBads: number;
  alarms: UpsAlarm[];
  nextAlarmId: number;
}

export type UpsEvent =
  | { kind: "on-battery" }
  | { kind: "alarm-added"; alarm: UpsAlarm }
  | { kind: "alarm-removed"; alarm: UpsAlarm };

export function initialUpsState(now: number): UpsState {
  return {
    bootAt: now,
    mains: "normal",
    battery: "normal",
    output: "on",
    bypass: "off",
    overload: "off",
    extraAlarms: [],
    mainsFailedAt: null,
    onBatteryEventAt: null,
    charge: { percent: 100, at: now },
    lineBads: 0,
    alarms: [],
    nextAlarmId: 1,
  };
}

/** upsOutputSource: none(2) when the output is off, battery(5) on mains failure, bypass(4), normal(3). */
export function outputSource(s: UpsState): 2 | 3 | 4 | 5 {
  if (s.output === "off") return 2;
  if (s.mains === "fail") return 5;
  return s.bypass === "on" ? 4 : 3;
}

export function chargeAt(s: UpsState, now: number): number {
  const dt = Math.max(0, now - s.charge.at) / 1000;
  if (outputSource(s) === 5) return Math.max(0, s.charge.percent - DRAIN_PER_S * dt);
  if (s.mains === "normal" && s.battery === "normal")
    return Math.min(100, s.charge.percent + RECHARGE_PER_S * dt);
  return s.charge.percent;
}

/** The alarms the state implies, in RFC 1628 order. */
function impliedAlarms(s: UpsState): AlarmName[] {
  const source = outputSource(s);
  const names = new Set<AlarmName>(s.extraAlarms);
  if (source === 5) names.add("OnBattery");
  if (s.battery === "low") names.add("LowBattery");
  if (s.mains === "fail") names.add("InputBad");
  if (s.overload === "on") names.add("OutputOverload");
  if (source === 4) names.add("OnBypass");
  if (s.output === "off") names.add("UpsOutputOff");
  return [...names].sort((a, b) => UPS_ALARMS[a] - UPS_ALARMS[b]);
}

/**
 * Applies a command (validated; CommandError otherwise) at `now`. Alarm rows that stay keep their id and
 * time; the events say what a real UPS would send traps for.
 */
export function applyUpsCommand(
  prev: UpsState,
  input: CommandInput,
  now: number,
): { state: UpsState; events: UpsEvent[] } {
  const cmd = parseCommand(UpsCommand, input);
  // Re-anchor the charge: the drain or recharge rate may change below.
  let s: UpsState = { ...prev, charge: { percent: chargeAt(prev, now), at: now } };
  if (cmd.reset) {
    s = {
      ...initialUpsState(now),
      bootAt: s.bootAt,
      lineBads: s.lineBads,
      alarms: s.alarms,
      nextAlarmId: s.nextAlarmId,
    };
  }
  if (cmd.mains && cmd.mains !== s.mains) {
    s.mains = cmd.mains;
    s.mainsFailedAt = cmd.mains === "fail" ? now : null;
    if (cmd.mains === "fail") s.lineBads++;
  }
  if (cmd.battery) {
    s.battery = cmd.battery;
    if (cmd.battery === "low") s.charge = { percent: Math.min(s.charge.percent, LOW_CHARGE), at: now };
  }
  if (cmd.output) s.output = cmd.output;
  if (cmd.bypass) s.bypass = cmd.bypass;
  if (cmd.overload) s.overload = cmd.overload;
  if (cmd.alarms) s.extraAlarms = cmd.alarms;

  const events: UpsEvent[] = [];
  if (outputSource(s) !== 5) s.onBatteryEventAt = null;
  else if (outputSource(prev) !== 5) {
    events.push({ kind: "on-battery" });
    s.onBatteryEventAt = now;
  }
  const wanted = impliedAlarms(s);
  const kept = s.alarms.filter((a) => wanted.includes(a.name));
  for (const alarm of s.alarms) if (!kept.includes(alarm)) events.push({ kind: "alarm-removed", alarm });
  let nextAlarmId = s.nextAlarmId;
  const added = wanted
    .filter((name) => !kept.some((a) => a.name === name))
    .map((name) => ({ id: nextAlarmId++, name, since: now }));
  for (const alarm of added) events.push({ kind: "alarm-added", alarm });
  return { state: { ...s, alarms: [...kept, ...added], nextAlarmId }, events };
}

/** Events due by time alone: on battery, the on-battery event again every minute. */
export function upsTick(s: UpsState, now: number): { state: UpsState; events: UpsEvent[] } {
  if (s.onBatteryEventAt === null || now - s.onBatteryEventAt < ON_BATTERY_REPEAT_MS)
    return { state: s, events: [] };
  return { state: { ...s, onBatteryEventAt: now }, events: [{ kind: "on-battery" }] };
}

/** What the UPS measures at `now`, in RFC 1628 units. */
export interface UpsReadings {
  uptimeCs: number;
  outputSource: 2 | 3 | 4 | 5;
  /** upsBatteryStatus: normal 2, low 3. */
  batteryStatus: 2 | 3;
  charge: number;
  secondsOnBattery: number;
  minutesRemaining: number;
  /** 0.1 V DC. */
  batteryDecivolts: number;
  inputVolts: number;
  /** 0.1 Hz. */
  inputDecihertz: number;
  /** 0.1 A. */
  inputDeciamps: number;
  inputWatts: number;
  outputVolts: number;
  outputDecihertz: number;
  outputDeciamps: number;
  outputWatts: number;
  /** % of rated power. */
  load: number;
  bypassVolts: number;
  lineBads: number;
}

/** A slow deterministic wobble (no randomness: the model stays a function of time). */
const wobble = (now: number, amplitude: number, periodS: number) =>
  Math.round(amplitude * Math.sin((2 * Math.PI * now) / (periodS * 1000)));

export function upsReadings(s: UpsState, now: number): UpsReadings {
  const source = outputSource(s);
  const mains = s.mains === "normal";
  const powered = source !== 2;
  const charge = Math.round(chargeAt(s, now));
  const load = !powered ? 0 : s.overload === "on" ? 115 : 40 + wobble(now, 4, 300);
  const outputWatts = Math.round((load / 100) * RATED_WATTS);
  const outputVolts = powered ? NOMINAL_VOLTS : 0;
  const inputVolts = mains ? NOMINAL_VOLTS + wobble(now, 2.5, 47) : 0;
  // Runtime scales with charge and inversely with load (30 min full at 40 %); an idle UPS is capped at 2 h.
  const minutesRemaining = Math.round(
    Math.min(120, ((charge / 100) * (RUNTIME_FULL_S / 60) * 40) / Math.max(load, 10)),
  );
  return {
    uptimeCs: Math.floor((now - s.bootAt) / 10),
    outputSource: source,
    batteryStatus: s.battery === "low" ? 3 : 2,
    charge,
    secondsOnBattery:
      source === 5 && s.mainsFailedAt !== null ? Math.floor((now - s.mainsFailedAt) / 1000) : 0,
    minutesRemaining,
    // 16 × 12 V blocks: 180.0 V empty to 216.0 V full.
    batteryDecivolts: 1800 + Math.round(3.6 * charge),
    inputVolts,
    inputDecihertz: mains ? 500 : 0,
    inputDeciamps: mains ? Math.round((10 * outputWatts) / inputVolts) : 0,
    inputWatts: mains ? outputWatts : 0,
    outputVolts,
    outputDecihertz: powered ? 500 : 0,
    outputDeciamps: powered ? Math.round((10 * outputWatts) / outputVolts) : 0,
    outputWatts,
    load,
    bypassVolts: inputVolts,
    lineBads: s.lineBads,
  };
}

/** The state as a person reads it (GET /state). */
export function describeUps(s: UpsState, now: number) {
  return {
    mains: s.mains,
    battery: s.battery,
    output: s.output,
    bypass: s.bypass,
    overload: s.overload,
    alarms: s.alarms.map((a) => a.name),
    readings: upsReadings(s, now),
  };
}
