// snmp_exporter's side of the SNMP benchmark: a hand-written `ups_mib` module in the 0.21 format (module
// at top level; Debian ships no usable snmp.yml), the exporter process, and a Prometheus-like driver that
// scrapes /snmp?target=…&module=ups_mib for every device on an interval with bounded concurrency.
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { stringify } from "yaml";
import type { PollPlan } from "../agent/snmp/profile-plan.js";
import type { Device } from "./snmp-responders.js";
import { UPS_OBJECTS } from "./snmp-ups.js";

export interface ModuleOptions {
  timeoutMs: number;
  retries: number;
  maxRepetitions: number;
}

const within = (oid: string, root: string) => oid === root || oid.startsWith(`${root}.`);

/** snmp.yml with one module `ups_mib`: the plan's GETs and walks, a metric for every UPS object fetched. */
export function upsModuleYaml(plan: PollPlan, o: ModuleOptions): string {
  const metrics = UPS_OBJECTS.filter(
    (obj) =>
      (obj.instance !== undefined && plan.get.includes(`${obj.oid}.${obj.instance}`)) ||
      plan.walks.some((root) => within(obj.oid, root)),
  ).map((obj) => ({
    name: obj.name,
    oid: obj.oid,
    type:
      obj.type === "counter"
        ? "counter"
        : obj.type.startsWith("octet") || obj.type === "object_id"
          ? "DisplayString"
          : "gauge",
    help: `${obj.name} - ${obj.oid}`,
    ...(obj.index ? { indexes: [{ labelname: obj.index, type: "gauge" }] } : {}),
  }));
  return stringify({
    ups_mib: {
      ...(plan.walks.length > 0 ? { walk: plan.walks } : {}),
      ...(plan.get.length > 0 ? { get: plan.get } : {}),
      metrics,
      version: 2,
      auth: { community: "public" },
      timeout: `${o.timeoutMs}ms`,
      retries: o.retries,
      max_repetitions: o.maxRepetitions,
    },
  });
}

export interface Exporter {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts snmp_exporter on `port` and resolves once it serves HTTP. */
export async function startExporter(opts: {
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
    if (child.exitCode !== null) throw new Error(`snmp_exporter exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`snmp_exporter did not serve ${url} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, pid: child.pid as number, stop };
}

export interface DriverCounts {
  ok: number;
  failed: number;
  wrong: number;
  skipped: number;
  samples: string[];
}

/**
 * Scrapes every device once per `intervalMs` (first at a random phase, then on the planned times; a
 * target whose previous scrape is still running skips its turn, as Prometheus does), at most
 * `concurrency` scrapes in flight. A scrape is ok when HTTP 200 and the body holds `expectLine`.
 */
export function driveExporter(o: {
  url: string;
  devices: readonly Device[];
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  expectLine: string;
}): { counts(): DriverCounts; stop(): Promise<void> } {
  const counts: DriverCounts = { ok: 0, failed: 0, wrong: 0, skipped: 0, samples: [] };
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

  const scrape = (device: Device) =>
    new Promise<void>((resolve) => {
      const target = encodeURIComponent(`${device.host}:${device.port}`);
      const req = http.get(
        `${o.url}/snmp?target=${target}&module=ups_mib`,
        { agent, headers: { "X-Prometheus-Scrape-Timeout-Seconds": String(o.timeoutMs / 1000) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const body = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200) {
              counts.failed++;
              sample(`${target}: HTTP ${res.statusCode} ${body}`);
            } else if (!body.includes(o.expectLine)) {
              counts.wrong++;
              sample(`${target}: no "${o.expectLine}" in ${body.slice(0, 200)}`);
            } else counts.ok++;
            resolve();
          });
          res.on("error", (err) => {
            counts.failed++;
            sample(`${target}: ${err.message}`);
            resolve();
          });
        },
      );
      req.setTimeout(o.timeoutMs + 1000, () => req.destroy(new Error("HTTP timeout")));
      req.on("error", (err) => {
        counts.failed++;
        sample(`${target}: ${err.message}`);
        resolve();
      });
    });

  const trigger = (i: number, device: Device) => {
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
        if (!stopped) await scrape(device);
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

  o.devices.forEach((device, i) => {
    const loop = (due: number) => {
      trigger(i, device);
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
