// blackbox_exporter's side of the HTTP benchmark: a module doing what opswatch's check does (GET, any
// 2xx, the keyword in the body, IPv4), and the Prometheus-like driver calling /probe for every page.
import { stringify } from "yaml";
import { driveScrapes, type ScrapeCounts } from "./exporter.js";

export const MODULE = "http_2xx";

/** blackbox.yml with one module, MODULE; blackbox's own default for valid statuses is any 2xx. */
export function blackboxYaml(o: { timeoutMs: number; keyword: string }): string {
  const http = {
    preferred_ip_protocol: "ip4",
    ...(o.keyword ? { fail_if_body_not_matches_regexp: [escapeRegex(o.keyword)] } : {}),
  };
  return stringify({ modules: { [MODULE]: { prober: "http", timeout: `${o.timeoutMs}ms`, http } } });
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Scrapes /probe?module=MODULE&target=URL for every page URL (see driveScrapes). */
export function driveBlackbox(o: {
  url: string;
  targets: readonly string[];
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
}): { counts(): ScrapeCounts; stop(): Promise<void> } {
  const scrapes = o.targets.map((target) => ({
    label: target,
    url: `${o.url}/probe?module=${MODULE}&target=${encodeURIComponent(target)}`,
  }));
  return driveScrapes({ ...o, scrapes, expectLine: "\nprobe_success 1\n" });
}
