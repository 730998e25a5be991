// Forked bench children (the opswatch agent, the HTTP site) talk to the parent over IPC: typed messages,
// each awaited by its type; a child that exits instead of answering rejects the wait.
import { type ChildProcess, fork } from "node:child_process";
import { extname } from "node:path";

/** Children still running, killed if the bench itself fails. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

/** A sibling module of `from` (an import.meta.url): .ts under tsx, .js compiled (dist/bench/). */
export const siblingPath = (from: string, name: string) =>
  new URL(`./${name}${extname(new URL(from).pathname)}`, from).pathname;

/** "tsx" or "node": what the bench (and so its children) runs under; tsx adds ~40 MB of RSS. */
export const runtime = import.meta.url.endsWith(".ts") ? "tsx" : "node";

export interface IpcChild<In, Out extends { type: string }> {
  child: ChildProcess;
  pid: number;
  send(m: In): void;
  /** The next message of `type`. */
  next<T extends Out["type"]>(type: T): Promise<Extract<Out, { type: T }>>;
  /** Resolves when the process has exited. */
  exited(): Promise<void>;
}

export function forkChild<In, Out extends { type: string }>(
  path: string,
  execArgv: string[],
  name: string,
): IpcChild<In, Out> {
  const child = fork(path, [], { execArgv, stdio: "inherit" });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return {
    child,
    pid: child.pid as number,
    send: (m) => child.send(m as object),
    next: (type) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: Out) => {
          if (m.type !== type) return;
          child.off("message", onMessage);
          child.off("exit", onExit);
          resolve(m as Extract<Out, { type: typeof type }>);
        };
        const onExit = (code: number | null) => reject(new Error(`${name} child exited (${code})`));
        child.on("message", onMessage);
        child.once("exit", onExit);
      }),
    exited: () =>
      new Promise<void>((r) =>
        child.exitCode === null && child.signalCode === null ? child.once("exit", () => r()) : r(),
      ),
  };
}
