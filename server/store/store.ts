import type { Role } from "../../config/schema.js";
import type { FaultEvent } from "../../engine/faults.js";
import type { MaintenanceWindow } from "../../engine/maintenance.js";
import type { Result } from "../../protocol/messages.js";
import type { FaultFilter, FaultRecord, FaultRow } from "./faults.js";
import type { NewRun, StoredRun } from "./inspections.js";
import type { MaintenanceRecord } from "./maintenance.js";
import type { RunRow, StreamKey } from "./runs.js";

export interface CommitOutcome {
  committed: number;
  duplicates: number;
  /** The results that were new (replays excluded): what the evaluator must see, once. */
  fresh: Result[];
}

/** A stored result; `clock_offset_ms` is set when its agent's clock was off by more than the limit. */
export type StoredResult = Result & { clock_offset_ms?: number };

export interface ResultPage {
  items: StoredResult[];
  /** Opaque cursor for the next page; absent on the last page. */
  next?: string;
}

export interface ResultQuery {
  target: string;
  from: number; // ms, inclusive
  to: number; // ms, exclusive
  limit: number;
  cursor?: string;
}

export interface AgentSeen {
  agent: string;
  version: string;
  spoolDepth: number;
  clockOffsetMs: number;
  seenMs: number;
}

export interface AgentRecord {
  agent: string;
  lastSeq: number;
  version?: string;
  spoolDepth?: number;
  clockOffsetMs?: number;
  seenMs?: number;
}

/** One batch to commit; `clockOffsetMs` flags every result in it (the agent's clock was off). */
export interface CommitBatch {
  results: readonly Result[];
  clockOffsetMs?: number;
}

/** Rollups: run-length encoded verdict streams (engine/runs.ts), upserted by (stream, start). */
export interface RunStore {
  save(rows: readonly RunRow[]): Promise<void>;
  /** Runs of one target and indicator with start < to and last ≥ from, in (check, agent, start) order. */
  load(target: string, indicator: string, from: number, to: number): Promise<RunRow[]>;
  /** The newest run of every stream. */
  tails(): Promise<RunRow[]>;
  /** Deletes the runs of a stream reaching `from` or later; returns where re-encoding must start. */
  deleteFrom(key: StreamKey, from: number): Promise<number>;
}

/** Faults as append-only event logs. */
export interface FaultStore {
  create(f: Omit<FaultRow, "id" | "open">, opened: Extract<FaultEvent, { type: "opened" }>): Promise<string>;
  append(id: string, e: FaultEvent, derived: { open: boolean; severity: string }): Promise<void>;
  get(id: string): Promise<FaultRecord | undefined>;
  openFor(target: string, cause: string): Promise<FaultRecord | undefined>;
  list(q?: FaultFilter): Promise<FaultRecord[]>;
}

export interface MaintenanceStore {
  create(w: Omit<MaintenanceWindow, "id">, createdBy: string): Promise<string>;
  cancel(id: string, at: number, by: string): Promise<boolean>;
  get(id: string): Promise<MaintenanceRecord | undefined>;
  all(): Promise<MaintenanceRecord[]>;
}

export interface InspectionStore {
  since(plan: string, now: number): Promise<number>;
  lastScheduled(plan: string): Promise<number | undefined>;
  create(run: NewRun): Promise<{ id: string; created: boolean }>;
  recordMissed(
    plan: string,
    scheduled: readonly number[],
    toleranceMs: number,
    recordedAt: number,
  ): Promise<number>;
  linkFault(runId: string, target: string, item: string, faultId: string): Promise<void>;
  signOff(
    runId: string,
    target: string,
    item: string,
    s: { result: "pass" | "fail"; note?: string; at: number; by: string; faultId?: string },
  ): Promise<boolean>;
  get(id: string): Promise<StoredRun | undefined>;
  list(q: { from: number; to: number; plan?: string }): Promise<StoredRun[]>;
}

export interface UserRecord {
  name: string;
  displayName?: string;
  role: Role;
  /** KDF output in PHC-like text form (server/auth/password.ts); never leaves the server. */
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
  createdBy: string;
  lastLoginAt?: number;
}

export interface TokenRecord {
  id: string;
  /** Who uses it: recorded as the actor of every write made with it. */
  name: string;
  role: Role;
  /** sha256 of the secret part, hex. The secret itself is shown once, at creation. */
  hash: string;
  createdAt: number;
  createdBy: string;
  expiresAt?: number;
  revokedAt?: number;
  revokedBy?: string;
  lastUsedAt?: number;
}

export interface SessionRecord {
  /** sha256 of the cookie value, hex. */
  idHash: string;
  user: string;
  /** The CSRF token a browser must echo in X-CSRF-Token on every write. */
  csrf: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  addr: string;
}

export interface AuthStore {
  /** Adds a user; false when the name is taken. */
  addUser(u: UserRecord): Promise<boolean>;
  user(name: string): Promise<UserRecord | undefined>;
  users(): Promise<UserRecord[]>;
  updateUser(
    name: string,
    patch: Partial<Pick<UserRecord, "role" | "passwordHash" | "disabled" | "lastLoginAt" | "displayName">>,
  ): Promise<boolean>;
  /** Returns the new token's id. */
  addToken(t: Omit<TokenRecord, "id">): Promise<string>;
  tokenByHash(hash: string): Promise<TokenRecord | undefined>;
  token(id: string): Promise<TokenRecord | undefined>;
  tokens(): Promise<TokenRecord[]>;
  /** false when unknown or already revoked. */
  revokeToken(id: string, at: number, by: string): Promise<boolean>;
  touchToken(id: string, at: number): Promise<void>;
  addSession(s: SessionRecord): Promise<void>;
  session(idHash: string): Promise<SessionRecord | undefined>;
  touchSession(idHash: string, at: number, expiresAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Ends every session of a user (disabled, password changed); returns how many. */
  deleteSessionsOf(user: string): Promise<number>;
  /** Deletes sessions expired before `now`. */
  pruneSessions(now: number): Promise<number>;
}

export type AuditVia = "token" | "session" | "cli" | "system" | "config";

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  role: Role | "system";
  via: AuditVia;
  /** Source address of the request ("" for the CLI and the system). */
  addr: string;
  /** e.g. fault.acknowledge, maintenance.create, user.add, token.revoke, config.reload */
  action: string;
  /** What was written, e.g. fault/12, user/alice, token/3. */
  object: string;
  before: unknown;
  after: unknown;
}

export interface AuditQuery {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
  limit: number;
  cursor?: string;
}

/** Append-only: the store refuses updates and deletes of entries (a trigger, not just this interface). */
export interface AuditStore {
  append(e: Omit<AuditEntry, "id">): Promise<string>;
  /** Newest first. */
  list(q: AuditQuery): Promise<{ items: AuditEntry[]; next?: string }>;
  /** Entries per action with at in [from, to): the report's method section. */
  counts(from: number, to: number): Promise<Record<string, number>>;
}

/**
 * The persistence boundary: SQLite (server/store/sqlite.ts) and PostgreSQL (server/store/pg/) implement
 * it and pass the same suite (test/integration/store-suite.ts). Every method is async.
 */
export interface Store {
  readonly kind: "sqlite" | "postgres";
  readonly runs: RunStore;
  readonly faults: FaultStore;
  readonly maintenance: MaintenanceStore;
  readonly inspections: InspectionStore;
  readonly auth: AuthStore;
  readonly audit: AuditStore;
  /**
   * Stores every batch in ONE transaction, idempotently keyed by (agent, seq): a replayed result counts
   * as a duplicate, never as a second row. Resolves only after the transaction committed.
   */
  commit(batches: readonly (readonly Result[] | CommitBatch)[]): Promise<CommitOutcome[]>;
  /** Highest committed seq of an agent, 0 if none. */
  lastSeq(agent: string): Promise<number>;
  /** Records that an agent connected (for clock offset and version display). */
  agentSeen(seen: AgentSeen): Promise<void>;
  agents(): Promise<AgentRecord[]>;
  /** The newest result of every (target, check, agent): the server's current view after a restart. */
  latest(): Promise<Result[]>;
  results(q: ResultQuery): Promise<ResultPage>;
  /** Stored results by key (agent, seq); missing keys are absent from the answer. */
  byKeys(agent: string, seqs: readonly number[]): Promise<Result[]>;
  /** Raw operation results for response-time percentiles (rollups can't give percentiles). */
  operations(
    target: string,
    checks: readonly string[],
    from: number,
    to: number,
  ): Promise<{ ts: number; ok: boolean; durationMs: number }[]>;
  /** sysUpTime (value sys.uptime_seconds) of the answered polls of some checks, for reboot detection. */
  uptimes(
    target: string,
    checks: readonly string[],
    from: number,
    to: number,
  ): Promise<{ check: string; agent: string; ts: number; uptime: number }[]>;
  /** Deletes raw results with ts < before, at most `limit` rows; returns how many (retention). */
  pruneResults(before: number, limit: number): Promise<number>;
  /**
   * Runs `fn` only if this server holds the named lock (PostgreSQL: an advisory lock, so a scheduled job
   * runs once across servers; SQLite: one server per file, always). Resolves undefined when another
   * server holds it.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}
