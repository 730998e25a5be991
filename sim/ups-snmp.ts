// A UPS on the network for the demo, tests and `opswatch simulate ups`: net-snmp's agent serving the RFC
// 1628 UPS-MIB (or APC PowerNet) from the UPS model, answering v1/v2c with any community.
import { createLogger, type Logger } from "../lib/log.js";
import { type SimDevice, startDevice } from "./device.js";
import { type UpsVendor, upsShape, upsSnapshot, upsTraps } from "./ups-mib.js";
import {
  applyUpsCommand,
  describeUps,
  initialUpsState,
  type UpsEvent,
  type UpsState,
  upsReadings,
  upsTick,
} from "./ups-model.js";

const ups = "1.3.6.1.2.1.33.1";

/** Value name → OID for a demo `snmp` check against this simulator (RFC 1628). */
export const UPS_DEMO_OIDS = {
  "battery.status": `${ups}.2.1.0`,
  "battery.seconds_on_battery": `${ups}.2.2.0`,
  "battery.runtime_minutes": `${ups}.2.3.0`,
  "battery.charge": `${ups}.2.4.0`,
  "input.line_bads": `${ups}.3.1.0`,
  "input.voltage": `${ups}.3.3.1.3.1`,
  "ups.output_source": `${ups}.4.1.0`,
  "ups.load": `${ups}.4.4.1.5.1`,
  "ups.alarms_present": `${ups}.6.1.0`,
} as const satisfies Record<string, string>;

export type UpsSimulator = SimDevice;

export interface UpsSimulatorOptions {
  host?: string;
  /** UDP port; 0 or omitted picks a free one. */
  port?: number;
  vendor?: UpsVendor;
  /** sysName / upsIdentName. */
  name?: string;
  trap?: { host: string; port: number };
  log?: Logger;
}

/** Starts a healthy UPS on mains; flip it with `command({ mains: "fail" })` and the like. */
export function startUpsSimulator({
  vendor = "rfc1628",
  name = "ups-1",
  log = createLogger("warn", "opswatch-sim"),
  ...where
}: UpsSimulatorOptions = {}): Promise<UpsSimulator> {
  return startDevice<UpsState, UpsEvent>(
    {
      shape: upsShape(vendor),
      snapshot: (s, now) => upsSnapshot(vendor, s, upsReadings(s, now), name),
      command: applyUpsCommand,
      tick: upsTick,
      traps: (s, events, now) => upsTraps(vendor, events, upsReadings(s, now)),
      uptimeCs: (s, now) => upsReadings(s, now).uptimeCs,
      describe: (s, now) => ({ device: "ups", vendor, name, ...describeUps(s, now) }),
    },
    initialUpsState(Date.now()),
    { ...where, log },
  );
}
