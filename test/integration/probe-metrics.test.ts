// blackbox_exporter's probe metrics and the operation histogram (server/probe-metrics.ts) on a real
// server: HTTP, TLS, DNS, ICMP and operation results arrive through the agent protocol with the value
// names of docs/http.md, /metrics is read back, linted by promtool and scraped by a real prometheus,
// where histogram_quantile(0.95, …) <= 3 must agree with the official nearest-rank rule. Every expected
// figure is worked out by hand from the values sent.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/load.js";
import { createLogger } from "../../lib/log.js";
import { type RunningServer, startServer } from "../../server/server.js";
import { type AgentClient, connectAgent, type Outcome } from "../peers/agent-client.js";
import { eventually } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { type Prometheus, startPrometheus } from "../peers/prometheus.js";
import { peerPath, requirePeer } from "../peers/require-peer.js";

const hasPromtool = requirePeer("promtool", "prometheus");
const hasPrometheus = requirePeer("prometheus", "prometheus");

const dir = mkdtempSync(join(tmpdir(), "opswatch-probe-metrics-"));
let port = 0;
let srv: RunningServer | undefined;
let agent: AgentClient | undefined;
let prom: Prometheus | undefined;

// Checks every 60 s: a result stays fresh for 2 × 60 s + the timeout.
const config = () =>
  parseConfig(
    `server:
  listen: 127.0.0.1:${port}
  database: ${join(dir, "s.db")}
  agents: [{ id: a1, token: agent-token }, { id: a2, token: other-token }]
targets:
  - id: portal
    name: 门户
    group: web
    indicators: [{ id: website_uptime }, { id: response_time }]
    checks:
      - { id: home, kind: http, url: "https://127.0.0.1:1/", interval: 60s }
      - id: login
        kind: operation
        interval: 60s
        steps: [{ id: open, url: "http://127.0.0.1:1/login" }, { id: me, url: "http://127.0.0.1:1/api/me" }]
  - id: infra
    name: 基础设施
    checks:
      - { id: smtps, kind: tls, address: "127.0.0.1:2", interval: 60s }
      - { id: dns, kind: dns, name: portal.example.gov.cn, server: "127.0.0.1:3", interval: 60s }
      - { id: ping, kind: icmp, host: 127.0.0.1, interval: 60s }
      - { id: web, kind: http, url: "http://127.0.0.1:4/", interval: 60s }`,
    "inline.yaml",
  );

async function start(): Promise<void> {
  const cfg = config();
  srv = await startServer(
    cfg as typeof cfg & { server: NonNullable<typeof cfg.server> },
    createLogger("silent"),
  );
  agent = await connectAgent(srv.port);
}

beforeAll(async () => {
  port = await freePort("tcp");
  // Prometheus warms up (first sample after ~6 s) while the other tests run.
  [prom] = await Promise.all([hasPrometheus ? startPrometheus([`127.0.0.1:${port}`]) : undefined, start()]);
});
afterAll(async () => {
  await prom?.stop();
  agent?.close();
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const now = Date.now();
const result = (
  target: string,
  check: string,
  kind: Outcome["kind"],
  values: Outcome["values"],
  { ok = true, ms = 20, ts = now - 30_000 } = {},
): Outcome => ({ target, check, kind, ts, ok, values, duration_ms: ms });

async function send(...results: Outcome[]): Promise<void> {
  const reply = await agent?.send(results);
  expect(reply).toMatchObject({ type: "ack", committed: results.length, rejected: [] });
}

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition (comments skipped). */
function parse(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(): Promise<{ text: string; series: Series[] }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { text, series: parse(text) };
}

/** The value of the one series with exactly these labels; undefined when absent. */
function value(series: Series[], name: string, labels: Record<string, string>): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  const found = series.filter(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want,
  );
  expect(found.length, `${name}${want}`).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

const at = (target: string, check: string, agent = "a1") => ({ target, check, agent });

/** The cumulative buckets of opswatch_operation_duration_seconds for one series, by le. */
function buckets(series: Series[], labels: Record<string, string>): Record<string, number> {
  const want = JSON.stringify(Object.entries(labels).sort());
  return Object.fromEntries(
    series
      .filter((s) => {
        if (s.name !== "opswatch_operation_duration_seconds_bucket") return false;
        const { le: _, ...rest } = s.labels;
        return JSON.stringify(Object.entries(rest).sort()) === want;
      })
      .map((s) => [s.labels.le, s.value]),
  );
}

describe("blackbox_exporter's probe metrics from result values", () => {
  it("HTTP: status, phases under blackbox's phase names in seconds, length, redirects, version, TLS", async () => {
    // Certificate chain expiring at 2030-01-01T00:00:00Z = 1893456000 s.
    await send(
      result("portal", "home", "http", {
        "http.status": 200,
        "http.redirects": 2,
        "http.content_length": 10240,
        "http.version": "1.1",
        "http.phase.dns_ms": 1.5,
        "http.phase.connect_ms": 0.25,
        "http.phase.tls_ms": 12,
        "http.phase.processing_ms": 480,
        "http.phase.transfer_ms": 30,
        "tls.version": "TLSv1.3",
        "tls.days_left": 3.5,
        "tls.not_after": 1893456000,
        "tls.authorized": true,
        "tls.hostname_ok": true,
      }),
      // Ten minutes old: stale (older than 2 × 60 s + 15 s), so it says nothing.
      result("infra", "web", "http", { "http.status": 500 }, { ts: now - 600_000 }),
    );
    const { series } = await scrape();
    const home = at("portal", "home");
    expect(value(series, "probe_http_status_code", home)).toBe(200);
    expect(value(series, "probe_http_redirects", home)).toBe(2);
    expect(value(series, "probe_http_content_length", home)).toBe(10240);
    expect(value(series, "probe_http_version", home)).toBe(1.1); // "1.1" → the number
    const phases = Object.fromEntries(
      series
        .filter((s) => s.name === "probe_http_duration_seconds" && s.labels.target === "portal")
        .map((s) => [s.labels.phase, s.value]),
    );
    // ms ÷ 1000; dns → resolve (blackbox's name)
    expect(phases).toEqual({
      resolve: 0.0015,
      connect: 0.00025,
      tls: 0.012,
      processing: 0.48,
      transfer: 0.03,
    });
    expect(value(series, "probe_ssl_earliest_cert_expiry", home)).toBe(1893456000);
    expect(value(series, "probe_tls_version_info", { ...home, version: "TLSv1.3" })).toBe(1);
    // the stale result of infra/web gives nothing
    expect(series.filter((s) => s.name.startsWith("probe_http_") && s.labels.check === "web")).toEqual([]);
  });

  it("TLS, DNS and ICMP checks: certificate expiry, lookup time, round trip", async () => {
    await send(
      result("infra", "smtps", "tls", {
        "tcp.connect_ms": 0.4,
        "tls.handshake_ms": 9,
        "tls.version": "TLSv1.2",
        "tls.not_after": 1767225600, // 2026-01-01T00:00:00Z
        "tls.days_left": 12,
        "tls.authorized": false,
        "tls.hostname_ok": true,
      }),
      result("infra", "dns", "dns", {
        "dns.lookup_ms": 3.2,
        "dns.rcode": "NOERROR",
        "dns.answer_count": 2,
        "dns.answers": "10.1.0.7,10.1.0.8",
      }),
      result("infra", "ping", "icmp", {
        "icmp.rtt_ms": 0.5,
        "icmp.rtt_max_ms": 0.9,
        "icmp.loss_ratio": 0,
        "icmp.sent": 3,
        "icmp.received": 3,
      }),
    );
    const { series } = await scrape();
    expect(value(series, "probe_ssl_earliest_cert_expiry", at("infra", "smtps"))).toBe(1767225600);
    expect(value(series, "probe_tls_version_info", { ...at("infra", "smtps"), version: "TLSv1.2" })).toBe(1);
    expect(value(series, "probe_dns_lookup_time_seconds", at("infra", "dns"))).toBe(0.0032); // 3.2 ms
    const ping = { ...at("infra", "ping"), phase: "rtt" };
    expect(value(series, "probe_icmp_duration_seconds", ping)).toBe(0.0005); // 0.5 ms
    // No HTTP series for a TLS check; no phase for what a check does not measure.
    expect(series.filter((s) => s.name.startsWith("probe_http_") && s.labels.target === "infra")).toEqual([]);
  });
});

describe("opswatch_operation_duration_seconds", () => {
  it("observes operations and response_time checks at commit; a failure counts in +Inf only", async () => {
    // login (operation): 0.2 s, 2.9 s, exactly 3 s (le="3": the official limit is ≤ 3 000 ms), 3.2 s ok,
    // and a failure after 5 ms. home (HTTP, counts toward response_time) was observed once above (20 ms).
    await send(
      result("portal", "login", "operation", { "op.steps": 2 }, { ms: 200, ts: now - 29_000 }),
      result("portal", "login", "operation", { "op.steps": 2 }, { ms: 2900, ts: now - 28_000 }),
      result("portal", "login", "operation", { "op.steps": 2 }, { ms: 3000, ts: now - 27_000 }),
      result("portal", "login", "operation", { "op.steps": 2 }, { ms: 3200, ts: now - 26_000 }),
      result(
        "portal",
        "login",
        "operation",
        { "op.steps": 2, "op.failed_step": "open" },
        { ok: false, ms: 5, ts: now - 25_000 },
      ),
    );
    // A replay after a lost ack is not observed again.
    expect(await agent?.replay()).toMatchObject({ type: "ack", committed: 0, duplicates: 5 });
    const { series } = await scrape();
    const login = at("portal", "login");
    expect(buckets(series, login)).toEqual({
      "0.25": 1,
      "0.5": 1,
      "1": 1,
      "2": 1,
      "3": 3, // + 2.9 and 3.0
      "5": 4, // + 3.2
      "10": 4,
      "15": 4,
      "30": 4,
      "+Inf": 5, // + the failure, fast as it was
    });
    expect(value(series, "opswatch_operation_duration_seconds_count", login)).toBe(5);
    // the measured times: 0.2 + 2.9 + 3 + 3.2 + 0.005 = 9.305 s
    expect(value(series, "opswatch_operation_duration_seconds_sum", login)).toBeCloseTo(9.305, 9);
    // home: one HTTP result of 20 ms (it counts toward response_time)
    expect(buckets(series, at("portal", "home"))["0.25"]).toBe(1);
    // At 0 from the start for every agent, so the first observation is an increase.
    expect(value(series, "opswatch_operation_duration_seconds_count", at("portal", "login", "a2"))).toBe(0);
    // Checks that are neither operations nor count toward response_time have no series.
    expect(
      series.filter(
        (s) => s.name.startsWith("opswatch_operation_duration_seconds") && s.labels.target === "infra",
      ),
    ).toEqual([]);
  });

  it.skipIf(!hasPromtool)("promtool check metrics accepts the exposition (names, types, help)", async () => {
    const { text } = await scrape();
    const mine = text
      .split("\n")
      .filter((l) => /^(# (HELP|TYPE) )?(probe_(http|ssl|tls|dns|icmp)_|opswatch_operation_)/.test(l))
      .join("\n");
    expect(mine).toContain("# TYPE opswatch_operation_duration_seconds histogram");
    expect(mine).toContain("# TYPE probe_http_duration_seconds gauge");
    const out = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const p = spawn(peerPath("promtool") as string, ["check", "metrics"]);
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (out += d));
      p.on("error", reject);
      p.on("close", (code) => resolve({ code, out }));
      p.stdin.end(`${mine}\n`);
    });
    expect(out.out).toBe("");
    expect(out.code).toBe(0);
  });

  it.skipIf(!hasPrometheus)(
    "in a real prometheus, histogram_quantile(0.95) <= 3 exactly when ≥ 95 % took ≤ 3 s",
    async () => {
      // a2 adds 15 operations of 1 s to portal/login: with a1's 5 that is 20, of which 18 ≤ 3 s (90 %):
      // nearest rank ⌈0.95 × 20⌉ = 19th smallest = 3.2 s > 3, and histogram_quantile puts rank 19 in (3, 5].
      const other = await connectAgent(port, { agent: "a2", token: "other-token" });
      try {
        const ops = (n: number, ms: number, from: number) =>
          Array.from({ length: n }, (_, i) =>
            result("portal", "login", "operation", {}, { ms, ts: now - from + i }),
          );
        const reply = await other.send(ops(15, 1000, 20_000));
        expect(reply).toMatchObject({ type: "ack", committed: 15 });
        const p95 = async () => {
          const r = await prom?.query(
            'histogram_quantile(0.95, sum by (target, le) (opswatch_operation_duration_seconds_bucket{target="portal", check="login"}))',
          );
          return r?.[0]?.value[1];
        };
        // rank 19 of 20; 18 at le=3, 19 at le=5: 3 + 2 × (19 − 18) / (19 − 18) = 5
        expect(
          await eventually(async () => (await p95()) === "5" && "5", 20_000, "p95 from 20 operations"),
        ).toBe("5");
        // 20 more of 1 s: 40, of which 38 ≤ 3 s (95 %): rank 38 = the le=3 count → exactly 3, met
        expect((await other.send(ops(20, 1000, 10_000))).committed).toBe(20);
        expect(
          await eventually(async () => (await p95()) === "3" && "3", 20_000, "p95 = 3 from 40 operations"),
        ).toBe("3");
        // One more failure: 41, rank 38.95 > 38 → in (3, 5] again (the fast failure counts as slow)
        expect(
          (
            await other.send([
              result("portal", "login", "operation", {}, { ok: false, ms: 1, ts: now - 1000 }),
            ])
          ).committed,
        ).toBe(1);
        const last = await eventually(
          async () => {
            const v = Number(await p95());
            return v > 3 && v;
          },
          20_000,
          "p95 above 3 after one failure",
        );
        expect(last).toBeGreaterThan(3);
      } finally {
        other.close();
      }
    },
    60_000,
  );
});
