// Parent side of bench/agent-child.ts: forks opswatch's probing child, starts it and asks it for counts.
import { type ChildProcess, fork } from "node:child_process";
import { extname } from "node:path";
import type { AgentCounts, AgentInput, FromAgent, ToAgent } from "./agent-child.js";

export type { AgentCounts, AgentInput };

export interface AgentProcess {
  pid: number;
  counts(): Promise<AgentCounts>;
  /** Stops the scheduler (running probes finish) and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Children still running, killed if the bench itself fails. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

// Works both under tsx (sibling .ts files) and compiled (dist/bench/*.js).
const childPath = new URL(`./agent-child${extname(new URL(import.meta.url).pathname)}`, import.meta.url)
  .pathname;

/** "tsx" or "node": what the child runs under (tsx adds ~40 MB of RSS). */
export const runtime = import.meta.url.endsWith(".ts") ? "tsx" : "node";

/** Forks the child with `execArgv` (node flags) and resolves once its scheduler runs. */
export async function startAgent(input: AgentInput, execArgv: string[]): Promise<AgentProcess> {
  const child = fork(childPath, [], { execArgv, stdio: "inherit" });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const next = <T extends FromAgent["type"]>(type: T) =>
    new Promise<Extract<FromAgent, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FromAgent) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(m as Extract<FromAgent, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`opswatch child exited (${code})`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ask = (m: ToAgent) => child.send(m);
  const ready = next("ready");
  ask({ type: "start", input });
  await ready;
  return {
    pid: child.pid as number,
    async counts() {
      const reply = next("counts");
      ask({ type: "count" });
      return (await reply).counts;
    },
    async stop() {
      const stopped = next("stopped");
      ask({ type: "stop" });
      await stopped;
      await new Promise<void>((r) => (child.exitCode === null ? child.once("exit", () => r()) : r()));
    },
  };
}
