// Parent side of bench/agent-child.ts: forks opswatch's probing child, starts it and asks it for counts.
import type { AgentCounts, AgentInput, FromAgent, ToAgent } from "./agent-child.js";
import { forkChild, siblingPath } from "./ipc.js";

export { runtime } from "./ipc.js";
export type { AgentCounts, AgentInput };

export interface AgentProcess {
  pid: number;
  counts(): Promise<AgentCounts>;
  /** Stops the scheduler (running probes finish) and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Forks the child with `execArgv` (node flags) and resolves once its scheduler runs. */
export async function startAgent(input: AgentInput, execArgv: string[]): Promise<AgentProcess> {
  const c = forkChild<ToAgent, FromAgent>(siblingPath(import.meta.url, "agent-child"), execArgv, "opswatch");
  const ready = c.next("ready");
  c.send({ type: "start", input });
  await ready;
  return {
    pid: c.pid,
    async counts() {
      const reply = c.next("counts");
      c.send({ type: "count" });
      return (await reply).counts;
    },
    async stop() {
      const stopped = c.next("stopped");
      c.send({ type: "stop" });
      await stopped;
      await c.exited();
    },
  };
}
