import { Router } from "express";
import type { AgentLive } from "../ingest.js";
import type { Store } from "../store/store.js";
import { handler, sendJson } from "./http.js";

export interface AgentsDeps {
  /** The configured agent ids (they change on a config reload). */
  configured: () => readonly string[];
  /** Live state since this server started. */
  live: (agent: string) => AgentLive | undefined;
  store: Store;
  /** server.max_clock_offset (ms). */
  maxClockOffsetMs: number;
}

/**
 * GET /api/v1/agents: every configured agent, connected or not, with what the server knows of it —
 * live state from this process, else what the store recorded at its last hello (before a restart).
 */
export function agentRoutes(d: AgentsDeps): Router {
  const r = Router();
  r.get(
    "/api/v1/agents",
    handler(async (_req, res) => {
      const stored = new Map((await d.store.agents()).map((a) => [a.agent, a]));
      const agents = d.configured().map((id) => {
        const s = stored.get(id);
        const l = d.live(id);
        const offset = l?.clockOffsetMs ?? s?.clockOffsetMs ?? null;
        return {
          id,
          connected: l?.connected ?? false,
          version: s?.version ?? null,
          last_seen: l?.lastSeenMs ?? s?.seenMs ?? null,
          spool_depth: l?.spoolDepth ?? s?.spoolDepth ?? null,
          last_seq: s?.lastSeq ?? 0,
          clock_offset_ms: offset,
          // Unknown (never connected) is not "wrong": null, not false.
          clock_ok: offset === null ? null : Math.abs(offset) <= d.maxClockOffsetMs,
        };
      });
      sendJson(res, { max_clock_offset_ms: d.maxClockOffsetMs, agents });
    }),
  );
  return r;
}
