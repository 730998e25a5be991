// The agent's own machine: CPU, memory, disk and load (inspection item "host disk < 85 %").
import os from "node:os";
import si from "systeminformation";
import type { HostCheck } from "../../config/schema.js";
import type { ProbeOutcome, Prober } from "./types.js";

const round1 = (n: number) => Math.round(n * 10) / 10;

export class HostProber implements Prober<HostCheck> {
  readonly kind = "host";

  async probe(check: HostCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    // systeminformation cannot be cancelled: stop waiting for it instead.
    // currentLoad() averages since its previous call, i.e. over the check interval.
    const stats = await untilAborted(Promise.all([si.currentLoad(), si.mem(), si.fsSize()]), signal);
    if (stats === undefined) return { ok: false, error: `timeout after ${check.timeout} ms`, values: {} };
    const [load, mem, filesystems] = stats;
    const mounted = filesystems.filter((f) => f.size > 0 && Number.isFinite(f.use));
    const chosen = check.disks.length > 0 ? mounted.filter((f) => check.disks.includes(f.mount)) : mounted;
    const missing = check.disks.filter((d) => !mounted.some((f) => f.mount === d));
    const values: ProbeOutcome["values"] = {
      "host.cpu_percent": round1(load.currentLoad),
      "host.mem_percent": round1((100 * mem.active) / mem.total),
      "host.load1": round1(os.loadavg()[0] ?? 0),
    };
    if (chosen.length > 0) values["host.disk_percent"] = round1(Math.max(...chosen.map((f) => f.use)));
    if (missing.length > 0) {
      return { ok: false, error: `disk not mounted: ${missing.join(", ")}`, values };
    }
    return { ok: true, values };
  }
}

/** The promise's value, or undefined as soon as the signal aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
