// A boundary firewall on the network for the demo, tests and `opswatch simulate firewall`: net-snmp's
// agent serving IF-MIB, VRRP and the vendor's CPU/memory from the firewall model (v1/v2c, any community).
import { createLogger, type Logger } from "../lib/log.js";
import { type SimDevice, startDevice } from "./device.js";
import { type FirewallVendor, firewallShape, firewallSnapshot, firewallTraps } from "./firewall-mib.js";
import {
  applyFirewallCommand,
  describeFirewall,
  type FirewallEvent,
  type FirewallState,
  initialFirewallState,
  type Role,
  uptimeCs,
} from "./firewall-model.js";

export type FirewallSimulator = SimDevice;

export interface FirewallSimulatorOptions {
  host?: string;
  /** UDP port; 0 or omitted picks a free one. */
  port?: number;
  vendor?: FirewallVendor;
  /** sysName. */
  name?: string;
  /** VRRP role at start (and after `reset`). */
  role?: Role;
  trap?: { host: string; port: number };
  log?: Logger;
}

/** Starts a healthy firewall, all interfaces up; flip it with `command({ reboot: true })` and the like. */
export function startFirewallSimulator({
  vendor = "huawei",
  name = "fw-a",
  role = "master",
  log = createLogger("warn", "opswatch-sim"),
  ...where
}: FirewallSimulatorOptions = {}): Promise<FirewallSimulator> {
  return startDevice<FirewallState, FirewallEvent>(
    {
      shape: firewallShape(vendor),
      snapshot: (s, now) => firewallSnapshot(vendor, s, now, name),
      command: applyFirewallCommand,
      tick: (s) => ({ state: s, events: [] }),
      traps: (_s, events) => firewallTraps(events),
      uptimeCs,
      describe: (s, now) => ({ device: "firewall", vendor, name, ...describeFirewall(s, now) }),
    },
    initialFirewallState(Date.now(), role),
    { ...where, log },
  );
}
