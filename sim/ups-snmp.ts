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
