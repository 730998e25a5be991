// The server is unreachable for "30 minutes" at a 1-s probe interval: the spool grows, its depth is
// visible in the agent's /metrics, and after the reconnect it drains in order to 0 (and the server's
// opswatch_agent_spool_depth for the agent shows the backlog, then 0).
//
// Equivalence: 30 min × 60 probes/min of one check at 1 s = 1,800 spooled results. A real 30-minute
// wait does not fit CI, so 180 checks, each still at a 1-s interval, probe for ~10 s: 180 × 10 = 1,800
// results — the same backlog for the spool, the uplink and the server (which see rows and seqs, not
// which check or minute they came from). The test waits until ≥ 1,800 are spooled before it stops.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually, waitReady } from "../../peers/opswatch.js";
import { freePort } from "../../peers/ports.js";
import {
  harnessWithSite,
  httpChecks,
  inOrderPerTarget,
  produced,
  range,
  receivedInOrder,
  sample,
  sleep,
  spoolDepth,
  stored,
  writeAgentConfig,
  writeServerConfig,
} from "./harness.js";

const { h, site } = harnessWithSite("outage");

const BACKLOG = 1800; // 30 min at 1 s

const scrape = (url: string) =>
  fetch(url).then(
    (r) => r.text(),
    () => "",
  );

describe("server unreachable for the equivalent of 30 minutes at a 1-s interval", () => {
  it("spools 1,800 results, shows the depth in /metrics, then drains in order to 0", async () => {
    const sitePort = (await site).port;
    const [port, metricsPort] = [await freePort("tcp"), await freePort("tcp")];
    const agentMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    const serverMetrics = `http://127.0.0.1:${port}/metrics`;
    const db = join(h.dir, "server.db");
    const spool = join(h.dir, "spool.db");
    const checks = httpChecks("site", 180, "1s");
    const serverYaml = join(h.dir, "server.yaml");
    writeServerConfig(serverYaml, { port, db, agents: ["lo"], checks, sitePort });
    const common = { id: "lo", serverPort: port, spool, sitePort, metricsPort };
    const probing = join(h.dir, "probing.yaml");
    writeAgentConfig(probing, { ...common, checks });
    // Drains at 20 results per batch, one batch at a time: 90 round trips, so the server's gauge can
    // be watched on the way down.
    const drain = join(h.dir, "drain.yaml");
    writeAgentConfig(drain, { ...common, checks: [], batchMax: 20, inFlight: 1 });

    // The outage: nobody listens on `port`. The agent's own /metrics shows the spool growing.
    let agent = h.start(["agent", "-c", probing], "agent-probing");
    const depths: number[] = [];
    let text = "";
    await eventually(
      async () => {
        text = await scrape(agentMetrics);
        const d = sample(text, "opswatch_agent_spool_depth");
        if (d !== undefined) depths.push(d);
        return (d ?? 0) >= BACKLOG;
      },
      30_000,
      `${BACKLOG} results spooled`,
    );
    // Nothing acked, so the depth is everything produced; it only ever grew.
    expect(sample(text, "opswatch_agent_acked_total")).toBe(0);
    expect(sample(text, "opswatch_agent_uplink_connected")).toBe(0);
    expect(sample(text, "opswatch_agent_results_total", '{kind="http"}')).toBe(
      sample(text, "opswatch_agent_spool_depth"),
    );
    expect(depths).toEqual([...depths].sort((a, b) => a - b));
    expect(sample(text, "opswatch_agent_uplink_reconnects_total")).toBeGreaterThan(0);
    // The oldest result waited since the start of the outage: ≥ 9 s of the ~10 s it took to spool 1,800.
    expect(sample(text, "opswatch_agent_spool_oldest_age_seconds")).toBeGreaterThan(5);

    // Stop probing so the backlog is fixed; a drain-only agent on the same spool reports it at start.
    expect(await agent.stop()).toBe(0);
    const backlog = produced(spool);
    expect(spoolDepth(spool)).toBe(backlog);
    expect(backlog).toBeGreaterThanOrEqual(BACKLOG);
    agent = h.start(["agent", "-c", drain], "agent-drain");
    await eventually(
      async () => sample(await scrape(agentMetrics), "opswatch_agent_spool_depth") === backlog,
      10_000,
      "drain agent reports the backlog",
    );

    // The server comes back: watch both gauges every 50 ms until the agent's is 0.
    const server = h.start(["server", "-c", serverYaml], "server");
    await waitReady(server, `http://127.0.0.1:${port}/readyz`);
    const seenByServer: number[] = [];
    const seenByAgent: number[] = [];
    await eventually(
      async () => {
        const s = sample(await scrape(serverMetrics), "opswatch_agent_spool_depth", '{agent="lo"}');
        if (s !== undefined) seenByServer.push(s);
        const a = sample(await scrape(agentMetrics), "opswatch_agent_spool_depth");
        if (a !== undefined) seenByAgent.push(a);
        await sleep(50);
        return a === 0 && s === 0;
      },
      20_000,
      "spool depth 0 on the agent and on the server",
    );
    // The server saw a backlog on the way (the hello reports it, then each batch what is behind it).
    expect(Math.max(...seenByServer)).toBeGreaterThan(0);
    expect(Math.max(...seenByServer)).toBeLessThanOrEqual(backlog);
    expect(seenByAgent.at(-1)).toBe(0);
    const afterDrain = await scrape(agentMetrics);
    expect(sample(afterDrain, "opswatch_agent_acked_total")).toBe(backlog);
    expect(sample(afterDrain, "opswatch_agent_uplink_connected")).toBe(1);
    expect(sample(afterDrain, "opswatch_agent_spool_oldest_age_seconds")).toBe(0);
    expect(await agent.stop()).toBe(0);

    // In order and complete: seqs 1..backlog, and per check the probe times increase with the seq.
    const rows = stored(db, "lo");
    expect(rows.map((r) => r.seq)).toEqual(range(1, backlog));
    expect(inOrderPerTarget(rows)).toBe(true);
    expect(receivedInOrder(rows)).toBe(true); // drained oldest first
    expect(new Set(rows.map((r) => r.target)).size).toBe(180);
  }, 60_000);
});
