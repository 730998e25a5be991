import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { Counter, type Registry } from "prom-client";
import { HttpError } from "./routes/http.js";

/**
 * Every 4xx the server answers (API and the agent upgrade), by status and a fixed reason code. Reasons
 * are the `error` codes of the JSON answers (code-defined, never request text); anything that doesn't
 * look like one is counted as "other" so a label can't grow without bound.
 */
export class HttpRejects {
  private readonly counter: Counter<"status" | "reason">;

  constructor(registry: Registry) {
    this.counter = new Counter({
      name: "opswatch_http_rejected_total",
      help: "HTTP requests answered 4xx, by status and reason code",
      labelNames: ["status", "reason"],
      registers: [registry],
    });
    for (const [status, reason] of [
      [413, "too_large"],
      [429, "rate_limited"],
      [400, "bad_json"],
    ] as const)
      this.counter.inc({ status: String(status), reason }, 0);
  }

  count(status: number, reason: string): void {
    this.counter.inc({ status: String(status), reason: /^[a-z_]{1,32}$/.test(reason) ? reason : "other" });
  }

  /** Middleware: counts each 4xx once its answer is sent, with the `error` code of its JSON body. */
  middleware() {
    return (_req: Request, res: Response, next: NextFunction) => {
      const send = res.send.bind(res);
      res.send = (body?: unknown) => {
        if (res.statusCode >= 400 && res.statusCode < 500 && res.locals.rejectReason === undefined)
          res.locals.rejectReason = errorCode(body);
        return send(body);
      };
      res.on("finish", () => {
        if (res.statusCode >= 400 && res.statusCode < 500)
          this.count(res.statusCode, res.locals.rejectReason ?? "other");
      });
      next();
    };
  }
}

function errorCode(body: unknown): string | undefined {
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    const m = /^\{"error":"([a-z_]{1,32})"/.exec(body.toString().slice(0, 64));
    return m?.[1];
  }
  const e = (body as { error?: unknown } | null)?.error;
  return typeof e === "string" ? e : undefined;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets: `rate` per second, up to `burst`. Memory is bounded: a bucket that has refilled is the
 * same as no bucket, so full ones are swept when the map grows large.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token: 0 when allowed, else the seconds until one is available (for Retry-After). */
  take(key: string): number {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      this.buckets.set(key, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / this.rate;
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * this.rate >= this.burst) this.buckets.delete(k);
    // Everyone is busy (a flood of distinct keys): forget the oldest half rather than grow forever.
    if (this.buckets.size >= this.maxKeys) {
      let n = this.buckets.size / 2;
      for (const k of this.buckets.keys()) {
        if (n-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }
}

export interface RateLimitOptions {
  /** Requests per second per client address; 0 = no limit. Burst is 5× this. */
  perAddress: number;
  /** Requests per second per presented credential (token or session); 0 = no limit. */
  perCredential: number;
  /** The session cookie's name (its value identifies a console login). */
  sessionCookie: string;
  /** Paths never limited: monitoring must always reach them. */
  exempt: readonly string[];
  now?: () => number;
}

export const BURST_FACTOR = 5;

/**
 * The credential a request presents, as a sha256 (never the raw value): the Authorization header, else
 * the session cookie. Keyed on what is presented, not on who it turns out to be, so a flood of bad
 * tokens is limited as well as a good one, and this needs no access to the identity store.
 */
export function credentialKey(req: Request, sessionCookie: string): string | undefined {
  const raw = req.headers.authorization ?? cookie(req.headers.cookie, sessionCookie);
  return raw === undefined ? undefined : createHash("sha256").update(raw).digest("hex");
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Express middleware: 429 + Retry-After when the address or the credential is over its rate. */
export function rateLimit(o: RateLimitOptions) {
  const burst = (rate: number) => Math.max(1, rate * BURST_FACTOR);
  const byAddr = o.perAddress > 0 ? new TokenBuckets(o.perAddress, burst(o.perAddress), o.now) : undefined;
  const byCred =
    o.perCredential > 0 ? new TokenBuckets(o.perCredential, burst(o.perCredential), o.now) : undefined;
  const exempt = new Set(o.exempt);
  return (req: Request, res: Response, next: NextFunction) => {
    if (exempt.has(req.path)) return next();
    let wait = byAddr?.take(req.socket.remoteAddress ?? "?") ?? 0;
    const key = byCred && credentialKey(req, o.sessionCookie);
    if (!wait && key) wait = byCred.take(key);
    if (!wait) return next();
    const seconds = Math.max(1, Math.ceil(wait));
    res.setHeader("Retry-After", String(seconds));
    res.status(429).json({ error: "rate_limited", message: `too many requests; retry in ${seconds} s` });
  };
}

/**
 * A list endpoint's page size: `limit` from the query (default `def`), 1..max. Over the cap is a 400
 * rather than a silent clip, so a client never mistakes a clipped page for the whole answer.
 */
export function pageLimit(value: unknown, def: number, max: number): number {
  if (value === undefined) return Math.min(def, max);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, `limit: integer 1..${max}`);
  return n;
}
