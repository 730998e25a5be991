// The Grafana dashboards (dashboards/): the committed JSON is exactly what `npm run dashboards` builds,
// and every query of every panel returns data from a real prometheus scraping the real demo — no
// empty panel ships.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { type DashboardJson, DS } from "../../dashboards/src/common.js";
import { render } from "../../dashboards/src/index.js";
import { SqliteStore } from "../../server/store/sqlite.js";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { type Prometheus, startPrometheus } from "../peers/prometheus.js";
import { requirePeer } from "../peers/require-peer.js";

const root = resolve(import.meta.dirname, "../..");
const built = render();

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
  options?: { content?: string };
}
interface Variable {
  type: string;
  name: string;
  definition?: string;
  current?: { value: string | string[] };
}
const panelsOf = (d: DashboardJson) => (d.panels ?? []) as unknown as Panel[];
const variablesOf = (d: DashboardJson) => (d.templating.list ?? []) as unknown as Variable[];

describe("dashboards as code", () => {
  it("the committed JSON is what `npm run dashboards` produces (nobody edits it by hand)", () => {
    for (const { file, text } of built) {
      const committed = readFileSync(join(root, "dashboards", file), "utf8");
      expect(
        committed === text,
        `dashboards/${file} differs from dashboards/src: run npm run dashboards`,
      ).toBe(true);
    }
    const files = readdirSync(join(root, "dashboards")).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(built.map((b) => b.file).sort());
  });

  it("stable unique uids; every panel described, on the datasource variable, with unique ids and refIds", () => {
    const uids = built.map((b) => b.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { file, json } of built) {
      expect(json.uid, file).toMatch(/^opswatch-[a-z]+$/);
      expect(json.__inputs).toEqual([
        expect.objectContaining({ name: "DS_PROMETHEUS", pluginId: "prometheus" }),
      ]);
      expect(variablesOf(json)[0]).toMatchObject({
        type: "datasource",
        name: "datasource",
        query: "prometheus",
      });
      const panels = panelsOf(json);
      expect(new Set(panels.map((p) => p.id)).size, file).toBe(panels.length);
      for (const p of panels.filter((x) => x.type !== "row")) {
        const where = `${file}: ${p.title}`;
        expect(p.description, where).toBeTruthy();
        if (p.type === "text") {
          expect(p.options?.content, where).toBeTruthy();
          continue;
        }
        expect(p.datasource, where).toEqual(DS);
        expect(p.targets?.length, where).toBeGreaterThan(0);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, where).toBe(refIds.length);
        for (const t of p.targets ?? []) expect(t.datasource?.uid, where).toBe(DS.uid);
      }
    }
  });

  it("ships Grafana provisioning for the dashboards and the Prometheus data source", () => {
    const dashboards = YAML.parse(
      readFileSync(join(root, "dashboards/provisioning/dashboards.yaml"), "utf8"),
    );
    expect(dashboards).toMatchObject({
      apiVersion: 1,
      providers: [{ type: "file", options: { path: expect.any(String) } }],
    });
    const datasources = YAML.parse(
      readFileSync(join(root, "dashboards/provisioning/datasources.yaml"), "utf8"),
    );
    expect(datasources).toMatchObject({
      apiVersion: 1,
      datasources: [{ type: "prometheus", url: expect.any(String) }],
    });
  });
});

const hasPrometheus = requirePeer("prometheus", "prometheus");

/** Grafana's built-in variables, as a dashboard over the last 5 minutes would expand them. */
const BUILTINS: Record<string, string> = {
  __rate_interval: "1m",
  __interval: "15s",
  __range: "5m",
  __range_s: "300",
};
/**
 * Custom variables: the rolling 30 days, which always holds the run of "yesterday" seeded below (on the
 * 1st of a month nothing is judged month to date yet).
 */
const CUSTOM: Record<string, string> = { window: "30d" };

/** Replaces $name and ${name}; longest names first so $__range does not eat $__range_s. */
function substitute(expr: string, values: Record<string, string>): string {
  let out = expr;
  for (const name of Object.keys(values).sort((a, b) => b.length - a.length)) {
    const value = () => values[name] as string; // a function: no $-patterns in the replacement
    out = out.replaceAll(`\${${name}}`, value).replaceAll(`$${name}`, value);
  }
  return out;
}

/** What Grafana puts into a regex matcher when All of a multi-value variable is selected. */
const allOf = (values: string[]) =>
  `(${values.map((v) => v.replace(/[\\^$.*+?()[\]{}|]/g, "\\\\$&")).join("|")})`;

describe.skipIf(!hasPrometheus)("dashboards on the demo, through a real prometheus", () => {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-dashboards-"));
  const operator = { authorization: "Bearer demo-operator-token", "content-type": "application/json" };
  let p: OpswatchProcess;
  let prom: Prometheus;
  let api: string;
  let site: string;
  // The duty team's webhook: receives the fault notifications of the outage below.
  let hook: Server;
  let notified = 0;

  beforeAll(async () => {
    // The shipped demo config (UPS, firewall and portal simulators), moved to free ports and a temp data
    // dir as in cli.test.ts. Besides: 2 s probe intervals and indicator refresh so the outage, its fault and the figures move within
    // seconds instead of a minute. And a webhook notification channel to a local receiver (below), so the
    // notification panels show a real channel that delivered the outage's fault notifications.
    const [http, ups, sitePort] = [await freePort("tcp"), await freePort("udp"), await freePort("tcp")];
    api = `http://127.0.0.1:${http}`;
    site = `http://127.0.0.1:${sitePort}`;
    const demo = YAML.parse(
      readFileSync(join(root, "config/demo.yaml"), "utf8")
        .replaceAll("127.0.0.1:8080", `127.0.0.1:${http}`)
        .replaceAll("127.0.0.1:16161", `127.0.0.1:${ups}`)
        .replaceAll("127.0.0.1:18081", `127.0.0.1:${sitePort}`)
        .replaceAll("127.0.0.1:16163", `127.0.0.1:${await freePort("udp")}`)
        .replaceAll("127.0.0.1:18082", `127.0.0.1:${await freePort("tcp")}`)
        .replaceAll("127.0.0.1:18443", `127.0.0.1:${await freePort("tcp")}`)
        .replaceAll("data/", `${dir}/`)
        .replaceAll("interval: 10s", "interval: 2s")
        .replaceAll("indicator_refresh: 15s", "indicator_refresh: 2s"),
    );
    // The webhook receiver; group_wait 0s sends each notification at once.
    hook = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        notified++;
        res.end("ok");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    demo.server.anonymous_read = true; // the panels' API reads carry no token
    demo.notifications = { group_wait: "0s", channels: [{ id: "duty-hook", kind: "webhook", url: hookUrl }] };
    writeFileSync(join(dir, "demo.yaml"), YAML.stringify(demo));
    await seedInspection(join(dir, "opswatch.db"));

    p = runOpswatch(["start", "-c", join(dir, "demo.yaml")], { logFile: join(dir, "opswatch.log") });
    [prom] = await Promise.all([startPrometheus([`127.0.0.1:${http}`]), waitReady(p, `${api}/readyz`)]);
  });

  afterAll(async () => {
    await prom?.stop();
    await p?.stop();
    await new Promise((r) => (hook ? hook.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it("every panel query of every dashboard returns data", async () => {
    // A portal outage: the fault it opens is acknowledged and, once the portal is back, resolved, so the
    // fault response and resolution histograms have an observation. Prometheus must have scraped them
    // at 0 before: increase() cannot see a counter's first sample as an increment.
    await eventually(
      async () => (await prom.query("opswatch_fault_response_seconds_count")).length > 0,
      20_000,
      "prometheus scraping opswatch",
    );
    await fetch(`${site}/sim/outage?seconds=6`, { method: "POST" });
    const faultId = await eventually(
      async () => {
        const body = (await (await fetch(`${api}/api/v1/faults?state=open&target=portal`)).json()) as {
          faults: { id: string }[];
        };
        return body.faults[0]?.id;
      },
      30_000,
      "the portal outage fault",
    );
    const act = (action: string, note: string) =>
      fetch(`${api}/api/v1/faults/${faultId}/${action}`, {
        method: "POST",
        headers: operator,
        body: JSON.stringify({ note }),
      });
    expect((await act("ack", "值班已确认 on it")).status).toBe(200);
    await eventually(
      async () => (await act("resolve", "门户已恢复 portal back")).ok,
      30_000,
      "resolving the fault",
    );

    // Every expression, with the variables expanded as Grafana would, until all return data.
    const deadline = Date.now() + 40_000;
    let failures: string[] = [];
    for (;;) {
      failures = [];
      for (const { file, json } of built) failures.push(...(await emptyQueries(prom, file, json)));
      if (failures.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(failures).toEqual([]);
    expect(notified, "the webhook got the outage's fault notifications").toBeGreaterThan(0);
  }, 90_000);
});

/** The queries of a dashboard that fail or return no (non-NaN) series; [] when all return data. */
async function emptyQueries(prom: Prometheus, file: string, d: DashboardJson): Promise<string[]> {
  const values: Record<string, string> = { ...BUILTINS };
  const out: string[] = [];
  for (const v of variablesOf(d)) {
    if (v.type === "custom") values[v.name] = CUSTOM[v.name] ?? String(v.current?.value);
    if (v.type !== "query") continue;
    const m = /^label_values\((.+),\s*(\w+)\)$/s.exec(v.definition ?? "");
    if (!m) {
      out.push(`${file}: variable ${v.name}: not label_values(selector, label): ${v.definition}`);
      continue;
    }
    const [, selector, label] = m as unknown as [string, string, string];
    const found = await prom
      .query(`count by (${label}) (${substitute(selector, values)})`)
      .then((r) => r.map((s) => s.metric[label] as string).sort())
      .catch((e: Error) => {
        out.push(`${file}: variable ${v.name}: ${e.message}`);
        return [];
      });
    if (found.length === 0) out.push(`${file}: variable ${v.name}: no values for ${v.definition}`);
    values[v.name] = allOf(found);
  }
  for (const panel of panelsOf(d)) {
    for (const t of panel.targets ?? []) {
      const expr = substitute(t.expr, values);
      const where = `${file}: ${panel.title} [${t.refId}] ${expr}`;
      if (expr.includes("$")) {
        out.push(`${where}: unexpanded variable`);
        continue;
      }
      try {
        const result = await prom.query(expr);
        if (!result.some((s) => s.value[1] !== "NaN")) out.push(`${where}: no data`);
      } catch (e) {
        out.push(`${where}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

/**
 * Yesterday's daily inspection, compliant, in the data dir before the server starts: runs are judged
 * only after their day has ended, so a fresh demo has no inspection item share or pass rate.
 */
async function seedInspection(file: string): Promise<void> {
  const hour = 3_600_000;
  const day = 24 * hour;
  const shanghai = 8 * hour; // Asia/Shanghai, no daylight saving
  const today = Math.floor((Date.now() + shanghai) / day) * day - shanghai;
  const scheduledAt = today - day + 9 * hour; // yesterday 09:00, the demo plan's schedule
  const store = new SqliteStore(file);
  try {
    await store.inspections.since("daily", scheduledAt - hour);
    const auto = (target: string, item: string, label: string, detail: string) => ({
      target,
      item,
      kind: "auto" as const,
      label,
      result: "pass" as const,
      detail,
    });
    await store.inspections.create({
      plan: "daily",
      scheduledAt,
      startedAt: scheduledAt + 2000,
      toleranceMs: 30 * 60_000,
      recordedAt: scheduledAt + 2000,
      items: [
        auto("ups-1", "reachable", "可达 reachable", "true"),
        auto("ups-1", "battery_charge", "电池电量 ≥ 90 %", "98"),
        auto("portal", "reachable", "可达 reachable", "true"),
        auto("portal", "response", "响应 < 3 s", "12"),
        {
          target: "ups-1",
          item: "room_temp",
          kind: "manual",
          label: "机房温度正常",
          result: "pass",
          note: "23 °C",
          signedOffAt: scheduledAt + hour,
          signedOffBy: "demo-operator",
        },
      ],
    });
  } finally {
    await store.close();
  }
}
