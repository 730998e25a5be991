import type { Check, Target } from "../config/schema.js";
import type { Result } from "../protocol/messages.js";

export type State = "up" | "down" | "unknown";

export interface CheckAgentView {
  agent: string;
  fresh: boolean;
  last: Result;
}

/**
 * The server's current picture: the newest result of every (target, check, agent).
 * A result is fresh for `2 × interval + timeout` (indicators.md), after which it says nothing.
 * This is the live state for /metrics and the API only; confirmation runs and the official
 * timelines belong to the indicator engine.
 */
export class LiveView {
  /** check key → agent → newest result */
  private readonly latest = new Map<string, Map<string, Result>>();
  private readonly checks = new Map<string, { target: Target; check: Check }>();

  constructor(readonly targets: readonly Target[]) {
    for (const target of targets)
      for (const check of target.checks) this.checks.set(key(target.id, check.id), { target, check });
  }

  /** Keeps the newer result; returns false for a trap event, an unconfigured check or an older result. */
  update(r: Result): boolean {
    if (r.kind === "trap") return false; // events, not probes: they never make a check up or down
    const k = key(r.target, r.check);
    if (!this.checks.has(k)) return false;
    let byAgent = this.latest.get(k);
    if (!byAgent) {
      byAgent = new Map();
      this.latest.set(k, byAgent);
    }
    const prev = byAgent.get(r.agent);
    if (prev && prev.ts > r.ts) return false;
    byAgent.set(r.agent, r);
    return true;
  }

  isConfigured(target: string, check: string): boolean {
    return this.checks.has(key(target, check));
  }

  agentsOf(targetId: string, checkId: string, now: number): CheckAgentView[] {
    const k = key(targetId, checkId);
    const check = this.checks.get(k)?.check;
    if (!check) return [];
    const maxAge = 2 * check.interval + check.timeout;
    return [...(this.latest.get(k)?.values() ?? [])]
      .map((last) => ({ agent: last.agent, last, fresh: now - last.ts <= maxAge }))
      .sort((a, b) => a.agent.localeCompare(b.agent));
  }

  /** Check state across agents: down only with a strict majority of fresh agents failing. */
  checkState(targetId: string, checkId: string, now: number): State {
    const fresh = this.agentsOf(targetId, checkId, now).filter((a) => a.fresh);
    if (fresh.length === 0) return "unknown";
    const down = fresh.filter((a) => !a.last.ok).length;
    return down * 2 > fresh.length ? "down" : "up";
  }

  /** Target state: the worst of its checks (down > unknown > up). */
  targetState(target: Target, now: number): State {
    const states = target.checks.map((c) => this.checkState(target.id, c.id, now));
    if (states.includes("down")) return "down";
    if (states.includes("unknown")) return "unknown";
    return "up";
  }

  lookup(targetId: string, checkId: string): { target: Target; check: Check } | undefined {
    return this.checks.get(key(targetId, checkId));
  }
}

function key(...parts: string[]): string {
  return parts.join("\0");
}
