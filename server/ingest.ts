import { createHash, timingSafeEqual } from "node:crypto";
import type { Server as HttpServer, IncomingMessage } from "node:http";
import { Gauge } from "prom-client";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../lib/log.js";
import {
  type Ack,
  AGENT_WS_PATH,
  AgentMessage,
  type Batch,
  CloseCode,
  type ErrorMessage,
  type ErrorReason,
  PROTOCOL_VERSION,
  Result,
  type ServerMessage,
} from "../protocol/messages.js";
import type { LiveView } from "./live.js";
import type { ServerMetrics } from "./metrics.js";
import { isStoreOutage } from "./store/outage.js";
import type { Store } from "./store/store.js";
import { clientCertificate } from "./tls.js";
import { onUpgrade } from "./upgrade.js";

interface Pending {
  ws: WebSocket;
  agent: string;
  batchId: number;
  results: Result[];
  rejected: Ack["rejected"];
  /** Set when the connection's agent clock is off by more than the limit: flags every result. */
  clockOffsetMs?: number;
}

/** One agent connection: who it is once hello passed, and its clock offset measured at hello. */
interface Conn {
  agent?: string;
  /** Agent clock − server clock at hello, when over the limit (else undefined). */
  flaggedOffsetMs?: number;
}

/** What GET /api/v1/agents shows of a connected (or once connected) agent since this server started. */
export interface AgentLive {
  connected: boolean;
  lastSeenMs: number;
  spoolDepth: number;
  clockOffsetMs: number;
}

export interface IngestOptions {
  store: Store;
  live: LiveView;
  metrics: ServerMetrics;
  /** Agents and the tokens each may use (several during a rotation). */
  agents: readonly { id: string; tokens: readonly string[] }[];
  maxFrameBytes: number;
  logger: Logger;
  /** Runs after each commit, before the acks go out (the evaluator rolls results up here). */
  onCommitted?: (results: Result[]) => Promise<void>;
  /**
   * Told of every accepted hello with the agent's committed last seq, before the welcome: with several
   * servers on one database the agent may come from another one (the evaluator re-reads its rollups).
   */
  onHello?: (agent: string, lastSeq: number) => Promise<void>;
  /** |agent clock − server clock| above this at hello flags the connection's results (ms). */
  maxClockOffsetMs: number;
  /** Mutual TLS: refuse the upgrade unless the socket's client certificate is authorized. */
  requireClientCert?: () => boolean;
  /** Counts a refused upgrade (opswatch_http_rejected_total). */
  rejectUpgrade?: (status: number, reason: string) => void;
  /** A connection that sends no hello within this is closed (default 10 s). */
  helloTimeoutMs?: number;
}

const GROUP_MAX = 5000;

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Agent uplink endpoint. Every frame is validated; bad frames get an error reply and are counted.
 * Batches arriving close together are committed in one transaction (group commit), and each batch
 * is acked only after that transaction committed.
 */
export class Ingest {
  private readonly wss: WebSocketServer;
  private tokens: Map<string, Buffer[]>;
  private readonly connections = new Map<string, WebSocket>();
  private readonly live = new Map<string, AgentLive>();
  private readonly clockOffset: Gauge<"agent">;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly opts: IngestOptions,
    http: HttpServer,
  ) {
    this.tokens = tokenMap(opts.agents);
    this.clockOffset = new Gauge({
      name: "opswatch_agent_clock_offset_seconds",
      help: "Agent clock minus server clock, measured at the agent's last hello",
      labelNames: ["agent"],
      registers: [opts.metrics.registry],
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxFrameBytes,
      // Before the ws handshake: an agent without a trusted client certificate never gets a socket.
      verifyClient: (info, done) => this.verifyClient(info.req, done),
    });
    // Only our path: the server's other WebSocket endpoints (the browsers' live feed) share the port.
    onUpgrade(http, AGENT_WS_PATH, (req, socket, head) =>
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req)),
    );
    this.wss.on("connection", (ws, req) => this.onConnection(ws, req.socket.remoteAddress ?? "?"));
    this.wss.on("error", (e) => opts.logger.error({ err: e }, "ingest listener error"));
  }

  private verifyClient(req: IncomingMessage, done: (ok: boolean, status?: number, message?: string) => void) {
    if (!this.opts.requireClientCert?.()) return done(true);
    const cert = clientCertificate(req);
    if (cert === "ok") return done(true);
    const status = cert === "missing" ? 401 : 403;
    this.opts.rejectUpgrade?.(status, cert === "missing" ? "client_cert_missing" : "client_cert_untrusted");
    this.opts.logger.warn(
      { addr: req.socket.remoteAddress, status },
      cert === "missing"
        ? "refused agent connection: no client certificate (server.tls.client_ca_file requires one)"
        : "refused agent connection: client certificate not signed by server.tls.client_ca_file (or expired)",
    );
    done(
      false,
      status,
      cert === "missing" ? "client certificate required" : "client certificate not trusted",
    );
  }

  private onConnection(ws: WebSocket, addr: string): void {
    const log = this.opts.logger.child({ addr });
    const conn: Conn = {};
    let alive = true;
    // A socket that never says hello holds a slot and a file descriptor: close it.
    const helloTimer = setTimeout(() => {
      if (conn.agent) return;
      this.opts.metrics.reject("hello_timeout");
      log.warn("closed a connection that sent no hello in time");
      send(ws, { type: "error", reason: "not_authenticated", message: "no hello in time" });
      ws.close(CloseCode.unauthorized, "no hello");
    }, this.opts.helloTimeoutMs ?? 10_000);
    ws.on("pong", () => {
      alive = true;
    });
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 15_000);
    ws.on("error", (e: Error & { code?: string }) => {
      // ws reports an oversized frame here and then closes with 1009.
      if (e.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") this.opts.metrics.reject("too_large");
      log.warn({ agent: conn.agent, err: e.message }, "agent connection error");
    });
    ws.on("close", () => {
      clearInterval(ping);
      clearTimeout(helloTimer);
      const agent = conn.agent;
      if (agent && this.connections.get(agent) === ws) {
        this.connections.delete(agent);
        const l = this.live.get(agent);
        if (l) l.connected = false;
        this.opts.metrics.agentConnected.set({ agent }, 0);
        log.info({ agent }, "agent disconnected");
      }
    });
    ws.on("message", (data, isBinary) => {
      void this.onFrame(ws, data, isBinary, conn, log).catch((e) =>
        log.error({ err: e }, "unexpected error handling a frame"),
      );
    });
  }

  /** Handles one frame; a hello that passes sets the connection's agent. */
  private async onFrame(ws: WebSocket, data: RawData, isBinary: boolean, conn: Conn, log: Logger) {
    const agent = conn.agent;
    let json: unknown;
    try {
      if (isBinary) throw new Error("binary frame");
      json = JSON.parse(data.toString());
    } catch {
      return this.refuse(ws, "bad_json", "frame is not a JSON text message", log, agent);
    }
    const parsed = AgentMessage.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first?.path.join(".") || "message";
      return this.refuse(ws, "bad_message", `${where}: ${first?.message}`, log, agent);
    }
    const msg = parsed.data;
    if (msg.type === "hello") return this.onHello(ws, msg, conn, log);
    if (!agent) {
      this.refuse(ws, "not_authenticated", "send hello with a valid token first", log);
      ws.close(CloseCode.unauthorized, "not authenticated");
      return undefined;
    }
    const now = Date.now();
    this.opts.metrics.agentLastSeen.set({ agent }, now / 1000);
    this.opts.metrics.agentSpoolDepth.set({ agent }, msg.spool_depth);
    const l = this.live.get(agent);
    if (l) Object.assign(l, { lastSeenMs: now, spoolDepth: msg.spool_depth });
    this.enqueue(ws, agent, msg, conn.flaggedOffsetMs);
    return undefined;
  }

  private async onHello(
    ws: WebSocket,
    msg: Extract<AgentMessage, { type: "hello" }>,
    conn: Conn,
    log: Logger,
  ) {
    const given = digest(msg.token);
    let match = false;
    for (const d of this.tokens.get(msg.agent) ?? []) if (timingSafeEqual(d, given)) match = true;
    if (!match) {
      this.refuse(ws, "bad_token", `agent "${msg.agent}" is unknown or its token is wrong`, log);
      ws.close(CloseCode.unauthorized, "bad token");
      return undefined;
    }
    const agent = msg.agent;
    const previous = this.connections.get(agent);
    if (previous && previous !== ws)
      previous.close(CloseCode.protocolError, "replaced by a newer connection");
    this.connections.set(agent, ws);
    const now = Date.now();
    const m = this.opts.metrics;
    m.agentConnected.set({ agent }, 1);
    m.agentLastSeen.set({ agent }, now / 1000);
    m.agentSpoolDepth.set({ agent }, msg.spool_depth);
    // The hello was built just before it was sent: its transit time (well under a second on any sane
    // link) is within the offset's noise, against a limit of seconds.
    const offsetMs = msg.clock_ms - now;
    this.clockOffset.set({ agent }, offsetMs / 1000);
    this.live.set(agent, {
      connected: true,
      lastSeenMs: now,
      spoolDepth: msg.spool_depth,
      clockOffsetMs: offsetMs,
    });
    if (Math.abs(offsetMs) > this.opts.maxClockOffsetMs) {
      conn.flaggedOffsetMs = offsetMs;
      log.warn(
        { agent, clockOffsetMs: offsetMs, maxMs: this.opts.maxClockOffsetMs },
        "agent clock is off by more than server.max_clock_offset: its results are flagged (fix its NTP)",
      );
    }
    conn.agent = agent;
    await this.opts.store.agentSeen({
      agent,
      version: msg.version,
      spoolDepth: msg.spool_depth,
      clockOffsetMs: offsetMs,
      seenMs: now,
    });
    const lastSeq = await this.opts.store.lastSeq(agent);
    // Stale rollups are not worth refusing the agent: log, and take its results anyway.
    await this.opts
      .onHello?.(agent, lastSeq)
      .catch((e) => log.error({ err: e, agent }, "agent hello hook failed"));
    send(ws, { type: "welcome", v: PROTOCOL_VERSION, server_time_ms: Date.now(), last_seq: lastSeq });
    log.info({ agent, version: msg.version, spool: msg.spool_depth, lastSeq }, "agent connected");
    return undefined;
  }

  private enqueue(ws: WebSocket, agent: string, batch: Batch, clockOffsetMs: number | undefined): void {
    const results: Result[] = [];
    const rejected: Ack["rejected"] = [];
    for (const raw of batch.results) {
      const r = Result.safeParse(raw);
      const seq = seqOf(raw);
      if (!r.success) {
        const i = r.error.issues[0];
        rejected.push({ seq, reason: `${i?.path.join(".") || "result"}: ${i?.message}` });
        this.opts.metrics.reject("bad_result");
      } else if (r.data.agent !== agent) {
        rejected.push({ seq, reason: `result of agent "${r.data.agent}" sent by "${agent}"` });
        this.opts.metrics.reject("agent_mismatch");
      } else results.push(r.data);
    }
    this.queue.push({
      ws,
      agent,
      batchId: batch.id,
      results,
      rejected,
      ...(clockOffsetMs !== undefined ? { clockOffsetMs } : {}),
    });
    if (!this.flushing) this.flushing = new Promise((done) => setImmediate(() => this.flush().finally(done)));
  }

  /** Commits everything queued in one transaction, then acks each batch. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      // At most ~GROUP_MAX results per transaction: a bigger group stalls the event loop (acks, other
      // agents, /metrics) for tens of milliseconds (bench/README.md, "Ingest", finding 5).
      let n = 0;
      let take = 0;
      while (
        take < this.queue.length &&
        (take === 0 || n + (this.queue[take]?.results.length ?? 0) <= GROUP_MAX)
      )
        n += this.queue[take++]?.results.length ?? 0;
      const group = this.queue.splice(0, take);
      const t0 = process.hrtime.bigint();
      let outcomes: Awaited<ReturnType<Store["commit"]>>;
      try {
        outcomes = await this.opts.store.commit(
          group.map((p) =>
            p.clockOffsetMs === undefined
              ? p.results
              : { results: p.results, clockOffsetMs: p.clockOffsetMs },
          ),
        );
      } catch (e) {
        // Not committed, so not acked: the agents keep the results in their spools and send them again.
        // An outage (disk full) was logged once by the store's watcher (server/store/outage.ts).
        if (!isStoreOutage(e)) this.opts.logger.error({ err: e }, "store commit failed");
        for (const p of group) {
          this.opts.metrics.reject("store_unavailable");
          send(p.ws, {
            type: "error",
            reason: "store_unavailable",
            message: "store commit failed; retry",
            id: p.batchId,
          });
        }
        continue;
      }
      this.opts.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      try {
        await this.opts.onCommitted?.(outcomes.flatMap((o) => o.fresh));
      } catch (e) {
        // The results are committed and will be rolled up again from raw data after a restart.
        this.opts.logger.error({ err: e }, "post-commit processing failed");
      }
      group.forEach((p, i) => {
        const o = outcomes[i] ?? { committed: 0, duplicates: 0, fresh: [] };
        this.opts.metrics.ingested.inc({ agent: p.agent }, o.committed);
        if (o.duplicates > 0) this.opts.metrics.duplicates.inc({ agent: p.agent }, o.duplicates);
        for (const r of p.results) this.opts.live.update(r);
        send(p.ws, {
          type: "ack",
          id: p.batchId,
          committed: o.committed,
          duplicates: o.duplicates,
          rejected: p.rejected,
        });
      });
    }
    this.flushing = undefined;
  }

  private refuse(
    ws: WebSocket,
    reason: ErrorReason,
    message: string,
    log: Logger,
    agent?: string,
  ): undefined {
    this.opts.metrics.reject(reason);
    log.warn({ agent, reason }, `refused frame: ${message}`);
    const err: ErrorMessage = { type: "error", reason, message };
    send(ws, err);
    return undefined;
  }

  /** Live state of an agent seen since this server started (undefined: not since then). */
  status(agent: string): AgentLive | undefined {
    const l = this.live.get(agent);
    return l && { ...l };
  }

  /** New agent credentials (config reload): connected agents stay; the next hello uses these. */
  setAgents(agents: IngestOptions["agents"]): void {
    this.tokens = tokenMap(agents);
  }

  /** Stops accepting, lets queued batches commit and be acked, then closes every connection. */
  async close(): Promise<void> {
    await this.flushing;
    for (const ws of this.wss.clients) ws.close(CloseCode.serverShutdown, "server shutting down");
    await new Promise<void>((done) => this.wss.close(() => done()));
  }
}

function tokenMap(agents: IngestOptions["agents"]): Map<string, Buffer[]> {
  return new Map(agents.map((a) => [a.id, a.tokens.map(digest)]));
}

function seqOf(raw: unknown): number {
  const s = (raw as { seq?: unknown } | null)?.seq;
  // Safe integers only: the ack echoes it, and agents refuse an ack whose seq is not one (fuzz.ingest).
  return typeof s === "number" && Number.isSafeInteger(s) && s >= 0 ? s : 0;
}

function send(ws: WebSocket, msg: ServerMessage): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}
