// What one poll reads: one GET of every scalar and designated-interface cell, plus the subtrees the
// profile walks. The alarm table is walked only after the GET says alarms are present, so a healthy
// UPS costs one round trip.
import type { VarbindResult } from "./client.js";
import type { CompiledProfile } from "./profile-compile.js";

export interface PollPlan {
  /** OIDs of the one GET request. */
  get: string[];
  /** Subtrees walked in the same poll. */
  walks: string[];
}

export function planPoll(
  profile: CompiledProfile,
  oids: Readonly<Record<string, string>>,
  interfaces: ReadonlyMap<string, string>,
): PollPlan {
  const get = new Set<string>();
  const walks = new Set<string>();
  for (const spec of Object.values(profile.values)) {
    if (spec.kind === "get") get.add(spec.oid);
    else if (spec.kind === "walk") walks.add(spec.oid);
    else for (const column of Object.values(spec.columns)) walks.add(column);
  }
  for (const oid of Object.values(oids)) get.add(oid.replace(/^\./, ""));
  for (const index of interfaces.values())
    for (const column of Object.values(profile.interfaces?.values ?? {})) get.add(`${column.get}.${index}`);
  const { alarms } = profile;
  if (alarms?.table !== undefined && alarms.count === undefined) walks.add(alarms.table);
  return { get: [...get], walks: [...walks] };
}

/** The alarm table to walk after the GET: only when the profile's alarm count read > 0. */
export function alarmWalk(
  profile: CompiledProfile,
  got: ReadonlyMap<string, VarbindResult>,
): string | undefined {
  const { alarms } = profile;
  if (alarms?.table === undefined || alarms.count === undefined) return undefined;
  const spec = profile.values[alarms.count];
  const count = spec?.kind === "get" ? got.get(spec.oid)?.value : undefined;
  return typeof count === "number" && count > 0 ? alarms.table : undefined;
}
