// Profiles named by a check (and those they include) merged into one description of what to read.
import type { AlarmSpec, InterfaceSpec, Profile, StatusRule, ValueSpec } from "../../config/profile.js";

export interface CompiledProfile {
  /** The profiles the check asked for (or auto found), reported as `snmp.profile`. */
  names: readonly string[];
  values: Readonly<Record<string, ValueSpec>>;
  alarms?: AlarmSpec;
  status: readonly StatusRule[];
  interfaces?: InterfaceSpec;
}

/**
 * Merges `names` in order, each after its includes (depth first, each profile once): a later profile's
 * value of the same name replaces an earlier one; alarm names and rules add up, the alarm table and
 * count of the last profile that has one are used; status rules concatenate; the last interface section
 * wins. Throws on an unknown name or an include cycle.
 */
export function compileProfiles(
  names: readonly string[],
  lookup: (name: string) => Profile | undefined,
): CompiledProfile {
  const values: Record<string, ValueSpec> = {};
  const status: StatusRule[] = [];
  let alarms: AlarmSpec | undefined;
  let interfaces: InterfaceSpec | undefined;
  const done = new Set<string>();
  const visit = (name: string, via: readonly string[]) => {
    if (via.includes(name)) throw new Error(`include cycle: ${[...via, name].join(" → ")}`);
    if (done.has(name)) return;
    const profile = lookup(name);
    if (profile === undefined)
      throw new Error(
        via.length > 0
          ? `profile "${via.at(-1)}" includes unknown profile "${name}"`
          : `unknown profile "${name}"`,
      );
    for (const inc of profile.include) visit(inc, [...via, name]);
    done.add(name);
    Object.assign(values, profile.values);
    status.push(...profile.status);
    if (profile.alarms) alarms = mergeAlarms(alarms, profile.alarms);
    if (profile.interfaces) interfaces = profile.interfaces;
  };
  for (const name of names) visit(name, []);
  if (alarms?.count !== undefined && values[alarms.count]?.kind !== "get")
    throw new Error(`alarms.count "${alarms.count}" must name a value read with get`);
  return { names: [...names], values, alarms, status, interfaces };
}

function mergeAlarms(a: AlarmSpec | undefined, b: AlarmSpec): AlarmSpec {
  if (a === undefined) return b;
  return {
    count: b.table !== undefined ? b.count : a.count,
    table: b.table ?? a.table,
    names: { ...a.names, ...b.names },
    rules: [...a.rules, ...b.rules],
  };
}
