// A trap → the results the agent spools: one event per target the trap's source belongs to. Pure.
import type { Unsequenced } from "../spool.js";
import type { Trap } from "./decode.js";

/** The check id of trap events: not a configured check, so no live state or indicator picks it up. */
export const TRAP_CHECK = "trap";

export function trapEvents(
  trap: Trap,
  count: number,
  targets: readonly string[],
  agent: string,
  ts: number,
): Unsequenced[] {
  return targets.map((target) => ({
    v: 1,
    agent,
    target,
    check: TRAP_CHECK,
    kind: "trap",
    ts,
    duration_ms: 0,
    ok: true, // the notification was received and authenticated; what it says is in the values
    values: { ...trap.values, "trap.count": count },
  }));
}
