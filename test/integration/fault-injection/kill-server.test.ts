// kill -9 the server (twice) while five agents stream: after it is back and the agents have drained,
// every result each agent produced is stored exactly once. Sequence numbers make that countable: an
// agent numbers its results 1, 2, 3… in its spool, so the server must hold exactly 1..N for it — a gap
// is a lost result (acknowledged or not), and the (agent, seq) primary key makes a twin impossible, so a
// count above N cannot hide behind a gap either.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually, type OpswatchProcess, waitReady } from "../../peers/opswatch.js";
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

const { h, site } = harnessWithSite("kill-server");

const AGENTS = ["a1", "a2", "a3", "a4", "a5"];

describe("kill -9 the server while 5 agents stream", () => {
  it("stores every result of every agent exactly once", async () => {
    const sitePort = (await site).port;
    const port = await freePort("tcp");
    const db = join(h.dir, "server.db");
    // Two checks per agent at 100 ms: ~20 results/s each, 100/s in all, arriving in batches of ≤ 50.
    const checksOf = (a: string) => httpChecks(a, 2, "100ms");
    const serverYaml = join(h.dir, "server.yaml");
    writeServerConfig(serverYaml, { port, db, agents: AGENTS, checks: AGENTS.flatMap(checksOf), sitePort });
    const spool = (a: string) => join(h.dir, `${a}-spool.db`);
    for (const a of AGENTS) {
      const common = { id: a, serverPort: port, spool: spool(a), sitePort };
      writeAgentConfig(join(h.dir, `${a}.yaml`), { ...common, checks: checksOf(a) });
      writeAgentConfig(join(h.dir, `${a}-drain.yaml`), { ...common, checks: [] });
    }
    const ready = `http://127.0.0.1:${port}/readyz`;

    let server = h.start(["server", "-c", serverYaml], "server-0");
    await waitReady(server, ready);
    const agents = AGENTS.map((a) => h.start(["agent", "-c", join(h.dir, `${a}.yaml`)], a));
    const everyAgentHas = (n: number) => AGENTS.every((a) => stored(db, a).length >= n);
    await eventually(async () => everyAgentHas(20), 20_000, "20 results of every agent stored");

    for (const crash of [1, 2]) {
      const before = Math.min(...AGENTS.map((a) => stored(db, a).length));
      await killHard(server); // mid-stream: batches in flight, acks unsent, a group commit maybe half done
      await sleep(1000); // the agents keep probing into their spools
      server = h.start(["server", "-c", serverYaml], `server-${crash}`);
      await waitReady(server, ready);
      // Streaming again: every agent has at least 20 more stored results than before the crash.
      await eventually(async () => everyAgentHas(before + 20), 20_000, `streaming after crash ${crash}`);
    }

    // Stop probing (clean exit), then drain each spool with an agent that has no checks.
    const stops = await Promise.all(agents.map((p) => p.stop()));
    expect(stops).toEqual([0, 0, 0, 0, 0]);
    const counts = new Map(AGENTS.map((a) => [a, produced(spool(a))]));
    const drains: OpswatchProcess[] = AGENTS.map((a) =>
      h.start(["agent", "-c", join(h.dir, `${a}-drain.yaml`)], `${a}-drain`),
    );
    await eventually(
      async () =>
        drains.every((p) => p.output().includes("uplink ready")) &&
        AGENTS.every((a) => spoolDepth(spool(a)) === 0),
      20_000,
      "every spool drained",
    );
    expect(await Promise.all(drains.map((p) => p.stop()))).toEqual([0, 0, 0, 0, 0]);
    await server.stop();

    for (const a of AGENTS) {
      const n = counts.get(a) ?? 0;
      // ≥ 20 before the first crash and ≥ 20 more after each restart: at least 60 per agent.
      expect(n).toBeGreaterThanOrEqual(60);
      const rows = stored(db, a);
      expect({ agent: a, seqs: rows.map((r) => r.seq) }).toEqual({ agent: a, seqs: range(1, n) });
      expect(inOrderPerTarget(rows)).toBe(true);
    }
  }, 60_000);
});
