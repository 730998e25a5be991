// Designated interfaces: found by name (ifName, then ifAlias, then ifDescr, as the profile orders the
// columns), remembered by row index (ifIndex) until a read says the row is gone.
import type { InterfaceSpec } from "../../config/profile.js";
import type { VarbindResult } from "./client.js";

export interface DesignatedInterface {
  /** ifName / ifAlias / ifDescr as the device shows it (exact). */
  match: string;
  /** The value-name part: if.<name>.oper_status. */
  name: string;
}

/** Row index of each designated interface found (name → index); the others are absent. */
export function resolveInterfaces(
  designated: readonly DesignatedInterface[],
  spec: InterfaceSpec,
  walks: ReadonlyMap<string, readonly VarbindResult[]>,
): Map<string, string> {
  const found = new Map<string, string>();
  for (const { match, name } of designated) {
    for (const column of spec.match_by) {
      const row = walks.get(column)?.find((vb) => vb.value === match);
      if (row) {
        found.set(name, row.oid.slice(column.length + 1));
        break;
      }
    }
  }
  return found;
}
