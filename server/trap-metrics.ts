// opswatch_snmp_traps_received_total{kind}: traps the agents received, from the trap events committed.
import { Counter, type Registry } from "prom-client";
import { type Result, TRAP_NAMES } from "../protocol/messages.js";

const KNOWN: ReadonlySet<string> = new Set(TRAP_NAMES);

/**
 * Returns the function ingest calls with each commit's fresh results. An event stands for `trap.count`
 * traps (the agent folds repeats); `kind` is the trap name, "other" for names outside TRAP_NAMES so an
 * agent cannot create unbounded label values.
 */
export function trapCounter(registry: Registry): (fresh: readonly Result[]) => void {
  const received = new Counter({
    name: "opswatch_snmp_traps_received_total",
    help: "SNMP traps received by the agents (repeats folded into an event included), by trap name",
    labelNames: ["kind"],
    registers: [registry],
  });
  for (const kind of [...TRAP_NAMES, "other"]) received.inc({ kind }, 0);
  return (fresh) => {
    for (const r of fresh) {
      if (r.kind !== "trap") continue;
      const name = r.values["trap.name"];
      const count = r.values["trap.count"];
      received.inc(
        { kind: typeof name === "string" && KNOWN.has(name) ? name : "other" },
        typeof count === "number" && Number.isFinite(count) && count > 0 ? count : 1,
      );
    }
  };
}
