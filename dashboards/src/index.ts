// Every dashboard and the file it is committed as (dashboards/<file>).
import { agents } from "./agents.js";
import type { DashboardJson } from "./common.js";
import { toJson } from "./common.js";
import { faults } from "./faults.js";
import { firewall } from "./firewall.js";
import { overview } from "./overview.js";
import { ups } from "./ups.js";
import { website } from "./website.js";

export const DASHBOARDS: readonly { file: string; build: () => DashboardJson }[] = [
  { file: "overview.json", build: overview },
  { file: "ups.json", build: ups },
  { file: "firewall.json", build: firewall },
  { file: "website.json", build: website },
  { file: "faults.json", build: faults },
  { file: "agents.json", build: agents },
];

/** The committed files' exact contents: pretty-printed JSON, deterministic. */
export function render(): { file: string; json: DashboardJson; text: string }[] {
  return DASHBOARDS.map(({ file, build }) => {
    const json = build();
    return { file, json, text: toJson(json) };
  });
}
