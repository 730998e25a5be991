// One real result the whole way: Debian snmpd + a loopback HTTP site → opswatch agent (child process)
// → spool → ws → opswatch server (child process) → SQLite → API and /metrics → a real prometheus.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { type Prometheus, startPrometheus } from "../peers/prometheus.js";
import { requirePeer } from "../peers/require-peer.js";
import { type Snmpd, startSnmpd } from "../peers/snmpd.js";

const ready = requirePeer("snmpd", "snmpd") && requirePeer("prometheus", "prometheus");
const UPS = "1.3.6.1.2.1.33.1";

interface TargetView {
  id: string;
  state: string;
  checks: {
    id: string;
    state: string;
    agents: { agent: string; fresh: boolean; last: { ok: boolean; values: Record<string, unknown> } }[];
  }[];
}

describe.skipIf(!ready)("end to end on real peers", () => {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-e2e-"));
  let snmpd: Snmpd;
  let site: Server;
  let server: OpswatchProcess;
  let agent: OpswatchProcess;
  let prom: Prometheus;
  let api: string;
  let serverPort: number;

  beforeAll(async () => {
    snmpd = await startSnmpd({
      overrides: [
        { oid: `${UPS}.2.1.0`, type: "integer", value: 2 }, // battery normal
        { oid: `${UPS}.2.4.0`, type: "integer", value: 87 }, // charge %
        { oid: `${UPS}.2.3.0`, type: "integer", value: 42 }, // minutes remaining
        { oid: `${UPS}.3.3.1.3.1`, type: "integer", value: 221 }, // input voltage, line 1
        { oid: `${UPS}.4.1.0`, type: "integer", value: 3 }, // output source normal(3)
        { oid: `${UPS}.4.4.1.5.1`, type: "integer", value: 37 }, // load %
        { oid: `${UPS}.3.1.0`, type: "counter", value: 4 }, // input line bads
      ],
    });
    site = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><body>区政府门户网站</body></html>");
    });
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    const sitePort = (site.address() as AddressInfo).port;
    serverPort = await freePort("tcp");
    api = `http://127.0.0.1:${serverPort}`;
    const config = join(dir, "opswatch.yaml");
    writeFileSync(
      config,
      `server:
  listen: 127.0.0.1:${serverPort}
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${dir}/server.db
  agents: [{ id: e2e-agent, token: "\${E2E_TOKEN}" }]
agent:
  id: e2e-agent
  server: ws://127.0.0.1:${serverPort}/ws/agent
  token: "\${E2E_TOKEN}"
  spool: ${dir}/spool.db
  batch_delay: 50ms
targets:
  - id: ups-1
    name: UPS
    group: power
    checks:
      - id: snmp
        kind: snmp
        address: 127.0.0.1:${snmpd.port}
        interval: 1s
        timeout: 2s
        oids:
          battery.status: ${UPS}.2.1.0
          battery.charge: ${UPS}.2.4.0
          battery.runtime_minutes: ${UPS}.2.3.0
          input.voltage: ${UPS}.3.3.1.3.1
          ups.output_source: ${UPS}.4.1.0
          ups.load: ${UPS}.4.4.1.5.1
          input.line_bads: ${UPS}.3.1.0
  - id: portal
    name: 门户网站
    group: web
    checks:
      - { id: home, kind: http, url: "http://127.0.0.1:${sitePort}/", keyword: 区政府门户网站, interval: 1s, timeout: 5s }
`,
    );
    const env = { E2E_TOKEN: "e2e-secret-token" };
    server = runOpswatch(["server", "-c", config], { env, logFile: join(dir, "server.log") });
    await waitReady(server, `${api}/readyz`);
    agent = runOpswatch(["agent", "-c", config], { env, logFile: join(dir, "agent.log") });
    prom = await startPrometheus([`127.0.0.1:${serverPort}`]);
  });

  afterAll(async () => {
    await prom?.stop();
    await agent?.stop();
    await server?.stop();
    await snmpd?.stop();
    site?.close();
  });

  it("delivers SNMP and HTTP results with their values to the API", async () => {
    const targets = await eventually(
      async () => {
        const body = (await (await fetch(`${api}/api/v1/targets`)).json()) as { targets: TargetView[] };
        return body.targets.every((t) => t.state === "up") && body.targets;
      },
      20_000,
      "both targets up",
    );
    const ups = targets.find((t) => t.id === "ups-1");
    expect(ups?.checks[0]?.agents[0]).toMatchObject({
      agent: "e2e-agent",
      fresh: true,
      last: {
        ok: true,
        values: {
          "battery.status": 2,
          "battery.charge": 87,
          "battery.runtime_minutes": 42,
          "input.voltage": 221,
          "ups.output_source": 3,
          "ups.load": 37,
          "input.line_bads": 4,
        },
      },
    });
    const portal = targets.find((t) => t.id === "portal");
    expect(portal?.checks[0]?.agents[0]?.last).toMatchObject({ ok: true, values: { "http.status": 200 } });
    // the raw results are in the store, too
    const results = (await (await fetch(`${api}/api/v1/targets/ups-1/results`)).json()) as {
      results: unknown[];
    };
    expect(results.results.length).toBeGreaterThan(0);
  });

  it("is scraped by a real prometheus that answers probe_success for both targets", async () => {
    const series = await eventually(
      async () => {
        const r = await prom.query("probe_success");
        return r.length >= 2 && r;
      },
      30_000,
      "probe_success in prometheus",
    );
    const byTarget = Object.fromEntries(series.map((s) => [s.metric.target, s]));
    expect(byTarget["ups-1"]?.value[1]).toBe("1");
    expect(byTarget["ups-1"]?.metric).toMatchObject({
      kind: "snmp",
      agent: "e2e-agent",
      group: "power",
      check: "snmp",
    });
    expect(byTarget.portal?.value[1]).toBe("1");
    const charge = await prom.query('opswatch_probe_value{target="ups-1",name="battery.charge"}');
    expect(charge[0]?.value[1]).toBe("87");
    const connected = await prom.query('opswatch_agent_connected{agent="e2e-agent"}');
    expect(connected[0]?.value[1]).toBe("1");
    // no secret ever reaches metrics or logs
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).not.toContain("e2e-secret-token");
    expect(server.output() + agent.output()).not.toContain("e2e-secret-token");
  });
});
