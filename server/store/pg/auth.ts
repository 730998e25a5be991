import type pg from "pg";
import { tokenValues, toToken, toUser, userValues } from "../auth.js";
import type { AuthStore, SessionRecord, TokenRecord, UserRecord } from "../store.js";
import { one, params } from "./pool.js";

type UserRow = Parameters<typeof toUser>[0];
type TokenRow = Parameters<typeof toToken>[0];

const isId = (id: string) => /^\d+$/.test(id);

/** Users, API tokens and console sessions, secrets stored only as hashes (see SqliteAuthStore). */
export class PgAuthStore implements AuthStore {
  constructor(private readonly pool: pg.Pool) {}

  async addUser(u: UserRecord): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO users (name, display_name, role, password_hash, disabled, created_at, created_by, last_login_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name) DO NOTHING`,
      userValues(u),
    );
    return r.rowCount === 1;
  }

  async user(name: string): Promise<UserRecord | undefined> {
    const { rows } = await this.pool.query<UserRow>("SELECT * FROM users WHERE name = $1", [name]);
    return rows[0] && toUser(rows[0]);
  }

  async users(): Promise<UserRecord[]> {
    return (await this.pool.query<UserRow>("SELECT * FROM users ORDER BY name")).rows.map(toUser);
  }

  async updateUser(
    name: string,
    patch: Partial<Pick<UserRecord, "role" | "passwordHash" | "disabled" | "lastLoginAt" | "displayName">>,
  ): Promise<boolean> {
    const { values, p } = params();
    const set: string[] = [];
    if (patch.role !== undefined) set.push(`role = ${p(patch.role)}`);
    if (patch.passwordHash !== undefined) set.push(`password_hash = ${p(patch.passwordHash)}`);
    if (patch.disabled !== undefined) set.push(`disabled = ${p(patch.disabled ? 1 : 0)}`);
    if (patch.lastLoginAt !== undefined) set.push(`last_login_at = ${p(patch.lastLoginAt)}`);
    if (patch.displayName !== undefined) set.push(`display_name = ${p(patch.displayName)}`);
    if (!set.length) return (await this.user(name)) !== undefined;
    const r = await this.pool.query(`UPDATE users SET ${set.join(", ")} WHERE name = ${p(name)}`, values);
    return r.rowCount === 1;
  }

  async addToken(t: Omit<TokenRecord, "id">): Promise<string> {
    const id = await one<number>(
      `INSERT INTO api_tokens (name, role, hash, created_at, created_by, expires_at, revoked_at, revoked_by, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      tokenValues(t),
      this.pool,
    );
    return String(id);
  }

  async tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.pool.query<TokenRow>("SELECT * FROM api_tokens WHERE hash = $1", [hash]);
    return rows[0] && toToken(rows[0]);
  }

  async token(id: string): Promise<TokenRecord | undefined> {
    if (!isId(id)) return undefined;
    const { rows } = await this.pool.query<TokenRow>("SELECT * FROM api_tokens WHERE id = $1", [id]);
    return rows[0] && toToken(rows[0]);
  }

  async tokens(): Promise<TokenRecord[]> {
    return (await this.pool.query<TokenRow>("SELECT * FROM api_tokens ORDER BY id")).rows.map(toToken);
  }

  async revokeToken(id: string, at: number, by: string): Promise<boolean> {
    if (!isId(id)) return false;
    const r = await this.pool.query(
      "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
      [at, by, id],
    );
    return r.rowCount === 1;
  }

  async touchToken(id: string, at: number): Promise<void> {
    if (isId(id)) await this.pool.query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", [at, id]);
  }

  async addSession(s: SessionRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO sessions (id_hash, "user", csrf, created_at, expires_at, last_seen_at, addr)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [s.idHash, s.user, s.csrf, s.createdAt, s.expiresAt, s.lastSeenAt, s.addr],
    );
  }

  async session(idHash: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.pool.query<SessionRecord>(
      `SELECT id_hash AS "idHash", "user", csrf, created_at AS "createdAt", expires_at AS "expiresAt",
         last_seen_at AS "lastSeenAt", addr FROM sessions WHERE id_hash = $1`,
      [idHash],
    );
    return rows[0];
  }

  async touchSession(idHash: string, at: number, expiresAt: number): Promise<void> {
    await this.pool.query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3", [
      at,
      expiresAt,
      idHash,
    ]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.pool.query("DELETE FROM sessions WHERE id_hash = $1", [idHash]);
  }

  async deleteSessionsOf(user: string): Promise<number> {
    return (await this.pool.query('DELETE FROM sessions WHERE "user" = $1', [user])).rowCount ?? 0;
  }

  async pruneSessions(now: number): Promise<number> {
    return (await this.pool.query("DELETE FROM sessions WHERE expires_at < $1", [now])).rowCount ?? 0;
  }
}
