// A real Debian prometheus on loopback that scrapes the given targets every second.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports.js";
import { peerPath } from "./require-peer.js";

export interface Prometheus {
  url: string;
  /** Instant query through the HTTP API; returns the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/** Starts prometheus scraping `targets` ("127.0.0.1:PORT", path /metrics) every 1 s; resolves when ready. */
export async function startPrometheus(targets: string[]): Promise<Prometheus> {
  const bin = peerPath("prometheus");
  if (!bin) throw new Error('prometheus not found: install the Debian package "prometheus"');
  const dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-prom-"));
  const port = await freePort("tcp");
  const config = path.join(dir, "prometheus.yml");
  await writeFile(
    config,
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: opswatch
    static_configs: [{ targets: ${JSON.stringify(targets)} }]
`,
  );
  const child: ChildProcess = spawn(
    bin,
    [`--config.file=${config}`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 15 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async query(expr) {
      const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
        status: string;
        data: { result: Awaited<ReturnType<Prometheus["query"]>> };
      };
      if (body.status !== "success") throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
