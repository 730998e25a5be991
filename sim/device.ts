// Runs a pure device model as a live SNMP device: serves its snapshot (refreshed twice a second, and at
// once after a command), applies commands, and sends the traps its events call for.
import type { Logger } from "../lib/log.js";
import type { CommandInput } from "./command.js";
import { type MibShape, type Snapshot, startSnmpAgent } from "./snmp-agent.js";
import { createTrapSender, type TrapSpec } from "./traps.js";

export interface DeviceModel<S, E> {
  shape: MibShape;
  snapshot(s: S, now: number): Snapshot;
  /** Throws CommandError for a command it does not understand. */
  command(s: S, input: CommandInput, now: number): { state: S; events: E[] };
  /** Events due by time alone (e.g. a trap that repeats every minute). */
  tick(s: S, now: number): { state: S; events: E[] };
  traps(s: S, events: E[], now: number): TrapSpec[];
  uptimeCs(s: S, now: number): number;
  describe(s: S, now: number): Record<string, unknown>;
}

/** What the control endpoint and stdin drive. */
export interface Controllable {
  status(): Record<string, unknown>;
  /** Applies a command; returns the new status. Throws CommandError for a bad one. */
  command(input: CommandInput): Record<string, unknown>;
}

export interface SimDevice extends Controllable {
  port: number;
  close(): Promise<void>;
}

export interface DeviceOptions {
  host?: string;
  /** UDP port; 0 picks a free one. */
  port?: number;
  /** Where to send traps (none when absent). */
  trap?: { host: string; port: number };
  log: Logger;
}

const REFRESH_MS = 500;

export async function startDevice<S, E>(
  model: DeviceModel<S, E>,
  initial: S,
  { host = "127.0.0.1", port = 0, trap, log }: DeviceOptions,
): Promise<SimDevice> {
  let state = initial;
  const agent = await startSnmpAgent(model.shape, model.snapshot(state, Date.now()), { host, port });
  const sender = trap ? createTrapSender(trap, log) : undefined;

  const advance = (next: { state: S; events: E[] }, now: number) => {
    state = next.state;
    for (const t of model.traps(state, next.events, now)) sender?.send(t, model.uptimeCs(state, now));
    agent.apply(model.snapshot(state, now));
  };
  const timer = setInterval(() => {
    const now = Date.now();
    advance(model.tick(state, now), now);
  }, REFRESH_MS).unref();

  return {
    port: agent.port,
    status: () => model.describe(state, Date.now()),
    command(input) {
      const now = Date.now();
      advance(model.command(state, input, now), now);
      const status = model.describe(state, now);
      log.info({ command: input, state: status }, "simulator state changed");
      return status;
    },
    async close() {
      clearInterval(timer);
      sender?.close();
      await agent.close();
    },
  };
}
