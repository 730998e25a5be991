import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createLogger } from "../../lib/log.js";
import { LiveFeed, type LiveFeedOptions, topicsOf } from "../../server/live-feed.js";

const logger = createLogger("silent");
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function serve(o: Partial<LiveFeedOptions> = {}) {
  const feed = new LiveFeed({ logger, tickMs: 60_000, ...o });
  const app = express();
  app.use(feed.middleware());
  app.post("/api/v1/faults/:id/acknowledge", (_req, res) => void res.json({ ok: true }));
  app.post("/api/v1/maintenance", (_req, res) => void res.status(400).json({}));
  app.post("/api/v1/session", (_req, res) => void res.json({}));
  const http: Server = createServer(app);
  feed.attach(http);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const port = (http.address() as AddressInfo).port;
  cleanup.push(async () => {
    await feed.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });
  return { feed, port, url: `ws://127.0.0.1:${port}/ws/live`, base: `http://127.0.0.1:${port}` };
}

/** Connects and collects every message; resolves once open (or rejects with the refusal status). */
function client(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const got: { at: number; msg: { type: string; topics: string[] } }[] = [];
  ws.on("message", (d) => got.push({ at: Date.now(), msg: JSON.parse(String(d)) }));
  cleanup.push(async () => ws.terminate());
  const open = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(String(res.statusCode))));
    ws.once("error", reject);
  });
  return { ws, got, open };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("live feed", () => {
  it("maps API paths to topics", () => {
    expect(topicsOf("/api/v1/faults/3/acknowledge")).toEqual(["faults"]);
    expect(topicsOf("/api/v1/maintenance/2/cancel")).toEqual(["maintenance", "targets"]);
    expect(topicsOf("/api/v1/inspections/runs/1/items/2")).toEqual(["inspections"]);
    expect(topicsOf("/api/v1/session")).toEqual([]);
    expect(topicsOf("/api/v1/users")).toEqual([]);
  });

  it("broadcasts changes to every client, merged to at most one message per 250 ms", async () => {
    const { feed, url } = await serve();
    const a = client(url);
    const b = client(url);
    await Promise.all([a.open, b.open]);
    const t0 = Date.now();
    feed.changed("faults");
    feed.changed("targets");
    await sleep(50);
    feed.changed("agents");
    feed.changed("faults");
    await sleep(400);
    for (const c of [a, b]) {
      // the first change goes out at once, the rest merged into one message 250 ms later
      expect(c.got.map((g) => g.msg)).toEqual([
        { type: "changed", topics: ["faults"] },
        { type: "changed", topics: ["targets", "faults", "agents"] },
      ]);
      const [first, second] = c.got as unknown as [{ at: number }, { at: number }];
      expect(first.at - t0).toBeLessThan(100);
      expect(second.at - first.at).toBeGreaterThanOrEqual(240);
    }
  });

  it("sends a watched topic only when its fingerprint changes", async () => {
    let state = "up,up";
    const { feed, url } = await serve({ watch: { targets: () => state } });
    const c = client(url);
    await c.open;
    await feed.check("targets");
    await sleep(300);
    expect(c.got).toEqual([]);
    state = "down,up";
    await feed.check("targets");
    await feed.check("targets");
    await sleep(300);
    expect(c.got.map((g) => g.msg.topics)).toEqual([["targets"]]);
  });

  it("a successful API write names its topic; a refused one or a login does not", async () => {
    const { base, url } = await serve();
    const c = client(url);
    await c.open;
    await fetch(`${base}/api/v1/maintenance`, { method: "POST" }); // 400
    await fetch(`${base}/api/v1/session`, { method: "POST" });
    await sleep(300);
    expect(c.got).toEqual([]);
    await fetch(`${base}/api/v1/faults/1/acknowledge`, { method: "POST" });
    await sleep(100);
    expect(c.got.map((g) => g.msg.topics)).toEqual([["faults"]]);
  });

  it("is read-only: client messages are ignored, a frame over 1 kB closes the socket", async () => {
    const { feed, url } = await serve();
    const c = client(url);
    await c.open;
    c.ws.send(JSON.stringify({ type: "changed", topics: ["faults"] }));
    await sleep(100);
    expect(c.got).toEqual([]);
    expect(feed.sent).toBe(0);
    const closed = new Promise<number>((r) => c.ws.once("close", (code) => r(code)));
    c.ws.send("x".repeat(2000));
    expect(await closed).toBe(1009);
  });

  it("refuses connections over the cap with 503", async () => {
    const { url, feed } = await serve({ maxClients: 2 });
    const a = client(url);
    const b = client(url);
    await Promise.all([a.open, b.open]);
    await expect(client(url).open).rejects.toThrow("503");
    expect(feed.clients).toBe(2);
  });

  it("with authorize (status page off): 401 without a session, 403 from another site", async () => {
    const { url, port } = await serve({
      authorize: async (req) => req.headers.cookie === "opswatch_session=good",
    });
    await expect(client(url).open).rejects.toThrow("401");
    await expect(
      client(url, { cookie: "opswatch_session=good", origin: "https://evil.example" }).open,
    ).rejects.toThrow("403");
    await client(url, { cookie: "opswatch_session=good", origin: `http://127.0.0.1:${port}` }).open;
  });
});
