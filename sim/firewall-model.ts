// The simulated boundary firewall as pure data: interfaces with traffic counters, uptime, HA role and
// CPU/memory load, the commands that flip them, and the counters at an instant (time passed in).
import { z } from "zod";
import { CommandError, type CommandInput, parseCommand } from "./command.js";

export type Role = "master" | "backup";

export interface Interface {
  index: number;
  name: string;
  alias: string;
  up: boolean;
  /** When ifOperStatus last changed (ms; the boot time if not since). */
  lastChange: number;
  /** Octets counted since boot up to `at` (ms); traffic flows from there while the interface is up. */
  octets: { in: number; out: number };
  at: number;
}

export interface FirewallState {
  /** The traffic curves' time origin (simulator start). */
  epoch: number;
  bootAt: number;
  role: Role;
  /** The role `reset` returns to. */
  startRole: Role;
  /** Fixed %, or null for a normal, slowly varying load. */
  cpu: number | null;
  mem: number | null;
  interfaces: Interface[];
}

export type FirewallEvent = { kind: "cold-start" } | { kind: "link"; index: number; up: boolean };

/** bits/s: mean, swing (≤ mean, so counters only grow) and period of a sine. */
interface Curve {
  mean: number;
  swing: number;
  periodS: number;
}
const curve = (mean: number, swing: number, periodS = 600): Curve => ({ mean, swing, periodS });
const M = 1e6;

/** The interfaces every simulated firewall has, with their traffic (in, out). */
export const INTERFACES = [
  { name: "GigabitEthernet0/0/0", alias: "mgmt", in: curve(20e3, 10e3), out: curve(50e3, 20e3) },
  {
    name: "GigabitEthernet1/0/1",
    alias: "uplink-internet",
    in: curve(300 * M, 120 * M),
    out: curve(120 * M, 50 * M),
  },
  {
    name: "GigabitEthernet1/0/2",
    alias: "downlink-core",
    in: curve(120 * M, 50 * M),
    out: curve(300 * M, 120 * M),
  },
  {
    name: "GigabitEthernet1/0/3",
    alias: "ha-heartbeat",
    in: curve(2 * M, 0.5 * M, 60),
    out: curve(2 * M, 0.5 * M, 60),
  },
] as const;

/** Octets sent along a curve from `epoch` to `t` (ms): the integral of mean + swing·sin, over 8. */
function octetsSinceEpoch(c: Curve, epoch: number, t: number): number {
  const s = (t - epoch) / 1000;
  const w = (2 * Math.PI) / c.periodS;
  return (c.mean * s + (c.swing / w) * (1 - Math.cos(w * s))) / 8;
}

export function initialFirewallState(now: number, role: Role = "master"): FirewallState {
  return {
    epoch: now,
    bootAt: now,
    role,
    startRole: role,
    cpu: null,
    mem: null,
    interfaces: INTERFACES.map((ifc, i) => ({
      index: i + 1,
      name: ifc.name,
      alias: ifc.alias,
      up: true,
      lastChange: now,
      octets: { in: 0, out: 0 },
      at: now,
    })),
  };
}

/** ifHC{In,Out}Octets at `now` (whole octets). */
export function octetsAt(s: FirewallState, ifc: Interface, now: number): { in: number; out: number } {
  const flow = (dir: "in" | "out") => {
    if (!ifc.up) return ifc.octets[dir];
    const c = (INTERFACES[ifc.index - 1] as (typeof INTERFACES)[number])[dir];
    return ifc.octets[dir] + octetsSinceEpoch(c, s.epoch, now) - octetsSinceEpoch(c, s.epoch, ifc.at);
  };
  return { in: Math.floor(flow("in")), out: Math.floor(flow("out")) };
}

const wobble = (now: number, amplitude: number, periodS: number) =>
  Math.round(amplitude * Math.sin((2 * Math.PI * now) / (periodS * 1000)));
export const HIGH_CPU = 95;
export const HIGH_MEM = 93;
export const cpuAt = (s: FirewallState, now: number) => s.cpu ?? 20 + wobble(now, 6, 180);
export const memAt = (s: FirewallState, now: number) => s.mem ?? 45 + wobble(now, 3, 900);
export const uptimeCs = (s: FirewallState, now: number) => Math.floor((now - s.bootAt) / 10);

const Load = z.union([z.enum(["high", "normal"]), z.coerce.number().int().min(0).max(100)]);
export const FirewallCommand = z.strictObject({
  reset: z.literal(true).optional(),
  reboot: z.literal(true).optional(),
  ha: z.enum(["master", "backup"]).optional(),
  cpu: Load.optional(),
  mem: Load.optional(),
  /** ifName, ifAlias or ifIndex → new ifOperStatus; written `if.<name>=down` as a word. */
  interfaces: z.record(z.string(), z.enum(["up", "down"])).optional(),
});

/** Words say `if.GigabitEthernet1/0/1=down`; the schema wants { interfaces: { …: "down" } }. */
function gatherInterfaces(input: CommandInput): CommandInput {
  const out: CommandInput = {};
  const ifs: Record<string, unknown> = { ...((input.interfaces as object) ?? {}) };
  for (const [k, v] of Object.entries(input)) {
    if (k.startsWith("if.")) ifs[k.slice(3)] = v;
    else if (k !== "interfaces") out[k] = v;
  }
  return Object.keys(ifs).length ? { ...out, interfaces: ifs } : out;
}

function findInterface(interfaces: Interface[], key: string): Interface {
  const ifc = interfaces.find((i) => i.name === key || i.alias === key || String(i.index) === key);
  if (!ifc) {
    const known = interfaces.map((i) => `${i.name} (${i.alias}, ${i.index})`).join(", ");
    throw new CommandError(`interfaces.${key}: no such interface; known: ${known}`);
  }
  return ifc;
}

const level = (v: "high" | "normal" | number, high: number) =>
  v === "normal" ? null : v === "high" ? high : v;

export function applyFirewallCommand(
  prev: FirewallState,
  input: CommandInput,
  now: number,
): { state: FirewallState; events: FirewallEvent[] } {
  const cmd = parseCommand(FirewallCommand, gatherInterfaces(input));
  const events: FirewallEvent[] = [];
  // Freeze every counter at `now`: flows restart from here with the new up/down states.
  let interfaces = prev.interfaces.map((i) => ({ ...i, octets: octetsAt(prev, i, now), at: now }));
  const s: FirewallState = { ...prev };
  const setLink = (index: number, up: boolean) => {
    if (interfaces.find((i) => i.index === index)?.up === up) return;
    interfaces = interfaces.map((i) => (i.index === index ? { ...i, up, lastChange: now } : i));
    events.push({ kind: "link", index, up });
  };
  if (cmd.reset) {
    Object.assign(s, { role: s.startRole, cpu: null, mem: null });
    for (const i of interfaces) setLink(i.index, true);
  }
  if (cmd.reboot) {
    s.bootAt = now;
    interfaces = interfaces.map((i) => ({ ...i, octets: { in: 0, out: 0 }, lastChange: now }));
    events.push({ kind: "cold-start" });
  }
  if (cmd.ha) s.role = cmd.ha;
  if (cmd.cpu !== undefined) s.cpu = level(cmd.cpu, HIGH_CPU);
  if (cmd.mem !== undefined) s.mem = level(cmd.mem, HIGH_MEM);
  for (const [key, status] of Object.entries(cmd.interfaces ?? {}))
    setLink(findInterface(interfaces, key).index, status === "up");
  return { state: { ...s, interfaces }, events };
}

/** The state as a person reads it (GET /state). */
export function describeFirewall(s: FirewallState, now: number) {
  return {
    uptime_s: Math.floor((now - s.bootAt) / 1000),
    ha: s.role,
    cpu: cpuAt(s, now),
    mem: memAt(s, now),
    interfaces: s.interfaces.map((i) => ({
      index: i.index,
      name: i.name,
      alias: i.alias,
      status: i.up ? "up" : "down",
      ...octetsAt(s, i, now),
    })),
  };
}
