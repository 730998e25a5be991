// Clock sanity with real processes: one agent runs with its clock 10 minutes slow (test/peers/fake-clock.mjs
// shifts Date.now in that process only), one with the true clock. The slow one's results are flagged
// with its offset, GET /api/v1/agents says clock_ok: false, and the gauge shows the offset.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-clock-"));
const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
const FAKE_CLOCK = resolve(import.meta.dirname, "../peers/fake-clock.mjs");
const SLOW_MS = -600_000; // 10 minutes behind
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
});

type Agent = { id: string; connected: boolean; clock_offset_ms: number | null; clock_ok: boolean | null };
type Stored = { agent: string; clock_offset_ms?: number };

describe("clock sanity", () => {
  it("flags the results of an agent whose clock is off, and shows the offset in the API and metrics", async () => {
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    const port = await freePort("tcp");
    const api = `http://127.0.0.1:${port}`;
    const sitePort = (site.address() as AddressInfo).port;
    const config = (agent?: string) => `server:
  listen: 127.0.0.1:${port}
  database: ${dir}/server.db
  anonymous_read: true
  max_clock_offset: 5s
  agents: [{ id: slow, token: token-slow }, { id: good, token: token-good }, { id: never, token: token-never }]
${agent ? `agent:\n  id: ${agent}\n  server: ws://127.0.0.1:${port}/ws/agent\n  token: token-${agent}\n  spool: ${dir}/${agent}.db\n  batch_delay: 20ms\n` : ""}targets:
  - { id: web, name: Web, checks: [{ id: home, kind: http, url: "http://127.0.0.1:${sitePort}/", interval: 200ms, timeout: 1s }] }
`;
    const files = {
      server: join(dir, "server.yaml"),
      slow: join(dir, "slow.yaml"),
      good: join(dir, "good.yaml"),
    };
    writeFileSync(files.server, config());
    writeFileSync(files.slow, config("slow"));
    writeFileSync(files.good, config("good"));
    const server = runOpswatch(["server", "-c", files.server], { logFile: join(dir, "server.log") });
    running.push(server);
    await waitReady(server, `${api}/readyz`);
    running.push(
      runOpswatch(["agent", "-c", files.slow], {
        logFile: join(dir, "slow.log"),
        env: { NODE_OPTIONS: `--import=${FAKE_CLOCK}`, FAKE_CLOCK_OFFSET_MS: String(SLOW_MS) },
      }),
      runOpswatch(["agent", "-c", files.good], { logFile: join(dir, "good.log") }),
    );
    // The default window is the last hour: the slow agent's results (stamped 10 min ago) are inside it.
    const results = async () =>
      ((await (await fetch(`${api}/api/v1/targets/web/results?limit=1000`)).json()) as { results: Stored[] })
        .results;
    const rs = await eventually(
      async () => {
        const r = await results();
        return r.filter((x) => x.agent === "slow").length >= 3 && r.some((x) => x.agent === "good") && r;
      },
      15_000,
      "results from both agents",
    );
    for (const r of rs.filter((x) => x.agent === "slow")) {
      // Offset measured at hello: −600,000 ms give or take the hello's transit and scheduling (< 2 s).
      expect(r.clock_offset_ms).toBeLessThan(SLOW_MS + 2_000);
      expect(r.clock_offset_ms).toBeGreaterThan(SLOW_MS - 2_000);
    }
    for (const r of rs.filter((x) => x.agent === "good")) expect(r.clock_offset_ms).toBeUndefined();

    const body = (await (await fetch(`${api}/api/v1/agents`)).json()) as {
      max_clock_offset_ms: number;
      agents: Agent[];
    };
    expect(body.max_clock_offset_ms).toBe(5_000);
    const byId = Object.fromEntries(body.agents.map((a) => [a.id, a]));
    expect(byId.slow).toMatchObject({ connected: true, clock_ok: false });
    expect(Math.abs((byId.slow?.clock_offset_ms ?? 0) - SLOW_MS)).toBeLessThan(2_000);
    expect(byId.good).toMatchObject({ connected: true, clock_ok: true });
    expect(Math.abs(byId.good?.clock_offset_ms ?? 99_999)).toBeLessThan(2_000);
    // Configured but never connected: unknown, not wrong.
    expect(byId.never).toMatchObject({ connected: false, clock_offset_ms: null, clock_ok: null });

    const metrics = await (await fetch(`${api}/metrics`)).text();
    const gauge = Number(/^opswatch_agent_clock_offset_seconds\{agent="slow"\} (\S+)$/m.exec(metrics)?.[1]);
    expect(gauge).toBeLessThan(-598); // −600 s ± 2 s
    expect(gauge).toBeGreaterThan(-602);
    // Warned once for the connection, not per batch.
    const warnings = server
      .output()
      .split("\n")
      .filter((l) => l.includes("max_clock_offset"));
    expect(warnings).toHaveLength(1);
  }, 30_000);
});
