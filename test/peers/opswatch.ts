// opswatch itself as a child process, exactly as an operator runs it: node dist/cli/opswatch.js …
// (test/run.sh builds dist/ before the suite runs).
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import path from "node:path";

export const CLI = path.resolve(import.meta.dirname, "../../dist/cli/opswatch.js");

export interface OpswatchProcess {
  child: ChildProcess;
  /** Everything the process wrote (stdout + stderr). */
  output(): string;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function runOpswatch(
  args: string[],
  opts: { logFile?: string; env?: NodeJS.ProcessEnv } = {},
): OpswatchProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run "npm run build" (npm test does it)`);
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env },
  });
  let out = "";
  const log = opts.logFile ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  for (const s of [child.stdout, child.stderr]) {
    s?.on("data", (d) => {
      out += d;
      log?.write(d);
    });
  }
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      const code = await exited;
      log?.end();
      return code;
    },
  };
}

/** Polls `url` until it answers 200 (or the process dies, or 20 s pass). */
export async function waitReady(p: OpswatchProcess, url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (p.child.exitCode !== null || p.child.signalCode !== null)
      throw new Error(`opswatch exited (${p.child.exitCode}):\n${p.output()}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) throw new Error(`${url} not ready after 20 s:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
