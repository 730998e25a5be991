// Prober registry: one long-lived prober per kind, and a typed dispatch by check.kind.
import type { Check } from "../../config/schema.js";
import { ProbeKind } from "../../protocol/messages.js";
import { HostProber } from "./host.js";
import { HttpProber } from "./http.js";
import { IcmpProber } from "./icmp.js";
import { SnmpProber } from "./snmp.js";
import { TcpProber } from "./tcp.js";
import type { ProbeOutcome, Prober } from "./types.js";

export type CheckOf<K extends ProbeKind> = Extract<Check, { kind: K }>;

const factories: { [K in ProbeKind]: () => Prober<CheckOf<K>> } = {
  http: () => new HttpProber(),
  tcp: () => new TcpProber(),
  snmp: () => new SnmpProber(),
  icmp: () => new IcmpProber(),
  host: () => new HostProber(),
};

/** A new prober for one kind. */
export function proberFor<K extends ProbeKind>(kind: K): Prober<CheckOf<K>> {
  return factories[kind]();
}

/** One prober per kind; call `close?.()` on each when the agent stops. */
export function createProbers(): Map<ProbeKind, Prober> {
  return new Map(ProbeKind.options.map((kind) => [kind, proberFor(kind)]));
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
