// Prober registry: one long-lived prober per kind, and a typed dispatch by check.kind.
import type { Indicators } from "../../config/indicators.js";
import type { Check } from "../../config/schema.js";
import { ProbeKind } from "../../protocol/messages.js";
import { DnsProber } from "./dns.js";
import { HostProber } from "./host.js";
import { HttpProber } from "./http.js";
import { IcmpProber } from "./icmp.js";
import { OperationProber } from "./operation.js";
import { SnmpProber } from "./snmp.js";
import { TcpProber } from "./tcp.js";
import { TlsProber } from "./tls.js";
import type { ProbeOutcome, Prober } from "./types.js";

export type CheckOf<K extends ProbeKind> = Extract<Check, { kind: K }>;

/** What probers take from the config: the UPS flags must judge mains exactly as the server does. */
export interface ProberOptions {
  indicators?: Pick<Indicators, "room_power_stability">;
}

const factories: { [K in ProbeKind]: (o: ProberOptions) => Prober<CheckOf<K>> } = {
  http: () => new HttpProber(),
  tcp: () => new TcpProber(),
  snmp: ({ indicators }) => {
    const room = indicators?.room_power_stability;
    return new SnmpProber(
      room && { mains: { nominalVoltage: room.nominal_voltage, tolerance: room.tolerance } },
    );
  },
  icmp: () => new IcmpProber(),
  host: () => new HostProber(),
  operation: () => new OperationProber(),
  dns: () => new DnsProber(),
  tls: () => new TlsProber(),
};

/** A new prober for one kind. */
export function proberFor<K extends ProbeKind>(kind: K, options: ProberOptions = {}): Prober<CheckOf<K>> {
  return factories[kind](options);
}

/** One prober per kind; call `close?.()` on each when the agent stops. */
export function createProbers(options: ProberOptions = {}): Map<ProbeKind, Prober> {
  return new Map(ProbeKind.options.map((kind) => [kind, proberFor(kind, options)]));
}

/** Runs `check` with the prober of its kind (a map from createProbers); rejects, never throws. */
export async function runProbe(
  probers: Map<ProbeKind, Prober>,
  check: Check,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const prober = probers.get(check.kind);
  if (prober === undefined) throw new Error(`no prober for kind "${check.kind}"`);
  return prober.probe(check, signal);
}
