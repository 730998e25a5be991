// kill -9 an agent holding a full spool (it probed while the server was down), and kill it again in the
// middle of draining that spool (acks lost with it): each restart resumes from the spool, and in the
// end the server holds every result the agent produced exactly once — seqs 1..N, no gap, no twin.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually, waitReady } from "../../peers/opswatch.js";
import { freePort } from "../../peers/ports.js";
import {
  harnessWithSite,
  httpChecks,
  inOrderPerTarget,
  killHard,
  produced,
  range,
  sleep,
  spoolDepth,
  stored,
  writeAgentConfig,
  writeServerConfig,
} from "./harness.js";

const { h, site } = harnessWithSite("kill-agent");

describe("kill -9 an agent with a full spool", () => {
  it("resumes from its spool after each crash; nothing lost, nothing twice", async () => {
    const sitePort = (await site).port;
    const port = await freePort("tcp");
    const db = join(h.dir, "server.db");
    const spool = join(h.dir, "spool.db");
    // 40 checks at 100 ms: ~400 results/s into the spool while nobody listens on `port`.
    const checks = httpChecks("w", 40, "100ms");
    const serverYaml = join(h.dir, "server.yaml");
    writeServerConfig(serverYaml, { port, db, agents: ["ka"], checks, sitePort });
    const common = { id: "ka", serverPort: port, spool, sitePort };
    const probing = join(h.dir, "probing.yaml");
    writeAgentConfig(probing, { ...common, checks });
    // One result per batch and one batch in flight: draining 800 results takes 800 commits (each a
    // round trip and an fsync), long enough to kill the agent in the middle of it.
    const slowDrain = join(h.dir, "slow-drain.yaml");
    writeAgentConfig(slowDrain, { ...common, checks: [], batchMax: 1, inFlight: 1 });
    const drain = join(h.dir, "drain.yaml");
    writeAgentConfig(drain, { ...common, checks: [] });

    // 1. Server down: the spool fills.
    let agent = h.start(["agent", "-c", probing], "agent-1");
    await eventually(async () => spoolDepth(spool) >= 800, 20_000, "800 results spooled");
    await killHard(agent);
    const spooled = produced(spool);
    expect(spoolDepth(spool)).toBe(spooled); // nothing was sent: every result is still there

    // 2. Server up; the restarted agent resumes from the spool, and dies again mid-drain.
    const server = h.start(["server", "-c", serverYaml], "server");
    await waitReady(server, `http://127.0.0.1:${port}/readyz`);
    agent = h.start(["agent", "-c", slowDrain], "agent-2");
    // Polled every 5 ms (not eventually's 200): on a fast disk the drain runs at thousands a second.
    const deadline = Date.now() + 20_000;
    while (stored(db, "ka").length < 50 && Date.now() < deadline) await sleep(5);
    await killHard(agent);
    const part = stored(db, "ka");
    expect(part.length).toBeLessThan(spooled); // really killed mid-drain
    expect(part.map((r) => r.seq)).toEqual(range(1, part.length)); // drained oldest first

    // 3. Restarted with its checks: it sends the rest and keeps numbering new results after them.
    agent = h.start(["agent", "-c", probing], "agent-3");
    await eventually(
      async () => stored(db, "ka").some((r) => r.seq > spooled + 100),
      20_000,
      "new results after the spooled ones",
    );
    expect(await agent.stop()).toBe(0);
    const total = produced(spool);
    agent = h.start(["agent", "-c", drain], "agent-drain");
    await eventually(
      async () => agent.output().includes("uplink ready") && spoolDepth(spool) === 0,
      20_000,
      "spool drained",
    );
    expect(await agent.stop()).toBe(0);

    const rows = stored(db, "ka");
    expect(rows.map((r) => r.seq)).toEqual(range(1, total));
    expect(inOrderPerTarget(rows)).toBe(true);
  }, 60_000);
});
