import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Role } from "../../config/schema.js";
import type { AuthStore, TokenRecord } from "../store/store.js";
import type { Actor } from "./actor.js";

/** The prefix makes a leaked token recognisable to secret scanners and in a log someone pasted. */
export const TOKEN_PREFIX = "owt_";
const TOUCH_EVERY_MS = 60_000;

/** "owt_" + 32 random bytes in base64url (43 characters). */
export const newTokenSecret = (): string => TOKEN_PREFIX + randomBytes(32).toString("base64url");

/** What the store keeps: sha256 of the secret, hex. A fast hash is enough: the secret has 256 random bits. */
export const hashToken = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export type TokenCheck = { actor: Actor; tokenId?: string } | { error: string };

/** A token without the hash: what the API and the CLI show. */
export function tokenView(t: TokenRecord) {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    created_at: t.createdAt,
    created_by: t.createdBy,
    expires_at: t.expiresAt ?? null,
    revoked_at: t.revokedAt ?? null,
    revoked_by: t.revokedBy ?? null,
    last_used_at: t.lastUsedAt ?? null,
  };
}

export interface ConfigToken {
  name: string;
  token: string;
  role: Role;
}

/**
 * Bearer tokens: those of `server.api_tokens` (config secrets, not revocable except by editing the
 * config) and those created through the API or CLI (hashed in the store, expirable, revocable).
 */
export class Tokens {
  private config: { digest: Buffer; actor: Actor }[] = [];

  constructor(
    private readonly store: AuthStore,
    configTokens: readonly ConfigToken[],
  ) {
    this.setConfigTokens(configTokens);
  }

  /** Replaces the config tokens (SIGHUP reload). */
  setConfigTokens(tokens: readonly ConfigToken[]): void {
    this.config = tokens.map((t) => ({
      digest: createHash("sha256").update(t.token).digest(),
      actor: { name: t.name, role: t.role, via: "config" },
    }));
  }

  /** The actor behind a secret, or why it is refused. Config tokens are compared in constant time. */
  async check(secret: string, now: number): Promise<TokenCheck> {
    const d = createHash("sha256").update(secret).digest();
    let found: Actor | undefined;
    for (const t of this.config) if (timingSafeEqual(t.digest, d)) found = t.actor;
    if (found) return { actor: found };
    // Looked up by its hash: the lookup reveals nothing about secrets that differ from it.
    const t = await this.store.tokenByHash(d.toString("hex"));
    if (!t) return { error: "unknown token" };
    if (t.revokedAt !== undefined) return { error: "token revoked" };
    if (t.expiresAt !== undefined && t.expiresAt <= now) return { error: "token expired" };
    // last_used_at is for spotting unused tokens: minute precision saves a write per request.
    if (t.lastUsedAt === undefined || now - t.lastUsedAt >= TOUCH_EVERY_MS)
      await this.store.touchToken(t.id, now);
    return { actor: { name: t.name, role: t.role, via: "token" }, tokenId: t.id };
  }

  /** Stores a new token; the secret is returned here and never again. */
  async create(
    t: { name: string; role: Role; expiresAt?: number },
    by: string,
    now: number,
  ): Promise<{ secret: string; token: TokenRecord }> {
    const secret = newTokenSecret();
    const rec: Omit<TokenRecord, "id"> = {
      name: t.name,
      role: t.role,
      hash: hashToken(secret),
      createdAt: now,
      createdBy: by,
      ...(t.expiresAt === undefined ? {} : { expiresAt: t.expiresAt }),
    };
    const id = await this.store.addToken(rec);
    return { secret, token: { id, ...rec } };
  }
}
