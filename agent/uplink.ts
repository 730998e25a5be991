import { WebSocket } from "ws";
import type { Logger } from "../lib/log.js";
import { type Hello, PROTOCOL_VERSION, ServerMessage } from "../protocol/messages.js";
import type { Spool } from "./spool.js";

/** TLS material for a wss:// server (PEM text, read from agent.tls's files). */
export interface UplinkTls {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface UplinkOptions {
  url: string;
  agent: string;
  token: string;
  tls?: UplinkTls;
  version: string;
  spool: Spool;
  batchMax: number;
  batchDelayMs: number;
  inFlight: number;
  reconnectMaxMs: number;
  logger: Logger;
}

interface InFlight {
  first: number;
  last: number;
}

const RECONNECT_BASE_MS = 500;
const HEARTBEAT_MS = 15_000;
const FIRST_CONNECT_JITTER_MS = 500;

/**
 * Streams the spool to the server over one WebSocket: hello → welcome → batches (a window of
 * `inFlight` unacked ones) → acks. Rows are deleted from the spool only on an ack, which the server
 * sends after its commit. Any trouble closes the socket; after a reconnect everything still in the
 * spool is sent again and the server's (agent, seq) key turns replays into no-ops.
 */
export class Uplink {
  private ws: WebSocket | undefined;
  private ready = false;
  private stopped = false;
  private attempt = 0;
  /** Connections lost (or refused) after which a reconnect was scheduled: for /metrics. */
  reconnects = 0;
  private batchId = 0;
  private sentThrough = 0;
  private readonly inFlight = new Map<number, InFlight>();
  private pumpTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private o: UplinkOptions) {}

  /**
   * New credentials (SIGHUP): the token and TLS material take effect on a fresh connection, made at once.
   * The spool is untouched, so whatever was unacked is sent again on the new connection.
   */
  setCredentials(token: string, tls: UplinkTls | undefined): void {
    const { tls: _old, ...rest } = this.o;
    this.o = { ...rest, token, ...(tls ? { tls } : {}) };
    const ws = this.ws;
    if (this.stopped || !ws) return;
    this.attempt = 0;
    if (ws.readyState === WebSocket.CLOSED) {
      clearTimeout(this.reconnectTimer);
      this.connect();
    } else ws.close(1000, "credentials reloaded");
  }

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    // A random first delay: after a power cut every agent of the site boots at once, and 500 hellos in
    // the same instant cost the server's /healthz a second (fault-injection reconnect-storm finding).
    this.reconnectTimer = setTimeout(() => this.connect(), Math.random() * FIRST_CONNECT_JITTER_MS);
  }

  /** A new result is in the spool: send it once the batch delay has passed (or the batch is full). */
  notify(): void {
    if (!this.ready || this.pumpTimer) return;
    const pending = this.o.spool.depth() - this.inFlightCount();
    if (pending >= this.o.batchMax) this.pump();
    else this.pumpTimer = setTimeout(() => this.pump(), this.o.batchDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pumpTimer);
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((done) => {
      ws.once("close", () => done());
      ws.close(1000, "agent stopping");
      setTimeout(() => {
        ws.terminate();
        done();
      }, 2000).unref();
    });
  }

  private connect(): void {
    const log = this.o.logger;
    const ws = new WebSocket(this.o.url, {
      handshakeTimeout: 10_000,
      maxPayload: 16 * 1024 * 1024,
      ...(this.o.tls ?? {}),
    });
    this.ws = ws;
    let alive = true;
    ws.on("open", () => {
      const hello: Hello = {
        type: "hello",
        v: PROTOCOL_VERSION,
        agent: this.o.agent,
        token: this.o.token,
        version: this.o.version,
        spool_depth: this.o.spool.depth(),
        clock_ms: Date.now(),
      };
      ws.send(JSON.stringify(hello));
      this.heartbeat = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, HEARTBEAT_MS);
    });
    ws.on("pong", () => {
      alive = true;
    });
    ws.on("message", (data) => {
      alive = true;
      let msg: ServerMessage;
      try {
        msg = ServerMessage.parse(JSON.parse(data.toString()));
      } catch (e) {
        log.error({ err: (e as Error).message }, "unreadable message from server; reconnecting");
        ws.terminate();
        return;
      }
      this.onMessage(ws, msg);
    });
    ws.on("error", (e) => log.warn({ url: this.o.url, err: e.message }, uplinkProblem(e)));
    ws.on("close", (code, reason) => {
      clearInterval(this.heartbeat);
      clearTimeout(this.pumpTimer);
      this.pumpTimer = undefined;
      const wasReady = this.ready;
      this.ready = false;
      this.inFlight.clear();
      if (this.stopped) return;
      // Full jitter: a random delay up to an exponentially growing cap, so agents don't reconnect in step.
      const cap = Math.min(this.o.reconnectMaxMs, RECONNECT_BASE_MS * 2 ** this.attempt++);
      const delay = Math.round(Math.random() * cap);
      log[wasReady ? "warn" : "debug"](
        { code, reason: reason.toString(), retryInMs: delay, spool: this.o.spool.depth() },
        "uplink closed; will reconnect",
      );
      this.reconnects++;
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private onMessage(ws: WebSocket, msg: ServerMessage): void {
    const log = this.o.logger;
    switch (msg.type) {
      case "welcome": {
        let r: ReturnType<Spool["reconcile"]>;
        try {
          r = this.o.spool.reconcile(msg.last_seq);
        } catch (e) {
          // The spool's disk is full or failing: keep every row and try again after a reconnect.
          log.error({ err: (e as Error).message }, "spool reconcile failed; reconnecting");
          ws.terminate();
          return;
        }
        if (r.renumbered)
          log.warn(
            { renumbered: r.renumbered, above: msg.last_seq },
            "new spool renumbered after server's last seq",
          );
        if (r.dropped)
          log.info({ dropped: r.dropped }, "dropped spooled results the server had already committed");
        this.ready = true;
        this.attempt = 0;
        this.sentThrough = 0;
        log.info(
          { spool: this.o.spool.depth(), clockOffsetMs: Date.now() - msg.server_time_ms },
          "uplink ready",
        );
        this.pump();
        return;
      }
      case "ack": {
        const batch = this.inFlight.get(msg.id);
        if (!batch) return;
        this.inFlight.delete(msg.id);
        this.o.spool.ack(batch.first, batch.last, msg.rejected);
        for (const r of msg.rejected)
          log.error({ seq: r.seq, reason: r.reason }, "server refused a result; kept in spool's dead table");
        this.pump();
        return;
      }
      case "error":
        log.error({ reason: msg.reason, batch: msg.id }, `server error: ${msg.message}`);
        // Unauthorized: the server closes the socket itself. Anything else about a batch: start over.
        if (msg.id !== undefined) ws.close(4000, "resend after server error");
        return;
    }
  }

  private inFlightCount(): number {
    let n = 0;
    for (const b of this.inFlight.values()) n += b.last - b.first + 1;
    return n;
  }

  /** Sends batches from the spool until the window is full or the spool is drained. */
  private pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const ws = this.ws;
    while (this.ready && ws && ws.readyState === WebSocket.OPEN && this.inFlight.size < this.o.inFlight) {
      const rows = this.o.spool.read(this.sentThrough, this.o.batchMax);
      const first = rows[0];
      const last = rows[rows.length - 1];
      if (!first || !last) return;
      const id = ++this.batchId;
      this.inFlight.set(id, { first: first.seq, last: last.seq });
      this.sentThrough = last.seq;
      // The backlog behind this batch (not counting batches on the wire): 0 once the agent is caught up,
      // so the server's opswatch_agent_spool_depth falls to 0 instead of sticking at the last batch size.
      const behind = Math.max(0, this.o.spool.depth() - this.inFlightCount());
      ws.send(
        `{"type":"batch","id":${id},"spool_depth":${behind},"results":[${rows.map((r) => r.json).join(",")}]}`,
      );
    }
  }
}

/** What an uplink error means for the operator: certificate trouble is named, with the key to check. */
function uplinkProblem(e: Error & { code?: string }): string {
  const code = e.code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
    return `uplink TLS: the server's certificate is not trusted (${code}); check agent.tls.ca_file and the server name in agent.server`;
  const refused = /Unexpected server response: (\d+)/.exec(e.message)?.[1];
  if (refused === "401" || refused === "403")
    return `uplink refused by the server (${refused}): it requires a client certificate its CA signed; check agent.tls.cert_file and key_file`;
  return "uplink error";
}
