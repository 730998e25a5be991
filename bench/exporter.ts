// The exporter side of the probe benchmarks (snmp_exporter, blackbox_exporter): the exporter process,
// and a Prometheus-like loop that scrapes it for every target on an interval with bounded concurrency.
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";

export interface Exporter {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts an exporter (`name` for messages) on 127.0.0.1:`port` and resolves once it serves HTTP. */
export async function startExporter(opts: {
  name: string;
  bin: string;
  configFile: string;
  port: number;
  env: Record<string, string>;
}): Promise<Exporter> {
  const child: ChildProcess = spawn(
    opts.bin,
    [`--config.file=${opts.configFile}`, `--web.listen-address=127.0.0.1:${opts.port}`, "--log.level=warn"],
    { env: { ...process.env, ...opts.env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${opts.name} exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.name} did not serve ${url} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, pid: child.pid as number, stop };
}

export interface ScrapeCounts {
  ok: number;
  failed: number;
  wrong: number;
  skipped: number;
  samples: string[];
}

export interface Scrape {
  /** Names the target in samples. */
  label: string;
  url: string;
}

/**
 * Scrapes every target once per `intervalMs` (first at a random phase, then on the planned times; a
 * target whose previous scrape is still running skips its turn, as Prometheus does), at most
 * `concurrency` scrapes in flight. A scrape is ok when HTTP 200 and the body holds `expectLine`.
 */
export function driveScrapes(o: {
  scrapes: readonly Scrape[];
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  expectLine: string;
}): { counts(): ScrapeCounts; stop(): Promise<void> } {
  const counts: ScrapeCounts = { ok: 0, failed: 0, wrong: 0, skipped: 0, samples: [] };
  const sample = (s: string) => {
    if (counts.samples.length < 5) counts.samples.push(s.slice(0, 300));
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const busy = new Set<number>();
  const waiting: (() => void)[] = [];
  let active = 0;
  let stopped = false;

  const scrape = ({ label, url }: Scrape) =>
    new Promise<void>((resolve) => {
      const req = http.get(
        url,
        { agent, headers: { "X-Prometheus-Scrape-Timeout-Seconds": String(o.timeoutMs / 1000) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200) {
              counts.failed++;
              sample(`${label}: HTTP ${res.statusCode} ${body}`);
            } else if (!body.includes(o.expectLine)) {
              counts.wrong++;
              sample(`${label}: no "${o.expectLine}" in ${body.slice(0, 200)}`);
            } else counts.ok++;
            resolve();
          });
          res.on("error", (err) => {
            counts.failed++;
            sample(`${label}: ${err.message}`);
            resolve();
          });
        },
      );
      req.setTimeout(o.timeoutMs + 1000, () => req.destroy(new Error("HTTP timeout")));
      req.on("error", (err) => {
        counts.failed++;
        sample(`${label}: ${err.message}`);
        resolve();
      });
    });

  const trigger = (i: number, target: Scrape) => {
    if (stopped) return;
    if (busy.has(i)) {
      counts.skipped++;
      return;
    }
    busy.add(i);
    const p = (async () => {
      if (active >= o.concurrency) await new Promise<void>((r) => waiting.push(r));
      else active++;
      try {
        if (!stopped) await scrape(target);
      } finally {
        const next = waiting.shift();
        if (next)
          next(); // hands its slot over
        else active--;
        busy.delete(i);
      }
    })();
    running.add(p);
    p.finally(() => running.delete(p));
  };

  o.scrapes.forEach((target, i) => {
    const loop = (due: number) => {
      trigger(i, target);
      const next = due + o.intervalMs;
      const t = setTimeout(
        () => {
          timers.delete(t);
          loop(next);
        },
        Math.max(0, next - Date.now()),
      );
      timers.add(t);
    };
    const t = setTimeout(() => {
      timers.delete(t);
      loop(Date.now());
    }, Math.random() * o.intervalMs);
    timers.add(t);
  });

  return {
    counts: () => ({ ...counts, samples: [...counts.samples] }),
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([...running]);
      agent.destroy();
    },
  };
}
