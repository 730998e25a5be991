// Several locations, end to end: one opswatch server and two real opswatch agents (child processes),
// each with its own config. Agent a reaches the local site directly; agent b must go through an HTTP
// proxy that refuses everything (a "blocked" network). One location failing is a tie, never a strict
// majority (indicators.md rule 5): the site stays UP and no fault opens, while the API and /metrics show
// b's failures. Then the site itself stops: both locations fail, the site is DOWN and a fault opens.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

interface AgentView {
  agent: string;
  fresh: boolean;
  last: { ok: boolean; ts: number; error?: string; values: Record<string, unknown> };
}
interface TargetView {
  id: string;
  state: string;
  checks: { id: string; state: string; agents: AgentView[] }[];
}
interface Fault {
  id: string;
  target: string;
  cause: string;
  severity: string;
  status: string;
}

const listen = async (s: Server): Promise<number> => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
};
const close = (s: Server) =>
  new Promise<void>((r) => {
    s.close(() => r());
    s.closeAllConnections();
  });

describe("two locations, one blocked", () => {
  const dir = mkdtempSync(join(tmpdir(), "opswatch-locations-"));
  let site: Server;
  let proxy: Server;
  /** Requests the blocking proxy refused, by the URL asked for. */
  const refused: string[] = [];
  let server: OpswatchProcess;
  let agents: OpswatchProcess[] = [];
  let api: string;
  let siteUrl: string;

  beforeAll(async () => {
    site = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><body>区政府门户网站</body></html>");
    });
    siteUrl = `http://127.0.0.1:${await listen(site)}/`;
    // A forward proxy whose policy refuses every request, as a government network's proxy does for a
    // destination it blocks.
    proxy = createServer((req, res) => {
      refused.push(req.url ?? "");
      res.writeHead(403, { "content-type": "text/plain" }).end("blocked by policy\n");
    });
    const proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
    const port = await freePort("tcp");
    api = `http://127.0.0.1:${port}`;

    // The same target and check id everywhere; only how each location reaches it differs.
    const target = (extra: string) => `targets:
  - id: portal
    name: 区政府门户网站
    group: web
    indicators: [{ id: website_uptime }]
    checks:
      - { id: home, kind: http, url: "${siteUrl}", keyword: 区政府门户网站, interval: 1s, timeout: 2s${extra} }
`;
    const agentPart = (id: string) => `agent:
  id: ${id}
  server: ws://127.0.0.1:${port}/ws/agent
  token: token-${id}
  spool: ${dir}/${id}-spool.db
  batch_delay: 50ms
`;
    const files = {
      server: `server:
  listen: 127.0.0.1:${port}
  anonymous_read: true # reads without a token: these tests are not about auth
  database: ${dir}/server.db
  indicator_refresh: 1s
  agents: [{ id: inside, token: token-inside }, { id: outside, token: token-outside }]
${target("")}`,
      inside: agentPart("inside") + target(""),
      outside: agentPart("outside") + target(`, proxy: "${proxyUrl}"`),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.yaml`), text);

    server = runOpswatch(["server", "-c", join(dir, "server.yaml")], { logFile: join(dir, "server.log") });
    await waitReady(server, `${api}/readyz`);
    const agent = (a: string) =>
      runOpswatch(["agent", "-c", join(dir, `${a}.yaml`)], { logFile: join(dir, `${a}.log`) });
    // The inside location reports first: were the blocked one alone to report (and confirm) first, it
    // would be the only agent with a known state, a strict majority of one, and the site DOWN for that
    // moment — correct by rule 5, but not what this test is about.
    agents = [agent("inside")];
    await eventually(
      async () => {
        const body = (await (await fetch(`${api}/api/v1/targets`)).json()) as { targets: TargetView[] };
        return body.targets[0]?.checks[0]?.agents.some((a) => a.agent === "inside" && a.fresh);
      },
      20_000,
      "a first result from the inside location",
    );
    agents.push(agent("outside"));
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
    await close(proxy);
    if (site.listening) await close(site);
    rmSync(dir, { recursive: true, force: true });
  });

  const portal = async () => {
    const body = (await (await fetch(`${api}/api/v1/targets`)).json()) as { targets: TargetView[] };
    return body.targets.find((t) => t.id === "portal") as TargetView;
  };
  const faults = async (): Promise<Fault[]> =>
    ((await (await fetch(`${api}/api/v1/faults?target=portal`)).json()) as { faults: Fault[] }).faults;
  /** The samples of one metric on /metrics, as "label set → value". */
  const metric = async (name: string) => {
    const text = await (await fetch(`${api}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(new RegExp(`^${name}\\{(.*)\\} (\\S+)$`, "gm")))
      out[m[1] as string] = Number(m[2]);
    return out;
  };

  it("one location blocked: the site stays UP, no fault, and the blocked location shows failing", async () => {
    // Several results of each location, so that b alone would have confirmed DOWN (2 failures) long ago.
    const seen = await eventually(
      async () => {
        const p = await portal();
        const byAgent = Object.fromEntries((p.checks[0]?.agents ?? []).map((a) => [a.agent, a]));
        return byAgent.inside?.fresh && byAgent.outside?.fresh && refused.length >= 4 && p;
      },
      20_000,
      "fresh results from both locations and 4 refused proxy requests",
    );
    expect(seen.state).toBe("up");
    const check = seen.checks[0];
    expect(check?.state, "1 of 2 failing is a tie, not a strict majority").toBe("up");
    const [inside, outside] = check?.agents ?? [];
    expect(inside).toMatchObject({
      agent: "inside",
      fresh: true,
      last: { ok: true, values: { "http.status": 200 } },
    });
    // b's result is the proxy's refusal, not the site's page
    expect(outside).toMatchObject({
      agent: "outside",
      fresh: true,
      last: { ok: false, values: { "http.status": 403 } },
    });
    expect(outside?.last.error).toMatch(/403/);
    expect(
      refused.every((u) => u === siteUrl),
      "b asked the proxy for the site",
    ).toBe(true);

    const success = await metric("probe_success");
    expect(success).toEqual({
      'target="portal",check="home",kind="http",agent="inside",group="web"': 1,
      'target="portal",check="home",kind="http",agent="outside",group="web"': 0,
    });
    expect(await metric("opswatch_target_up")).toEqual({ 'target="portal",group="web"': 1 });
    expect(await faults()).toEqual([]);
  }, 30_000);

  it("both locations failing: the site is DOWN and a website fault opens", async () => {
    await close(site);
    const opened = await eventually(
      async () => (await faults()).find((f) => f.status === "open"),
      20_000,
      "a fault for portal",
    );
    // website_uptime opens P2 faults (engine/mapping.ts)
    expect(opened).toMatchObject({ target: "portal", cause: "website_uptime", severity: "P2" });
    const p = await portal();
    expect(p.state).toBe("down");
    expect(p.checks[0]?.agents.map((a) => [a.agent, a.fresh, a.last.ok])).toEqual([
      ["inside", true, false],
      ["outside", true, false],
    ]);
    expect(await metric("opswatch_target_up")).toEqual({ 'target="portal",group="web"': 0 });
  }, 30_000);
});
