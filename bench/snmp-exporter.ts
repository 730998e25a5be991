// snmp_exporter's side of the SNMP benchmark: a hand-written `ups_mib` module in the 0.21 format (module
// at top level; Debian ships no usable snmp.yml) and the Prometheus-like driver (bench/exporter.ts) that
// scrapes /snmp?target=…&module=ups_mib for every device on an interval with bounded concurrency.
import { stringify } from "yaml";
import type { PollPlan } from "../agent/snmp/profile-plan.js";
import { driveScrapes, type ScrapeCounts } from "./exporter.js";
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

/** Scrapes /snmp?target=…&module=ups_mib for every device (see driveScrapes). */
export function driveExporter(o: {
  url: string;
  devices: readonly Device[];
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  expectLine: string;
}): { counts(): ScrapeCounts; stop(): Promise<void> } {
  const scrapes = o.devices.map((device) => {
    const target = encodeURIComponent(`${device.host}:${device.port}`);
    return { label: target, url: `${o.url}/snmp?target=${target}&module=ups_mib` };
  });
  return driveScrapes({ ...o, scrapes });
}
