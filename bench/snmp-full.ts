// The whole `opswatch agent` process, as an operator runs it (node dist/cli/opswatch.js agent -c …):
// CLI, config load, Scheduler, snmp prober, SQLite spool and WebSocket uplink to a real `opswatch
// server` (another process, not measured). Its RSS is the agent's real RSS; its CPU includes durability.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import net from "node:net";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import type { Device } from "./snmp-responders.js";

// dist/bench/snmp-full.js → dist/cli; under tsx, bench/snmp-full.ts → dist/cli (built by npm run build).
const CLI = resolve(
  import.meta.dirname,
  import.meta.url.endsWith(".ts") ? "../dist/cli/opswatch.js" : "../cli/opswatch.js",
);

export interface FullAgentOptions {
  dir: string;
  devices: readonly Device[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  concurrency: number;
  maxRepetitions: number;
  profile: string;
  nodeFlags: readonly string[];
}

export interface FullAgent {
  pid: number;
  /** Results the server has committed from this agent so far. */
  ingested(): Promise<number>;
  /** Targets whose newest result (server's live view) is not an ok poll of a UPS on line, with a sample. */
  notOnLine(): Promise<{ count: number; samples: string[] }>;
  stop(): Promise<void>;
}

interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function run(args: string[], nodeFlags: readonly string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeFlags, CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  for (const s of [child.stdout, child.stderr]) s?.on("data", (d) => (out = (out + d).slice(-4000)));
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

const freeTcpPort = () =>
  new Promise<number>((done, fail) => {
    const server = net.createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => done(port));
    });
  });

/** Starts a server, then the agent polling `devices`; resolves once the agent's first results are in. */
export async function startFullAgent(o: FullAgentOptions): Promise<FullAgent> {
  const port = await freeTcpPort();
  const url = `http://127.0.0.1:${port}`;
  const token = "bench-agent-token";
  const file = join(o.dir, "opswatch-full.yaml");
  writeFileSync(
    file,
    stringify(
      {
        log_level: "warn",
        server: {
          listen: `127.0.0.1:${port}`,
          database: join(o.dir, "server.db"),
          agents: [{ id: "bench", token }],
        },
        agent: {
          id: "bench",
          server: `ws://127.0.0.1:${port}/ws/agent`,
          token,
          spool: join(o.dir, "agent-spool.db"),
          concurrency: o.concurrency,
        },
        targets: o.devices.map((d, i) => ({
          id: `ups-${i}`,
          name: `UPS ${i}`,
          checks: [
            {
              id: "snmp",
              kind: "snmp",
              address: `${d.host}:${d.port}`,
              interval: `${o.intervalMs}ms`,
              timeout: `${o.timeoutMs}ms`,
              retries: o.retries,
              max_repetitions: o.maxRepetitions,
              profile: o.profile,
            },
          ],
        })),
      },
      { aliasDuplicateObjects: false },
    ),
  );
  const server = run(["server", "-c", file]);
  let agent: Proc | undefined;
  const stop = async () => {
    await agent?.stop();
    await server.stop();
  };
  const metric = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/^opswatch_results_ingested_total\{agent="bench"\} (\S+)$/m.exec(text)?.[1] ?? 0);
  };
  try {
    await until(server, async () => (await fetch(`${url}/readyz`)).ok, "server ready");
    agent = run(["agent", "-c", file], o.nodeFlags);
    const started = agent;
    await until(started, async () => (await metric()) > 0, "first results from the agent", server);
    return {
      pid: started.child.pid as number,
      ingested: metric,
      async notOnLine() {
        const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as {
          targets: {
            id: string;
            checks: { agents: { last?: { ok: boolean; values: Record<string, unknown> } }[] }[];
          }[];
        };
        const bad = body.targets.filter((t) => {
          const last = t.checks[0]?.agents[0]?.last;
          return !(
            last?.ok &&
            last.values["ups.status"] === "OL" &&
            last.values["ups.load_powered"] === true
          );
        });
        return {
          count: bad.length,
          samples: bad
            .slice(0, 3)
            .map((t) => `${t.id}: ${JSON.stringify(t.checks[0]?.agents[0]?.last ?? null).slice(0, 300)}`),
        };
      },
      stop,
    };
  } catch (err) {
    const logs = `server:\n${server.output()}\nagent:\n${agent?.output() ?? ""}`;
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

/** Polls `ok` every 100 ms until it is true, 30 s pass, or a process exits. */
async function until(p: Proc, ok: () => Promise<boolean>, what: string, also?: Proc): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const q of [p, also])
      if (q && (q.child.exitCode !== null || q.child.signalCode !== null))
        throw new Error(`opswatch exited before ${what} (${q.child.exitCode})`);
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`no ${what} within 30 s`);
    await sleep(100);
  }
}
