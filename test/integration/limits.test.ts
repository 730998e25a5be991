// Limits on a real server process: body cap (413), rate limits (429 + Retry-After, then recovery),
// page cap, an agent socket that never says hello, secure headers, and every refusal counted.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type OpswatchProcess, runOpswatch, waitReady } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";

const dir = mkdtempSync(join(tmpdir(), "opswatch-limits-"));
let server: OpswatchProcess;
let api: string;
let port: number;

beforeAll(async () => {
  port = await freePort("tcp");
  api = `http://127.0.0.1:${port}`;
  const file = join(dir, "opswatch.yaml");
  writeFileSync(
    file,
    `server:
  listen: 127.0.0.1:${port}
  database: ${dir}/server.db
  anonymous_read: true
  limits: { body_bytes: 2048, rate_per_address: 2, rate_per_token: 1, page_max: 50 }
  agents: [{ id: a1, token: agent-token-1 }]
  api_tokens: [{ name: ops, token: ops-token-123456, role: operator }]
targets:
  - { id: web, name: Web, checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 1m }] }
`,
  );
  server = runOpswatch(["server", "-c", file], { logFile: join(dir, "server.log") });
  await waitReady(server, `${api}/readyz`);
});
afterAll(async () => {
  await server?.stop();
});

/** opswatch_http_rejected_total{status, reason} as scraped now (0 when absent). */
async function rejected(status: number, reason: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const m = new RegExp(
    `^opswatch_http_rejected_total\\{status="${status}",reason="${reason}"\\} (\\S+)$`,
    "m",
  ).exec(text);
  return m ? Number(m[1]) : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("limits", () => {
  // Runs first: the address bucket is full (burst 5 × 2/s = 10).
  it("rate-limits an address: 10 requests pass (burst), the 11th gets 429 + Retry-After; /healthz never", async () => {
    const before = await rejected(429, "rate_limited");
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await fetch(`${api}/api/v1/targets`)).status);
    // The requests take a few ms: refill at 2/s adds well under one token meanwhile.
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(200));
    const last = await fetch(`${api}/api/v1/targets`);
    expect(last.status).toBe(429);
    expect(await last.json()).toMatchObject({ error: "rate_limited" });
    // One token at 2/s takes ≤ 0.5 s: rounded up to whole seconds, 1.
    expect(last.headers.get("retry-after")).toBe("1");
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    expect(await rejected(429, "rate_limited")).toBeGreaterThanOrEqual(before + 1);
    await sleep(1100); // ≥ 2 tokens back
    expect((await fetch(`${api}/api/v1/targets`)).status).toBe(200);
  });

  it("rate-limits a credential (sha256 of the Authorization header) at its own rate", async () => {
    await sleep(5200); // the address bucket refills completely (10 tokens at 2/s)
    // rate_per_token 1/s → burst 5: five pass, the sixth is refused although the address has tokens left.
    const h = { authorization: "Bearer ops-token-123456" };
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await fetch(`${api}/api/v1/faults`, { headers: h })).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    await sleep(5200);
  });

  it("answers an oversized body 413 too_large and a malformed one 400 bad_json, both counted", async () => {
    const big0 = await rejected(413, "too_large");
    const bad0 = await rejected(400, "bad_json");
    const headers = { "content-type": "application/json", authorization: "Bearer ops-token-123456" };
    // 3,000 bytes of note against body_bytes 2048.
    const big = await fetch(`${api}/api/v1/faults`, {
      method: "POST",
      headers,
      body: JSON.stringify({ target: "web", note: "x".repeat(3000) }),
    });
    expect(big.status).toBe(413);
    const b = await big.json();
    expect(b).toEqual({ error: "too_large", message: "request body over 2048 bytes (limits.body_bytes)" });
    const bad = await fetch(`${api}/api/v1/faults`, { method: "POST", headers, body: "{not json" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("bad_json");
    expect(await rejected(413, "too_large")).toBe(big0 + 1);
    expect(await rejected(400, "bad_json")).toBe(bad0 + 1);
  });

  it("caps page sizes at limits.page_max and counts the refusal", async () => {
    const ok = await fetch(`${api}/api/v1/targets/web/results?limit=50`);
    expect(ok.status).toBe(200);
    const over = await fetch(`${api}/api/v1/targets/web/results?limit=51`);
    expect(over.status).toBe(400);
    expect(await over.json()).toEqual({ error: "bad_request", message: "limit: integer 1..50" });
    expect(await rejected(400, "bad_request")).toBeGreaterThanOrEqual(1);
    const missing = await fetch(`${api}/api/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(await rejected(404, "not_found")).toBeGreaterThanOrEqual(1);
  });

  it("sends secure headers; no-store on /api; no HSTS over plain HTTP", async () => {
    const r = await fetch(`${api}/api/v1/targets`);
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'; frame-ancestors 'none'");
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.headers.get("strict-transport-security")).toBeNull();
    expect((await fetch(`${api}/healthz`)).headers.get("cache-control")).toBeNull();
  });

  it("closes an agent connection that sends no hello within 10 s", async () => {
    const t0 = Date.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/agent`);
    const code = await new Promise<number>((resolve) => ws.on("close", (c) => resolve(c)));
    const took = Date.now() - t0;
    expect(code).toBe(4401);
    expect(took).toBeGreaterThanOrEqual(9_500);
    expect(took).toBeLessThan(13_000);
    const text = await (await fetch(`${api}/metrics`)).text();
    expect(text).toMatch(/^opswatch_ingest_rejected_total\{reason="hello_timeout"\} 1$/m);
  }, 20_000);
});
