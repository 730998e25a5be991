import type { ServerConfig } from "../../config/schema.js";
import { resolveSecret } from "../../config/secrets.js";
import { PgStore } from "./pg/store.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

const PG_URL = /^postgres(?:ql)?:\/\//i;

/** `server.database` as written: a SQLite path, or a PostgreSQL URL, possibly "${ENV}" / "file:PATH". */
function resolveDatabase(value: string): string {
  return value.startsWith("${") || value.startsWith("file:") ? resolveSecret(value) : value;
}

/** The store `server.database` names: PostgreSQL for a postgres:// URL, else a SQLite file. */
export async function openStore(
  sc: Pick<ServerConfig, "database" | "synchronous">,
  opts: { poolSize?: number } = {},
): Promise<Store> {
  const db = resolveDatabase(sc.database);
  if (PG_URL.test(db)) return PgStore.open(db, opts);
  return new SqliteStore(db, { synchronous: sc.synchronous });
}

/**
 * The database for logs and banners, never a password: a secret reference stays a reference
 * ("${PG_URL}"), a literal URL loses its password and query (which may carry one too).
 */
export function describeDatabase(value: string): string {
  if (value.startsWith("${") || value.startsWith("file:")) return value;
  if (!PG_URL.test(value)) return value;
  try {
    const u = new URL(value);
    if (u.password) u.password = "***";
    u.search = "";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}
