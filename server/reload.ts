import type { ServerConfig } from "../config/schema.js";
import type { Logger } from "../lib/log.js";
import type { AuditStore } from "./store/store.js";
import type { TlsFiles } from "./tls.js";

/** What a SIGHUP may change without a restart; everything else in the new config is ignored (logged). */
export interface Reloadable {
  tls?: TlsFiles;
  setAgents(agents: ServerConfig["agents"]): void;
  setApiTokens(tokens: ServerConfig["api_tokens"]): void;
  audit: AuditStore;
  logger: Logger;
}

type Snapshot = {
  agents: { id: string; tokens: number }[];
  api_tokens: string[];
  tls_fingerprint: string | null;
};

/** Names, counts and fingerprints only: the audit log must never hold a secret. */
function snapshot(sc: ServerConfig, fingerprint: string | undefined): Snapshot {
  return {
    agents: sc.agents.map((a) => ({ id: a.id, tokens: a.tokens.length })),
    api_tokens: sc.api_tokens.map((t) => t.name),
    tls_fingerprint: fingerprint ?? null,
  };
}

/**
 * Applies a re-read config: certificate files, agent tokens, API tokens. The TLS files are tried first:
 * if they are unreadable nothing is applied (the old config stays whole) and the error is thrown.
 */
export class ConfigReloader {
  constructor(
    private current: ServerConfig,
    private readonly r: Reloadable,
  ) {}

  async apply(next: ServerConfig): Promise<Snapshot> {
    const before = snapshot(this.current, this.r.tls?.fingerprint);
    if (this.r.tls) {
      if (!next.tls) throw new Error("server.tls removed: restart the server to serve plain HTTP");
      this.r.tls.reload(next.tls);
    } else if (next.tls) throw new Error("server.tls added: restart the server to serve HTTPS");
    this.r.setAgents(next.agents);
    this.r.setApiTokens(next.api_tokens);
    this.current = next;
    const after = snapshot(next, this.r.tls?.fingerprint);
    await this.r.audit.append({
      at: Date.now(),
      actor: "system",
      role: "system",
      via: "config",
      addr: "",
      action: "config.reload",
      object: "config/server",
      before,
      after,
    });
    this.r.logger.info(
      {
        agents: after.agents,
        apiTokens: after.api_tokens.length,
        ...(after.tls_fingerprint ? { certificate: after.tls_fingerprint } : {}),
      },
      "config reloaded (TLS files, agent tokens, API tokens; other changes need a restart)",
    );
    return after;
  }
}
