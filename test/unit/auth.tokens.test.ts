import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken, newTokenSecret, Tokens } from "../../server/auth/tokens.js";
import { SqliteStore } from "../../server/store/sqlite.js";

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ow-tokens-"));
  store = new SqliteStore(join(dir, "db.sqlite"));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 10, 1);

describe("API tokens", () => {
  it("are owt_ + 32 random bytes base64url, stored as sha256 hex", async () => {
    const s = newTokenSecret();
    // 32 bytes = 256 bits → ceil(256 / 6) = 43 base64url characters after the 4-character prefix.
    expect(s).toMatch(/^owt_[A-Za-z0-9_-]{43}$/);
    expect(hashToken(s)).toBe(createHash("sha256").update(s).digest("hex"));
    const tokens = new Tokens(store.auth, []);
    const { secret, token } = await tokens.create({ name: "ci", role: "operator" }, "root", T0);
    const stored = await store.auth.token(token.id);
    expect(stored?.hash).toBe(hashToken(secret));
    expect(JSON.stringify(await store.auth.tokens())).not.toContain(secret);
  });

  it("check: actor via token; expired, revoked and unknown tokens refused with their reason", async () => {
    const tokens = new Tokens(store.auth, []);
    const { secret, token } = await tokens.create(
      { name: "ci", role: "operator", expiresAt: T0 + 1000 },
      "root",
      T0,
    );
    expect(await tokens.check(secret, T0 + 999)).toEqual({
      actor: { name: "ci", role: "operator", via: "token" },
      tokenId: token.id,
    });
    // expiresAt is exclusive: at T0 + 1000 the token is over.
    expect(await tokens.check(secret, T0 + 1000)).toEqual({ error: "token expired" });
    const other = await tokens.create({ name: "old", role: "admin" }, "root", T0);
    await store.auth.revokeToken(other.token.id, T0 + 5, "root");
    expect(await tokens.check(other.secret, T0 + 6)).toEqual({ error: "token revoked" });
    expect(await tokens.check(newTokenSecret(), T0)).toEqual({ error: "unknown token" });
  });

  it("touches last_used_at at most once a minute", async () => {
    const tokens = new Tokens(store.auth, []);
    const { secret, token } = await tokens.create({ name: "ci", role: "viewer" }, "root", T0);
    await tokens.check(secret, T0 + 1_000);
    expect((await store.auth.token(token.id))?.lastUsedAt).toBe(T0 + 1_000);
    await tokens.check(secret, T0 + 60_999); // 59.999 s later: not touched
    expect((await store.auth.token(token.id))?.lastUsedAt).toBe(T0 + 1_000);
    await tokens.check(secret, T0 + 61_000); // 60 s later: touched
    expect((await store.auth.token(token.id))?.lastUsedAt).toBe(T0 + 61_000);
  });

  it("config tokens (server.api_tokens) keep working, via config, and can be swapped (reload)", async () => {
    const tokens = new Tokens(store.auth, [{ name: "alice", token: "op-token", role: "operator" }]);
    expect(await tokens.check("op-token", T0)).toEqual({
      actor: { name: "alice", role: "operator", via: "config" },
    });
    tokens.setConfigTokens([{ name: "bob", token: "new-token", role: "viewer" }]);
    expect(await tokens.check("op-token", T0)).toEqual({ error: "unknown token" });
    expect(await tokens.check("new-token", T0)).toEqual({
      actor: { name: "bob", role: "viewer", via: "config" },
    });
  });
});
