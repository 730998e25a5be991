// Shared by the benchmark's server config, its simulated agents and the in-process store ceiling:
// the targets the server knows and realistic Result objects for them.
import type { z } from "zod";
import type { Target } from "../config/schema.js";
import { PROTOCOL_VERSION, type Result } from "../protocol/messages.js";

const upsOids = {
  "battery.status": "1.3.6.1.2.1.33.1.2.1.0",
  "battery.runtime_minutes": "1.3.6.1.2.1.33.1.2.3.0",
  "battery.charge": "1.3.6.1.2.1.33.1.2.4.0",
  "input.voltage": "1.3.6.1.2.1.33.1.3.3.1.3.1",
  "ups.load": "1.3.6.1.2.1.33.1.4.4.1.5.1",
};

/** Raw target config (before Config.parse fills defaults). */
export const benchTargets = [
  ...[1, 2, 3, 4].map((n) => ({
    id: `ups-${n}`,
    name: `${n}号机房 UPS`,
    group: "power",
    checks: [
      { id: "snmp", kind: "snmp" as const, address: `10.0.0.${n}:161`, interval: "10s", oids: upsOids },
    ],
  })),
  ...["portal", "gov-service", "open-data"].map((id) => ({
    id,
    name: id,
    group: "web",
    checks: [{ id: "home", kind: "http" as const, url: `https://${id}.example.gov.cn/`, interval: "10s" }],
  })),
] satisfies z.input<typeof Target>[];

export const agentIds = (n: number) =>
  Array.from({ length: n }, (_, i) => `bench-${String(i + 1).padStart(2, "0")}`);

/** One probe outcome of `agent`, spread over the checks above and over the last 10 s of agent clock. */
export function makeResult(agent: string, seq: number, now: number): Result {
  const t = benchTargets[seq % benchTargets.length] as (typeof benchTargets)[number];
  const ts = now - Math.floor(Math.random() * 10_000);
  if (t.checks[0]?.kind === "snmp") {
    return {
      v: PROTOCOL_VERSION,
      agent,
      seq,
      target: t.id,
      check: "snmp",
      kind: "snmp",
      ts,
      duration_ms: 3 + Math.random() * 20,
      ok: true,
      values: {
        "battery.status": 2,
        "battery.runtime_minutes": 40 + (seq % 20),
        "battery.charge": 100 - (seq % 7),
        "input.voltage": 218 + Math.random() * 6,
        "ups.load": 30 + (seq % 25),
      },
    };
  }
  const failed = seq % 97 === 0;
  const r: Result = {
    v: PROTOCOL_VERSION,
    agent,
    seq,
    target: t.id,
    check: "home",
    kind: "http",
    ts,
    duration_ms: 20 + Math.random() * 300,
    ok: !failed,
    values: {
      "http.status": failed ? 503 : 200,
      "http.content_length": 18_000 + (seq % 4096),
      "http.ssl": true,
      "http.tls_days_left": 61,
    },
  };
  if (failed) r.error = "unexpected status 503 Service Unavailable";
  return r;
}

/** `n` results of `agent` with seq firstSeq, firstSeq+1, … */
export function makeBatch(agent: string, firstSeq: number, n: number, now = Date.now()): Result[] {
  return Array.from({ length: n }, (_, i) => makeResult(agent, firstSeq + i, now));
}
