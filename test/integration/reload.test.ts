// Agent token rotation without downtime, with real processes and SIGHUP: add the new token next to the
// old one and reload the server, switch the agent and reload it, drop the old token and reload the
// server again. Every result the agent produced is stored once: stored ∪ still-spooled seqs = 1..N.
// An invalid config on SIGHUP changes nothing and the server keeps ingesting.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { PROTOCOL_VERSION } from "../../protocol/messages.js";
import { eventually, type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-reload-"));
const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
});

function seqs(file: string, sql: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).all() as { seq: number }[]).map((r) => r.seq);
  } finally {
    db.close();
  }
}
const stored = () => seqs(`${dir}/server.db`, "SELECT seq FROM results WHERE agent = 'a1' ORDER BY seq");
const count = (p: OpswatchProcess, text: string) => p.output().split(text).length - 1;

/** A hello as agent a1 with `token`: the close code the server answers with. */
function hello(port: number, token: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/agent`);
    ws.on("open", () =>
      ws.send(
        JSON.stringify({
          type: "hello",
          v: PROTOCOL_VERSION,
          agent: "a1",
          token,
          version: "test",
          spool_depth: 0,
          clock_ms: Date.now(),
        }),
      ),
    );
    ws.on("close", (code) => resolve(code));
  });
}

describe("SIGHUP reload", () => {
  it("rotates an agent token without losing a result; a bad config is refused", async () => {
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    const port = await freePort("tcp");
    const api = `http://127.0.0.1:${port}`;
    const serverFile = join(dir, "server.yaml");
    const agentFile = join(dir, "agent.yaml");
    const writeServer = (tokens: string[]) =>
      writeFileSync(
        serverFile,
        `server:
  listen: 127.0.0.1:${port}
  database: ${dir}/server.db
  agents: [{ id: a1, tokens: [${tokens.join(", ")}] }]
targets: []
`,
      );
    const writeAgent = (token: string) =>
      writeFileSync(
        agentFile,
        `agent:
  id: a1
  server: ws://127.0.0.1:${port}/ws/agent
  token: ${token}
  spool: ${dir}/spool.db
  batch_delay: 20ms
  reconnect_max: 1s
targets:
  - { id: web, name: Web, checks: [{ id: home, kind: http, url: "http://127.0.0.1:${(site.address() as AddressInfo).port}/", interval: 100ms, timeout: 1s }] }
`,
      );
    writeServer(["old-token-1"]);
    writeAgent("old-token-1");
    const server = runOpswatch(["server", "-c", serverFile], { logFile: join(dir, "server.log") });
    running.push(server);
    await waitReady(server, `${api}/readyz`);
    const agent = runOpswatch(["agent", "-c", agentFile], { logFile: join(dir, "agent.log") });
    running.push(agent);
    await eventually(async () => stored().length >= 5, 10_000, "first results");

    const reloaded = (n: number) =>
      eventually(async () => count(server, "config reloaded") >= n, 5_000, `server reload ${n}`);
    // 1. both tokens accepted
    writeServer(["old-token-1", "new-token-2"]);
    server.child.kill("SIGHUP");
    await reloaded(1);
    // 2. the agent switches: it reconnects with the new token
    const connects = count(server, "agent connected");
    writeAgent("new-token-2");
    agent.child.kill("SIGHUP");
    await eventually(
      async () => count(server, "agent connected") > connects,
      5_000,
      "reconnect with new token",
    );
    // 3. the old token is dropped
    writeServer(["new-token-2"]);
    server.child.kill("SIGHUP");
    await reloaded(2);
    expect(await hello(port, "old-token-1")).toBe(4401); // the dropped token no longer opens a session
    // An invalid config: refused, logged, nothing changes.
    writeFileSync(serverFile, "server:\n  agents: [{ id: a1 }]\n");
    server.child.kill("SIGHUP");
    await eventually(
      async () => server.output().includes("config reload failed"),
      5_000,
      "bad config refused",
    );
    expect(count(server, "config reloaded")).toBe(2);
    // The agent itself was never refused (the one refusal is the probe with the dropped token).
    expect(count(server, "is unknown or its token is wrong")).toBe(1);

    const n = stored().length;
    await eventually(async () => stored().length > n + 5, 5_000, "results still arriving");
    await agent.stop();
    const have = [...stored(), ...seqs(`${dir}/spool.db`, "SELECT seq FROM spool")].sort((a, b) => a - b);
    const max = have[have.length - 1] ?? 0;
    // Exactly once: no duplicate, no gap, from seq 1 to the last one produced.
    expect(new Set(have).size).toBe(have.length);
    expect(have).toEqual(Array.from({ length: max }, (_, i) => i + 1));
    // No token, of either generation, in any log line.
    for (const p of [server, agent]) {
      expect(p.output()).not.toContain("old-token-1");
      expect(p.output()).not.toContain("new-token-2");
    }
  }, 30_000);
});
