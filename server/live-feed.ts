// The browsers' live feed (/ws/live): tells open pages WHAT changed ({type:"changed", topics:[…]}), never
// the data itself, so a page refetches what it shows through the API, with the API's own access rules.
// Read-only: whatever a client sends is ignored (frames over 1 kB close the socket).
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { RequestHandler } from "express";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../lib/log.js";
import { onUpgrade } from "./upgrade.js";

export const LIVE_WS_PATH = "/ws/live";
export const TOPICS = ["targets", "faults", "maintenance", "inspections", "agents"] as const;
export type Topic = (typeof TOPICS)[number];

export interface LiveFeedOptions {
  logger: Logger;
  /**
   * A fingerprint per topic of what pages show (e.g. every target's state): check() broadcasts a topic
   * whose fingerprint differs from the last one seen. Also polled every `tickMs` (staleness: a target
   * whose results stop coming turns unknown with no event; a maintenance window starts on its own).
   */
  watch?: Partial<Record<Topic, () => string | Promise<string>>>;
  /**
   * Who may connect. Undefined: anyone (the public status page is on). Otherwise the upgrade is refused
   * with 401 unless it resolves true (a console session or token: server.status_page false).
   */
  authorize?: (req: IncomingMessage) => Promise<boolean>;
  /** Origins (scheme://host[:port]) accepted besides the request's own Host when `authorize` is set. */
  origins?: readonly string[];
  maxClients?: number;
  /** At most one message per this many ms (changes in between are merged). */
  debounceMs?: number;
  tickMs?: number;
  pingMs?: number;
}

/** Largest frame a browser may send (it has nothing to say; pings/pongs are control frames). */
const MAX_CLIENT_FRAME = 1024;

export class LiveFeed {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME });
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly seen = new Map<Topic, string>();
  private readonly pending = new Set<Topic>();
  private lastSent = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private tick: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private closed = false;
  private checking: Promise<void> = Promise.resolve();
  readonly maxClients: number;
  readonly debounceMs: number;
  /** Messages broadcast so far (tests, metrics). */
  sent = 0;

  constructor(private readonly o: LiveFeedOptions) {
    this.maxClients = o.maxClients ?? 1000;
    this.debounceMs = o.debounceMs ?? 250;
    this.wss.on("connection", (ws) => this.onConnection(ws));
    this.wss.on("error", (e) => o.logger.warn({ err: e }, "live feed listener error"));
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  /** Serves the feed on `http` at /ws/live and starts watching (the fingerprints now are the baseline). */
  attach(http: HttpServer): void {
    onUpgrade(http, LIVE_WS_PATH, (req, socket, head) => void this.upgrade(req, socket, head));
    void this.check(...TOPICS);
    this.tick = setInterval(() => void this.check(...TOPICS), this.o.tickMs ?? 5000);
    this.tick.unref();
    this.ping = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (this.alive.get(ws) === false) {
          ws.terminate();
          continue;
        }
        this.alive.set(ws, false);
        ws.ping();
      }
    }, this.o.pingMs ?? 30_000);
    this.ping.unref();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.closed) return refuse(503, "Service Unavailable");
    if (this.wss.clients.size >= this.maxClients) {
      this.o.logger.warn({ max: this.maxClients }, "live feed full: refused a browser connection");
      return refuse(503, "Service Unavailable");
    }
    if (this.o.authorize) {
      // A cookie rides along on a cross-site WebSocket too: only our own pages may use it.
      if (!this.sameOrigin(req)) return refuse(403, "Forbidden");
      let ok = false;
      try {
        ok = await this.o.authorize(req);
      } catch (e) {
        this.o.logger.warn({ err: e }, "live feed: could not check the session");
      }
      if (!ok) return refuse(401, "Unauthorized");
      if (socket.destroyed) return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
  }

  private sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false;
    }
    const forwarded = String(req.headers["x-forwarded-host"] ?? "")
      .split(",")[0]
      ?.trim();
    if (host === req.headers.host || (forwarded && host === forwarded)) return true;
    return (this.o.origins ?? []).some((o) => {
      try {
        return new URL(o).origin === origin;
      } catch {
        return false;
      }
    });
  }

  private onConnection(ws: WebSocket): void {
    this.alive.set(ws, true);
    ws.on("pong", () => this.alive.set(ws, true));
    ws.on("message", () => undefined); // read-only: nothing a browser says is acted on
    ws.on("error", () => undefined); // an oversized frame: ws closes it with 1009
  }

  /** Topics that certainly changed (a fault event, an API write): broadcast, debounced. */
  changed(...topics: Topic[]): void {
    if (this.closed || topics.length === 0) return;
    for (const t of topics) this.pending.add(t);
    if (this.flushTimer) return;
    const wait = this.lastSent + this.debounceMs - Date.now();
    if (wait <= 0) this.flush();
    else {
      this.flushTimer = setTimeout(() => this.flush(), wait);
      this.flushTimer.unref();
    }
  }

  /** Recomputes the fingerprints of `topics` and broadcasts those that differ from the last seen. */
  check(...topics: Topic[]): Promise<void> {
    // One check at a time, so two overlapping ones cannot both see the old fingerprint.
    this.checking = this.checking.then(async () => {
      const changed: Topic[] = [];
      for (const t of topics) {
        const f = this.o.watch?.[t];
        if (!f || this.closed) continue;
        let print: string;
        try {
          print = await f();
        } catch (e) {
          this.o.logger.warn({ err: e, topic: t }, "live feed: could not compute what changed");
          continue;
        }
        const before = this.seen.get(t);
        this.seen.set(t, print);
        if (before !== undefined && before !== print) changed.push(t);
      }
      this.changed(...changed);
    });
    return this.checking;
  }

  /**
   * Express middleware (mounted before the routes): a successful write under /api names its topic, so
   * every open page showing it refetches (the API's handlers need not know about the feed).
   */
  middleware(): RequestHandler {
    return (req, res, next) => {
      if (req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS") {
        const topics = topicsOf(req.originalUrl.split("?")[0] ?? "");
        if (topics.length)
          res.on("finish", () => {
            if (res.statusCode < 400) this.changed(...topics);
          });
      }
      next();
    };
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.pending.size === 0 || this.closed) return;
    const topics = TOPICS.filter((t) => this.pending.has(t));
    this.pending.clear();
    this.lastSent = Date.now();
    this.sent++;
    const frame = JSON.stringify({ type: "changed", topics });
    for (const ws of this.wss.clients) if (ws.readyState === ws.OPEN) ws.send(frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.tick);
    clearInterval(this.ping);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.checking.catch(() => undefined);
    for (const ws of this.wss.clients) ws.close(1001, "server shutting down");
    await new Promise<void>((done) => this.wss.close(() => done()));
  }
}

/** The topics a write to this API path changes ([] for sessions, users, tokens …). */
export function topicsOf(path: string): Topic[] {
  const m = /^\/api\/v1\/([a-z_-]+)/.exec(path);
  switch (m?.[1]) {
    case "faults":
      return ["faults"];
    case "maintenance":
      // Excluded time changes availability figures, and targets in maintenance show as such.
      return ["maintenance", "targets"];
    case "inspections":
      return ["inspections"];
    case "agents":
      return ["agents"];
    case "import":
      return ["targets", "faults"];
    default:
      return [];
  }
}
