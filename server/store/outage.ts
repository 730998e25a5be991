// A store that cannot write (disk full, I/O error) must not take the server down: every write path
// gets one clear error instead of a stack per result, the outage is counted and visible on /metrics,
// agents are told store_unavailable (they keep the results in their spools and resend them), API
// writes answer 503, and the first write that succeeds again ends the outage (docs/operations.md,
// "Disk full").
import { Counter, Gauge, type Registry } from "prom-client";
import type { Logger } from "../../lib/log.js";
import { HttpError } from "../routes/http.js";
import type { Store } from "./store.js";

export type StoreErrorKind = "disk_full" | "io" | "busy" | "read_only" | "corrupt" | "other";

/** What kind of failure a store error is (SQLite result codes, errno, PostgreSQL SQLSTATE). */
export function storeErrorKind(e: unknown): StoreErrorKind {
  const code = String((e as { code?: unknown } | null)?.code ?? "");
  // SQLITE_FULL; ENOSPC/EDQUOT from the file system; PostgreSQL 53100 disk_full.
  if (code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT" || code === "53100")
    return "disk_full";
  if (code.startsWith("SQLITE_IOERR") || code === "EIO" || code === "58030") return "io";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "busy";
  if (code.startsWith("SQLITE_READONLY") || code === "EROFS" || code === "25006") return "read_only";
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") return "corrupt";
  return "other";
}

/** The store cannot write now; an API request gets 503 with this, an agent store_unavailable. */
export class StoreUnavailable extends HttpError {
  constructor(
    message: string,
    readonly kind: StoreErrorKind,
  ) {
    super(503, message, "store_unavailable");
    this.name = "StoreUnavailable";
  }
}

/** True for errors the outage tracker already logged: callers skip their own (per-batch) log line. */
export const isStoreOutage = (e: unknown): e is StoreUnavailable => e instanceof StoreUnavailable;

const OUTAGE_KINDS: ReadonlySet<StoreErrorKind> = new Set(["disk_full", "io", "read_only"]);
const SUB_STORES = new Set(["runs", "faults", "maintenance", "inspections", "auth", "audit"]);
/** Methods that write: one succeeding ends an outage (reads work on a full disk and prove nothing). */
const WRITES = new Set([
  "commit",
  "pruneResults",
  "save",
  "deleteFrom",
  "create",
  "append",
  "cancel",
  "recordMissed",
  "linkFault",
  "signOff",
]);
/** Best effort: a failure is counted and logged, the caller goes on (an agent still gets its welcome). */
const BEST_EFFORT = new Set(["agentSeen", "touchToken", "touchSession"]);

/** Counts store errors and turns each outage into two log lines: when it starts and when it ends. */
export class StoreHealth {
  private readonly errors: Counter<"kind">;
  private readonly writable: Gauge;
  private outage: { kind: StoreErrorKind; since: number; failures: number; last: number } | undefined;

  private readonly where: string;

  constructor(
    database: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    // A PostgreSQL URL may carry a password: never in a log line.
    this.where = database.replace(/\/\/[^/@]*@/, "//");
    this.errors = new Counter({
      name: "opswatch_store_errors_total",
      help: "Failed store operations by kind (disk_full, io, read_only, busy, corrupt, other)",
      labelNames: ["kind"],
      registers: [],
    });
    for (const k of ["disk_full", "io", "read_only", "busy", "corrupt", "other"])
      this.errors.inc({ kind: k }, 0);
    this.writable = new Gauge({
      name: "opswatch_store_writable",
      help: "0 while the store refuses writes (disk full, I/O error), else 1",
      registers: [],
    });
    this.writable.set(1);
  }

  /** Puts the counters on /metrics (the registry exists only after the store is open). */
  register(registry: Registry): void {
    registry.registerMetric(this.errors);
    registry.registerMetric(this.writable);
  }

  /** Records a failed operation; returns the error to throw (a StoreUnavailable during an outage). */
  failed(e: unknown, op: string): unknown {
    const kind = storeErrorKind(e);
    this.errors.inc({ kind });
    if (!OUTAGE_KINDS.has(kind)) return e; // a bug or a conflict: the caller logs it as before
    const message = `${DESCRIBE[kind as keyof typeof DESCRIBE]}: ${this.where}`;
    if (!this.outage) {
      this.outage = { kind, since: this.now(), failures: 0, last: 0 };
      this.writable.set(0);
      this.log.error(
        { kind, op, code: (e as { code?: string }).code, detail: (e as Error).message },
        `${message} — results stay in the agents' spools and are stored once the store can write again (docs/operations.md, "Disk full")`,
      );
    }
    this.outage.failures++;
    this.outage.last = this.now();
    return new StoreUnavailable(`${message}; retry later`, kind);
  }

  /**
   * A write succeeded. On a nearly full disk small writes succeed now and then between failures: the
   * outage ends only with a success QUIET_MS after the last failure, so it is logged once, not per flap.
   */
  ok(): void {
    if (!this.outage || this.now() - this.outage.last < QUIET_MS) return;
    const { kind, since, failures } = this.outage;
    this.outage = undefined;
    this.writable.set(1);
    this.log.warn(
      { kind, failedWrites: failures, seconds: Math.round((this.now() - since) / 1000) },
      `the store writes again: ${this.where}`,
    );
  }

  get unavailable(): boolean {
    return this.outage !== undefined;
  }
}

const QUIET_MS = 5000;

const DESCRIBE = {
  disk_full: "database disk is full",
  io: "database I/O error",
  read_only: "database is read-only",
} as const;

/**
 * The same store with every operation watched by `health`: failures are counted, an outage logged
 * once and rethrown as StoreUnavailable, best-effort writes (agentSeen, touch*) swallowed.
 */
export function watchStore(store: Store, health: StoreHealth): Store {
  const wrap = <T extends object>(obj: T): T => {
    const subs = new Map<PropertyKey, unknown>();
    return new Proxy(obj, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (SUB_STORES.has(String(prop)) && typeof v === "object" && v !== null) {
          if (!subs.has(prop)) subs.set(prop, wrap(v));
          return subs.get(prop);
        }
        if (typeof v !== "function" || prop === "close" || prop === "exclusive")
          return typeof v === "function" ? v.bind(target) : v;
        const name = String(prop);
        return async (...args: unknown[]) => {
          try {
            const out = await (v as (...a: unknown[]) => unknown).apply(target, args);
            if (WRITES.has(name)) health.ok();
            return out;
          } catch (e) {
            const err = health.failed(e, name);
            if (BEST_EFFORT.has(name) && isStoreOutage(err)) return undefined;
            throw err;
          }
        };
      },
    });
  };
  return wrap(store);
}
