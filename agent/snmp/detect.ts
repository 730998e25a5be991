// profile: auto — one GET of every candidate's detection OIDs, then per group the matching profile with
// the highest priority (a vendor UPS profile over ups-rfc1628; sysObjectID is not enough, as Huawei UPS
// cards report net-snmp's generic one, so profiles detect by their model OIDs).
import type { Profile } from "../../config/profile.js";
import type { VarbindResult } from "./client.js";

/** The OIDs to GET for detection, each once. */
export function detectionOids(candidates: readonly Profile[]): string[] {
  return [
    ...new Set(
      candidates.flatMap((p) => (p.detect?.oids ?? []).map((o) => (typeof o === "string" ? o : o.oid))),
    ),
  ];
}

/** Names of the profiles found, one per group, in group order of the candidates; ties go to the first. */
export function detectProfiles(
  candidates: readonly Profile[],
  answers: ReadonlyMap<string, VarbindResult>,
): string[] {
  const best = new Map<string, Profile>();
  for (const p of candidates) {
    if (p.detect === undefined || !p.detect.oids.every((o) => answered(o, answers))) continue;
    const current = best.get(p.detect.group);
    if (current === undefined || p.detect.priority > (current.detect?.priority ?? 0))
      best.set(p.detect.group, p);
  }
  return [...best.values()].map((p) => p.name);
}

function answered(
  o: string | { oid: string; match: string },
  answers: ReadonlyMap<string, VarbindResult>,
): boolean {
  const oid = typeof o === "string" ? o : o.oid;
  const value = answers.get(oid)?.value;
  if (value === undefined) return false;
  // An agent may answer an empty string for an object it does not really implement.
  if (typeof o === "string") return value !== "";
  return new RegExp(o.match).test(String(value));
}
