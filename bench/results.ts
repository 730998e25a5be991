// Shared by the benchmark's server config, its simulated agents and the in-process store ceiling:
// the targets the server knows and realistic Result objects for them.
import type { z } from "zod";
import type { Target } from "../config/schema.js";
import { PROTOCOL_VERSION, type Result } from "../protocol/messages.js";

const upsOids = {
  "ups.output_source": "1.3.6.1.2.1.33.1.4.1.0",
  "battery.status": "1.3.6.1.2.1.33.1.2.1.0",
  "battery.runtime_minutes": "1.3.6.1.2.1.33.1.2.3.0",
  "battery.charge": "1.3.6.1.2.1.33.1.2.4.0",
  "input.voltage": "1.3.6.1.2.1.33.1.3.3.1.3.1",
  "ups.load": "1.3.6.1.2.1.33.1.4.4.1.5.1",
};

/** 4 UPSes and 8 web sites, counted toward their indicators as in config/demo.yaml (raw config input). */
export const benchTargets = [
  ...[1, 2, 3, 4].map((n) => ({
    id: `ups-${n}`,
    name: `${n}号机房 UPS`,
    group: "power",
    indicators: [{ id: "ups_power_stability" as const }, { id: "room_power_stability" as const }],
    checks: [
      { id: "snmp", kind: "snmp" as const, address: `10.0.0.${n}:161`, interval: "10s", oids: upsOids },
    ],
  })),
  ...["portal", "gov-service", "open-data", "news", "tax", "health", "edu", "mail"].map((id) => ({
    id,
    name: id,
    group: "web",
    indicators: [{ id: "website_uptime" as const }, { id: "response_time" as const }],
    checks: [{ id: "home", kind: "http" as const, url: `https://${id}.example.gov.cn/`, interval: "10s" }],
  })),
] satisfies z.input<typeof Target>[];

export const agentIds = (n: number) =>
  Array.from({ length: n }, (_, i) => `bench-${String(i + 1).padStart(2, "0")}`);

/**
 * The results of one agent, round-robin over the targets, with seq increasing by one. `ts` (probe start)
 * lies at random within the `spreadMs` before the batch is made, as results finishing within one batch
 * delay do, but never goes back within one (target, check) stream, as with a real agent: the server's
 * rollup re-encodes a stream from raw results when it does. The spread decides how scattered the
 * inserts into the (target, ts) index are, see README.md.
 */
export class ResultSource {
  private readonly lastTs = benchTargets.map(() => 0);

  constructor(
    readonly agent: string,
    private seq: number,
    private readonly spreadMs: number,
  ) {}

  batch(n: number): Result[] {
    const now = Date.now();
    const out: Result[] = [];
    for (let i = 0; i < n; i++) out.push(this.result(++this.seq, now));
    return out;
  }

  /** Gives pre-built results new seq and ts, as batch() would (for the store ceiling). */
  restamp(results: Result[]): void {
    const now = Date.now();
    for (const r of results) {
      r.seq = ++this.seq;
      r.ts = this.ts(r.seq, now);
    }
  }

  private ts(seq: number, now: number): number {
    const i = seq % benchTargets.length;
    const ts = Math.max(now - Math.floor(Math.random() * this.spreadMs), (this.lastTs[i] ?? 0) + 1);
    this.lastTs[i] = ts;
    return ts;
  }

  private result(seq: number, now: number): Result {
    const t = benchTargets[seq % benchTargets.length] as (typeof benchTargets)[number];
    const ts = this.ts(seq, now);
    if (t.group === "power") {
      const values = {
        "ups.output_source": 3,
        "battery.status": 2,
        "battery.runtime_minutes": 40 + (seq % 20),
        "battery.charge": 100 - (seq % 7),
        "input.voltage": 218 + (seq % 7),
        "ups.load": 30 + (seq % 25),
      };
      const duration_ms = 3 + (seq % 20);
      return {
        v: PROTOCOL_VERSION,
        agent: this.agent,
        seq,
        target: t.id,
        check: "snmp",
        kind: "snmp",
        ts,
        duration_ms,
        ok: true,
        values,
      };
    }
    const ok = seq % 97 !== 0;
    const values = {
      "http.status": ok ? 200 : 503,
      "http.content_length": 18_000 + (seq % 4096),
      "http.ssl": true,
      "http.tls_days_left": 61,
    };
    const duration_ms = 20 + (seq % 300) + 0.25;
    const r: Result = {
      v: PROTOCOL_VERSION,
      agent: this.agent,
      seq,
      target: t.id,
      check: "home",
      kind: "http",
      ts,
      duration_ms,
      ok,
      values,
    };
    if (!ok) r.error = "unexpected status 503 Service Unavailable";
    return r;
  }
}
