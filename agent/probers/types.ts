import type { Check } from "../../config/schema.js";
import type { Values } from "../../protocol/messages.js";

/** What a probe found. Timing, ids and sequence numbers are added by the scheduler. */
export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed, in words an operator understands ("timeout after 5000 ms", "HTTP 503"). */
  error?: string;
  values: Values;
}

/**
 * One module per probe kind implements this (blackbox_exporter style). A prober never throws for a
 * failure of the probed thing: it returns ok=false with an error. It must stop promptly when `signal`
 * aborts (the check's timeout); anything it still throws is turned into a failed result by the scheduler.
 */
export interface Prober<C extends Check = Check> {
  readonly kind: C["kind"];
  probe(check: C, signal: AbortSignal): Promise<ProbeOutcome>;
  /** Release long-lived resources (e.g. SNMP sessions). */
  close?(): void;
}
