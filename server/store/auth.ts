import type Database from "better-sqlite3";
import type { Role } from "../../config/schema.js";
import type { AuthStore, SessionRecord, TokenRecord, UserRecord } from "./store.js";

/** Users, API tokens and console sessions. Secrets are stored only as hashes (server/auth/). */
export class SqliteAuthStore implements AuthStore {
  constructor(private readonly db: Database.Database) {}

  async addUser(u: UserRecord): Promise<boolean> {
    return (
      this.db
        .prepare(
          `INSERT OR IGNORE INTO users (name, display_name, role, password_hash, disabled, created_at, created_by, last_login_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...userValues(u)).changes === 1
    );
  }

  async user(name: string): Promise<UserRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM users WHERE name = ?").get(name) as UserRow | undefined;
    return row && toUser(row);
  }

  async users(): Promise<UserRecord[]> {
    return (this.db.prepare("SELECT * FROM users ORDER BY name").all() as UserRow[]).map(toUser);
  }

  async updateUser(
    name: string,
    patch: Partial<Pick<UserRecord, "role" | "passwordHash" | "disabled" | "lastLoginAt" | "displayName">>,
  ): Promise<boolean> {
    const cols: Record<string, unknown> = {};
    if (patch.role !== undefined) cols.role = patch.role;
    if (patch.passwordHash !== undefined) cols.password_hash = patch.passwordHash;
    if (patch.disabled !== undefined) cols.disabled = patch.disabled ? 1 : 0;
    if (patch.lastLoginAt !== undefined) cols.last_login_at = patch.lastLoginAt;
    if (patch.displayName !== undefined) cols.display_name = patch.displayName;
    const keys = Object.keys(cols);
    if (!keys.length) return (await this.user(name)) !== undefined;
    return (
      this.db
        .prepare(`UPDATE users SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE name = ?`)
        .run(...keys.map((k) => cols[k]), name).changes === 1
    );
  }

  async addToken(t: Omit<TokenRecord, "id">): Promise<string> {
    const info = this.db
      .prepare(
        `INSERT INTO api_tokens (name, role, hash, created_at, created_by, expires_at, revoked_at, revoked_by, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...tokenValues(t));
    return String(info.lastInsertRowid);
  }

  async tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM api_tokens WHERE hash = ?").get(hash) as TokenRow | undefined;
    return row && toToken(row);
  }

  async token(id: string): Promise<TokenRecord | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    const row = this.db.prepare("SELECT * FROM api_tokens WHERE id = ?").get(Number(id)) as
      | TokenRow
      | undefined;
    return row && toToken(row);
  }

  async tokens(): Promise<TokenRecord[]> {
    return (this.db.prepare("SELECT * FROM api_tokens ORDER BY id").all() as TokenRow[]).map(toToken);
  }

  async revokeToken(id: string, at: number, by: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    return (
      this.db
        .prepare("UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL")
        .run(at, by, Number(id)).changes === 1
    );
  }

  async touchToken(id: string, at: number): Promise<void> {
    this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(at, Number(id));
  }

  async addSession(s: SessionRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sessions (id_hash, user, csrf, created_at, expires_at, last_seen_at, addr)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.idHash, s.user, s.csrf, s.createdAt, s.expiresAt, s.lastSeenAt, s.addr);
  }

  async session(idHash: string): Promise<SessionRecord | undefined> {
    const r = this.db.prepare("SELECT * FROM sessions WHERE id_hash = ?").get(idHash) as
      | SessionRow
      | undefined;
    return (
      r && {
        idHash: r.id_hash,
        user: r.user,
        csrf: r.csrf,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        lastSeenAt: r.last_seen_at,
        addr: r.addr,
      }
    );
  }

  async touchSession(idHash: string, at: number, expiresAt: number): Promise<void> {
    this.db
      .prepare("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?")
      .run(at, expiresAt, idHash);
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
  }

  async deleteSessionsOf(user: string): Promise<number> {
    return this.db.prepare("DELETE FROM sessions WHERE user = ?").run(user).changes;
  }

  async pruneSessions(now: number): Promise<number> {
    return this.db.prepare("DELETE FROM sessions WHERE expires_at < ?").run(now).changes;
  }
}

interface UserRow {
  name: string;
  display_name: string | null;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: number;
  created_by: string;
  last_login_at: number | null;
}

interface TokenRow {
  id: number;
  name: string;
  role: Role;
  hash: string;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  last_used_at: number | null;
}

interface SessionRow {
  id_hash: string;
  user: string;
  csrf: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  addr: string;
}

export function toUser(r: UserRow): UserRecord {
  return {
    name: r.name,
    ...(r.display_name === null ? {} : { displayName: r.display_name }),
    role: r.role,
    passwordHash: r.password_hash,
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    createdBy: r.created_by,
    ...(r.last_login_at === null ? {} : { lastLoginAt: r.last_login_at }),
  };
}

export function toToken(r: TokenRow): TokenRecord {
  return {
    id: String(r.id),
    name: r.name,
    role: r.role,
    hash: r.hash,
    createdAt: r.created_at,
    createdBy: r.created_by,
    ...(r.expires_at === null ? {} : { expiresAt: r.expires_at }),
    ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at }),
    ...(r.revoked_by === null ? {} : { revokedBy: r.revoked_by }),
    ...(r.last_used_at === null ? {} : { lastUsedAt: r.last_used_at }),
  };
}

/** A user's column values in the order of the users INSERT (both stores use it). */
export function userValues(u: UserRecord) {
  const { name, role, passwordHash, disabled, createdAt, createdBy } = u;
  return [
    name,
    u.displayName ?? null,
    role,
    passwordHash,
    disabled ? 1 : 0,
    createdAt,
    createdBy,
    u.lastLoginAt ?? null,
  ];
}

/** A token's column values in the order of the api_tokens INSERT (both stores use it). */
export function tokenValues(t: Omit<TokenRecord, "id">) {
  const { name, role, hash, createdAt, createdBy } = t;
  const opt = (v: string | number | undefined) => v ?? null;
  return [
    name,
    role,
    hash,
    createdAt,
    createdBy,
    opt(t.expiresAt),
    opt(t.revokedAt),
    opt(t.revokedBy),
    opt(t.lastUsedAt),
  ];
}
