// Which targets a trap is about: those with an SNMP check polling the host the trap came from.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Logger } from "../../lib/log.js";
import type { Job } from "../scheduler.js";

/** Sender address → target ids, in config order. */
export type SourceIndex = ReadonlyMap<string, readonly string[]>;

/** Host (as configured) → target ids of the SNMP checks this agent runs. Pure. */
export function snmpHosts(jobs: readonly Job[]): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const { target, check } of jobs) {
    if (check.kind !== "snmp") continue;
    const ids = hosts.get(check.address.host) ?? [];
    if (!ids.includes(target.id)) ids.push(target.id);
    hosts.set(check.address.host, ids);
  }
  return hosts;
}

/**
 * Resolves configured host names once, at start, so traps (which carry only an IP) find their device.
 * A name that does not resolve is logged; traps from that device then count as unknown sources.
 */
export async function resolveSources(
  hosts: ReadonlyMap<string, readonly string[]>,
  log: Logger,
): Promise<SourceIndex> {
  const index = new Map<string, string[]>();
  const add = (address: string, ids: readonly string[]) => {
    const merged = index.get(address) ?? [];
    for (const id of ids) if (!merged.includes(id)) merged.push(id);
    index.set(address, merged);
  };
  for (const [host, ids] of hosts) {
    if (isIP(host)) {
      add(host, ids);
      continue;
    }
    try {
      for (const { address } of await lookup(host, { all: true })) add(address, ids);
    } catch (e) {
      log.warn(
        { host, targets: ids, err: (e as Error).message },
        "cannot resolve an SNMP host: its traps will not be matched to its targets",
      );
    }
  }
  return index;
}
