// The SNMP engine: GET and walks over v1, v2c and v3 (net-snmp), one reused session per device, a
// bound on requests in flight across devices, and every failure as a typed SnmpFailure.
//
// Hot path (a benchmark compares polls per CPU-second with snmp_exporter): no session per poll, no
// validation, one closure per request (net-snmp's callback, also how an aborted request is found
// again); the deadline timer takes the request object itself, and aborts fan out from one listener
// per signal.
import snmp from "net-snmp";
import type { Logger } from "../../lib/log.js";
import { abortFailure, closedFailure, describeError, SnmpFailure, timeoutFailure } from "./errors.js";
import { Limiter, type Waiter } from "./limit.js";
import { knowledge, type SessionEntry, SessionPool } from "./session.js";
import { compareOids, toResult } from "./varbind.js";

export { SnmpFailure, type SnmpFailureReason } from "./errors.js";

export interface V3Options {
  user: string;
  level: "noAuthNoPriv" | "authNoPriv" | "authPriv";
  auth_protocol?: "md5" | "sha" | "sha224" | "sha256" | "sha384" | "sha512";
  auth_key?: string;
  priv_protocol?: "des" | "aes" | "aes256b" | "aes256r";
  priv_key?: string;
  context?: string;
}

export interface SnmpDevice {
  host: string;
  port: number;
  version: "1" | "2c" | "3";
  /** v1/v2c */
  community: string;
  /** v3 */
  v3?: V3Options;
  /** ms for one request (a GET, or one round of a walk), retries included */
  timeout: number;
  retries: number;
  /** GETBULK */
  maxRepetitions: number;
}

/** number for Integer/Counter/Gauge/TimeTicks (TimeTicks stay in centiseconds)/Counter64; string for OctetString (utf8; "0x…" hex when not printable), OID and IpAddress; boolean for Boolean. */
export type SnmpValue = number | string | boolean;

export interface VarbindResult {
  /** numeric, no leading dot */
  oid: string;
  /** absent when error is set */
  value?: SnmpValue;
  error?: "noSuchObject" | "noSuchInstance" | "endOfMibView" | "unsupportedType";
}

type Callback = (error: Error | null, result?: unknown) => void;
type Send = (session: snmp.Session, callback: Callback) => void;

export class SnmpClient {
  readonly #limiter: Limiter<Exchange>;
  readonly #pool: SessionPool;

  /** maxConcurrent bounds requests in flight across all devices (default 64); one session per device+settings, reused across polls. */
  constructor(opts: { maxConcurrent?: number; log?: Logger } = {}) {
    this.#limiter = new Limiter(opts.maxConcurrent ?? 64);
    this.#pool = new SessionPool(opts.log);
  }

  /** One GET request; results in the order of `oids`. Rejects with SnmpFailure. */
  async get(device: SnmpDevice, oids: readonly string[], signal: AbortSignal): Promise<VarbindResult[]> {
    const list = oids.map(withoutDot);
    if (device.version === "1") return this.#getV1(device, list, signal);
    const varbinds = await this.#request<snmp.Varbind[]>(device, signal, (s, cb) => s.get(list, cb));
    return varbinds.map(toResult);
  }

  /** The subtree under rootOid (never beyond it), in order: GETBULK with maxRepetitions for v2c/v3, GETNEXT for v1. Rejects with SnmpFailure. */
  async walk(device: SnmpDevice, rootOid: string, signal: AbortSignal): Promise<VarbindResult[]> {
    const root = withoutDot(rootOid);
    const prefix = `${root}.`;
    const v1 = device.version === "1";
    const results: VarbindResult[] = [];
    let from = root;
    let repetitions = device.maxRepetitions;
    for (;;) {
      let batch: snmp.Varbind[];
      try {
        batch = v1
          ? await this.#request<snmp.Varbind[]>(device, signal, (s, cb) => s.getNext([from], cb))
          : ((
              await this.#request<snmp.Varbind[][]>(device, signal, (s, cb) =>
                s.getBulk([from], 0, repetitions, cb),
              )
            )[0] ?? []);
      } catch (err) {
        const status = errorStatus(err);
        if (v1 && status === snmp.ErrorStatus.NoSuchName) return results; // v1's end of the MIB view
        if (status === snmp.ErrorStatus.TooBig && repetitions > 1) {
          repetitions = Math.ceil(repetitions / 2);
          continue;
        }
        throw err;
      }
      for (const vb of batch) {
        // endOfMibView, or the first OID past the subtree: the walk is complete
        if (snmp.isVarbindError(vb) || !vb.oid.startsWith(prefix)) return results;
        results.push(toResult(vb));
      }
      const last = batch.at(-1)?.oid;
      if (last === undefined) return results;
      // An agent that answers with an OID not after the one asked for would loop forever.
      if (compareOids(last, from) <= 0)
        throw new SnmpFailure(
          "request_failed",
          `walk of ${root} on ${device.host}:${device.port}: the device answered ${last} after ${from} (OIDs not increasing)`,
        );
      from = last;
    }
  }

  /** Closes every session: requests in flight or waiting for a slot reject with "aborted". */
  close(): void {
    for (const exchange of this.#limiter.drain()) exchange.fail();
    this.#pool.closeAll();
  }

  /**
   * SNMPv1 fails a whole GET on the first missing OID (noSuchName with its index): mark that one
   * noSuchObject, as v2c would, and ask again for the rest.
   */
  async #getV1(device: SnmpDevice, oids: string[], signal: AbortSignal): Promise<VarbindResult[]> {
    const results: VarbindResult[] = new Array(oids.length);
    let pending = oids.map((_, i) => i);
    while (pending.length > 0) {
      const ask = pending.map((i) => oids[i] as string);
      try {
        const varbinds = await this.#request<snmp.Varbind[]>(device, signal, (s, cb) => s.get(ask, cb));
        pending.forEach((i, k) => {
          results[i] = toResult(varbinds[k] as snmp.Varbind);
        });
        return results;
      } catch (err) {
        const missing = errorStatus(err) === snmp.ErrorStatus.NoSuchName ? failedOid(err) : undefined;
        const at = missing === undefined ? -1 : pending.findIndex((i) => oids[i] === missing);
        if (at < 0) throw err;
        const i = pending[at] as number;
        results[i] = { oid: oids[i] as string, error: "noSuchObject" };
        pending = pending.filter((_, k) => k !== at);
      }
    }
    return results;
  }

  #request<T>(device: SnmpDevice, signal: AbortSignal, send: Send): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) {
        reject(abortFailure(device, signal.reason, "not started", 0));
        return;
      }
      const exchange = new Exchange(
        this.#pool,
        this.#limiter,
        device,
        signal,
        send,
        resolve as (value: unknown) => void,
        reject,
      );
      watch(signal, exchange);
      if (this.#limiter.take()) exchange.onSlot();
      else this.#limiter.enqueue(exchange);
    });
  }
}

/** One request/response exchange with a device: slot, session, deadline, abort. */
class Exchange implements Waiter {
  queued = false;
  #phase: "waiting" | "sent" | "done" = "waiting";
  #entry: SessionEntry | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #createdAt = Date.now();
  #sentAt = 0;
  readonly #callback: Callback = (error, result) => this.#onResponse(error, result);

  constructor(
    private readonly pool: SessionPool,
    private readonly limiter: Limiter,
    private readonly device: SnmpDevice,
    private readonly signal: AbortSignal,
    private readonly send: Send,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (failure: SnmpFailure) => void,
  ) {}

  /** The limiter's grant. */
  onSlot(): void {
    if (this.#phase === "done") {
      this.limiter.release(); // aborted between the grant and this tick
      return;
    }
    this.#phase = "sent";
    this.#sentAt = Date.now();
    try {
      this.#entry = this.pool.acquire(this.device);
    } catch (err) {
      this.#finish();
      this.reject(new SnmpFailure("request_failed", (err as Error).message, { cause: err }));
      return;
    }
    this.#timer = setTimeout(deadline, this.device.timeout, this);
    // net-snmp reports every outcome, synchronous send errors included, through the callback.
    this.send(this.#entry.session, this.#callback);
  }

  /** The caller's signal aborted. */
  onAbort(): void {
    if (this.#phase === "done") return;
    const now = Date.now();
    const stage =
      this.#phase === "sent" && this.#entry
        ? knowledge(this.#entry)
        : { queuedFor: now - this.#createdAt, slots: this.limiter.max };
    this.#giveUp(abortFailure(this.device, this.signal.reason, stage, now - this.#sentAt));
  }

  /** The request's own deadline: net-snmp's timers cover retries, not v3 discovery. */
  onDeadline(): void {
    if (this.#phase !== "sent" || this.#entry === undefined) return;
    this.#giveUp(timeoutFailure(this.device, knowledge(this.#entry), this.device.timeout));
  }

  /** Rejects a request still waiting for a slot (client closed). */
  fail(): void {
    this.#giveUp(closedFailure(this.device));
  }

  #giveUp(failure: SnmpFailure): void {
    if (this.#phase === "waiting") {
      // Still in line, or granted on a later tick: onSlot then hands the slot back.
      this.queued = false;
      this.#phase = "done";
      unwatch(this.signal, this);
    } else {
      if (this.#entry) this.pool.cancel(this.#entry, this.#callback);
      this.#finish();
    }
    this.reject(failure);
  }

  #onResponse(error: Error | null, result: unknown): void {
    if (this.#phase !== "sent") return; // late: the request was given up
    const entry = this.#entry as SessionEntry;
    this.#finish();
    if (error === null) {
      entry.answered = true;
      this.resolve(result);
    } else {
      this.reject(
        entry.closing ? closedFailure(this.device) : describeError(error, this.device, knowledge(entry)),
      );
    }
  }

  #finish(): void {
    this.#phase = "done";
    clearTimeout(this.#timer);
    unwatch(this.signal, this);
    this.limiter.release();
  }
}

const deadline = (exchange: Exchange) => exchange.onDeadline();

/**
 * Requests per signal, with one "abort" listener per signal rather than per request: a poll may run
 * many requests on one signal at once (no MaxListeners warning), and a Set is cheaper than an
 * EventTarget listener. The listener stays (a poll's signal is short-lived; a long-lived one keeps one).
 */
const watching = new WeakMap<AbortSignal, Set<Exchange>>();

function watch(signal: AbortSignal, exchange: Exchange): void {
  let exchanges = watching.get(signal);
  if (exchanges === undefined) {
    const set = new Set<Exchange>();
    signal.addEventListener(
      "abort",
      () => {
        for (const e of set) e.onAbort();
      },
      { once: true },
    );
    watching.set(signal, set);
    exchanges = set;
  }
  exchanges.add(exchange);
}

const unwatch = (signal: AbortSignal, exchange: Exchange) => watching.get(signal)?.delete(exchange);

const withoutDot = (oid: string) => (oid.charCodeAt(0) === 46 ? oid.slice(1) : oid);

/** The error-status of a device's error response (SnmpFailure wraps net-snmp's RequestFailedError). */
function errorStatus(err: unknown): number | undefined {
  const cause = err instanceof SnmpFailure ? err.cause : undefined;
  return cause instanceof Error && cause.name === "RequestFailedError"
    ? (cause as snmp.RequestFailedError).status
    : undefined;
}

/** net-snmp names the OID at the error-index: "NoSuchName: 1.3.6.1…". */
function failedOid(err: unknown): string | undefined {
  const cause = (err as SnmpFailure).cause as Error;
  return /^\w+: ([\d.]+)$/.exec(cause.message)?.[1];
}
