// Traps from a simulated device to one destination (SNMPv2c, community public), fire and forget as a
// device sends them: a lost trap is the receiver's problem, which is why opswatch keeps polling.
import snmp from "net-snmp";
import type { Logger } from "../lib/log.js";

export interface TrapSpec {
  /** snmpTrapOID.0, e.g. upsTrapOnBattery 1.3.6.1.2.1.33.2.1. */
  oid: string;
  varbinds: { oid: string; type: snmp.ObjectType; value: number | string }[];
}

export interface TrapSender {
  /** Sends with the device's sysUpTime (centiseconds) as the trap's timestamp. */
  send(trap: TrapSpec, uptimeCs: number): void;
  close(): void;
}

export function createTrapSender(to: { host: string; port: number }, log: Logger): TrapSender {
  const session = snmp.createSession(to.host, "public", { version: snmp.Version2c, trapPort: to.port });
  session.on("error", (err: Error) => log.warn({ err }, "trap socket error"));
  return {
    send(trap, uptimeCs) {
      session.trap(trap.oid, trap.varbinds, { upTime: uptimeCs }, (err: Error | null) => {
        if (err) log.warn({ err, trap: trap.oid }, "trap not sent");
        else log.info({ trap: trap.oid, to: `${to.host}:${to.port}` }, "trap sent");
      });
    },
    close: () => session.close(),
  };
}
