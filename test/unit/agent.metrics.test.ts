// The agent's /metrics: values come from the real spool and uplink, labels are bounded enums.
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { AgentMetrics } from "../../agent/metrics.js";
import { Spool, type Unsequenced } from "../../agent/spool.js";
import { Uplink } from "../../agent/uplink.js";
import { createLogger } from "../../lib/log.js";

const r = (ts: number): Unsequenced => ({
  v: 1,
  agent: "a",
  target: "t",
  check: "c",
  kind: "tcp",
  ts,
  duration_ms: 1,
  ok: true,
  values: {},
});

describe("agent metrics", () => {
  const spool = new Spool(":memory:");
  const log = createLogger("silent");
  // Never started: it stands for an uplink that is down.
  const uplink = new Uplink({
    url: "ws://127.0.0.1:9/ws/agent",
    agent: "a",
    token: "s3cret-token",
    version: "test",
    spool,
    batchMax: 10,
    batchDelayMs: 10,
    inFlight: 1,
    reconnectMaxMs: 1000,
    logger: log,
  });
  let now = 100_000;
  const metrics = new AgentMetrics({ spool, uplink, traps: () => undefined, now: () => now });
  const server = metrics.listen({ host: "127.0.0.1", port: 0 }, log);
  afterAll(async () => {
    const s = await server;
    s.close();
    spool.close();
  });
  const scrape = async () => {
    const port = ((await server).address() as AddressInfo).port;
    return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  };

  it("reports spool depth, the oldest result's age, production by kind and acks", async () => {
    for (const ts of [40_000, 50_000, 60_000]) {
      spool.append(r(ts));
      metrics.produced(r(ts)); // duration_ms 1
    }
    spool.append({ ...r(70_000), kind: "http", duration_ms: 300 });
    metrics.produced({ ...r(70_000), kind: "http", duration_ms: 300 });
    let text = await scrape();
    expect(text).toMatch(/^opswatch_agent_spool_depth 4$/m);
    expect(text).toMatch(/^opswatch_agent_spool_oldest_age_seconds 60$/m); // (100,000 − 40,000) ms
    expect(text).toMatch(/^opswatch_agent_results_total\{kind="tcp"\} 3$/m);
    expect(text).toMatch(/^opswatch_agent_results_total\{kind="http"\} 1$/m);
    // 1 ms probes fall in the first bucket (5 ms); the 300 ms one first in 0.5 s
    expect(text).toMatch(/^opswatch_agent_probe_duration_seconds_bucket\{le="0.005",kind="tcp"\} 3$/m);
    expect(text).toMatch(/^opswatch_agent_probe_duration_seconds_bucket\{le="0.25",kind="http"\} 0$/m);
    expect(text).toMatch(/^opswatch_agent_probe_duration_seconds_bucket\{le="0.5",kind="http"\} 1$/m);
    expect(text).toMatch(/^opswatch_agent_uplink_connected 0$/m);
    expect(text).toMatch(/^opswatch_agent_uplink_reconnects_total 0$/m);
    expect(text).toMatch(/^opswatch_agent_acked_total 0$/m);
    expect(text).not.toContain("s3cret-token");

    spool.ack(1, 2); // seqs 1 and 2 committed by the server
    now = 110_000;
    text = await scrape();
    expect(text).toMatch(/^opswatch_agent_spool_depth 2$/m);
    expect(text).toMatch(/^opswatch_agent_spool_oldest_age_seconds 50$/m); // seq 3: 110,000 − 60,000
    expect(text).toMatch(/^opswatch_agent_acked_total 2$/m);

    spool.ack(3, 4);
    text = await scrape();
    expect(text).toMatch(/^opswatch_agent_spool_depth 0$/m);
    expect(text).toMatch(/^opswatch_agent_spool_oldest_age_seconds 0$/m);
  });

  it("answers other paths with a JSON 404", async () => {
    const port = ((await server).address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});
