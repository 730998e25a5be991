// The agent's SNMP trap receiver: the UDP edge around the pure parts (decode, dedup, events). Every
// packet is accounted for: an event spooled, a repeat folded, an unknown source, or a rejection.
import dgram from "node:dgram";
import snmp from "net-snmp";
import type { TrapsConfig } from "../../config/schema.js";
import type { Logger } from "../../lib/log.js";
import type { Unsequenced } from "../spool.js";
import { decodeTrap, type RawNotification, type Trap, TrapDecodeError } from "./decode.js";
import { type EndedRun, TrapDedup } from "./dedup.js";
import { trapEvents } from "./events.js";
import { REJECT_REASONS, REJECT_TEXT, type RejectReason, rejectReason } from "./reject.js";
import type { SourceIndex } from "./sources.js";

export interface TrapStats {
  /** Authenticated notifications decoded. */
  received: number;
  /** Events spooled (one per target of the source). */
  events: number;
  /** Repeats folded into an earlier event (dedup.ts). */
  folded: number;
  /** Authenticated traps from an address no SNMP check of this agent polls: logged, not forwarded. */
  unknown_source: number;
  rejected: Record<RejectReason, number>;
}

export interface TrapReceiverOptions {
  agent: string;
  config: TrapsConfig & { listen: { host: string; port: number } };
  sources: SourceIndex;
  /** Commits one event to the spool; throws when it cannot. */
  onEvent: (event: Unsequenced) => void;
  /** Polls a target's SNMP checks now. */
  onPoll: (target: string) => void;
  logger: Logger;
  now?: () => number;
}

/** net-snmp reports packet errors with the sender; socket errors (bind, send) come without. */
type ReceiverError = Error & { rinfo?: { address: string } };

const REJECT_LOG_EVERY_MS = 60_000;
/** Senders remembered for that: spoofed floods must not grow the map without bound. */
const REJECT_LOG_SOURCES = 10_000;

export class TrapReceiver {
  private readonly counts: TrapStats = {
    received: 0,
    events: 0,
    folded: 0,
    unknown_source: 0,
    rejected: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>,
  };
  private readonly dedup: TrapDedup;
  private readonly users: ReadonlySet<string>;
  private readonly log: Logger;
  private readonly now: () => number;
  /** (source, reason) → when a rejection was last logged at warn: a flood of bad packets logs once a minute. */
  private readonly rejectLogged = new Map<string, number>();
  private readonly socket: Promise<dgram.Socket>;
  private listening = false;
  private readonly pruneTimer: NodeJS.Timeout;

  /** Listens on `config.listen`; resolves once bound, rejects when the port cannot be bound. */
  static async start(o: TrapReceiverOptions): Promise<TrapReceiver> {
    const r = new TrapReceiver(o);
    try {
      const socket = await r.socket;
      await new Promise<void>((resolve, reject) => {
        socket.once("listening", resolve);
        socket.once("error", reject);
      });
      r.listening = true;
    } catch (e) {
      await r.close();
      const { host, port } = o.config.listen;
      const hint = (e as NodeJS.ErrnoException).code === "EACCES" ? " (ports below 1024 need root)" : "";
      throw new Error(`trap receiver cannot listen on ${host}:${port}: ${(e as Error).message}${hint}`);
    }
    return r;
  }

  private constructor(private readonly o: TrapReceiverOptions) {
    const { config } = o;
    this.log = o.logger.child({ component: "traps" });
    this.now = o.now ?? Date.now;
    this.dedup = new TrapDedup(config.dedup_window);
    this.users = new Set(config.users.map((u) => u.user));
    let created: (s: dgram.Socket) => void = () => {};
    this.socket = new Promise((resolve) => {
      created = resolve;
    });
    const { host, port } = config.listen;
    const receiver = snmp.createReceiver(
      {
        port,
        address: host,
        transport: host.includes(":") ? "udp6" : "udp4",
        includeAuthentication: true, // tells v3 (user) from v1/v2c (community)
        ...(config.engine_id ? { engineID: config.engine_id } : {}),
        // Hands us the socket, to know when it is bound (net-snmp does not say).
        dgramModule: {
          createSocket: (type: dgram.SocketType) => {
            const s = dgram.createSocket(type);
            created(s);
            return s;
          },
        },
      },
      (err: ReceiverError | null, n: RawNotification | null) => {
        // Runs in net-snmp's socket handler: nothing may throw out of it.
        try {
          if (err) this.onError(err);
          else if (n) this.onNotification(n);
        } catch (e) {
          this.log.error({ err: e }, "trap handling failed");
        }
      },
    );
    const authorizer = receiver.getAuthorizer();
    for (const community of config.communities) authorizer.addCommunity(community);
    for (const u of config.users) {
      const auth =
        u.level === "noAuthNoPriv"
          ? {}
          : {
              authProtocol: snmp.AuthProtocols[u.auth_protocol ?? "sha"],
              authKey: u.auth_key,
            };
      const priv =
        u.level === "authPriv"
          ? {
              privProtocol: snmp.PrivProtocols[u.priv_protocol ?? "aes"],
              privKey: u.priv_key,
            }
          : {};
      authorizer.addUser({ name: u.user, level: snmp.SecurityLevel[u.level], ...auth, ...priv });
    }
    this.pruneTimer = setInterval(() => this.prune(), Math.max(1000, config.dedup_window)).unref();
  }

  stats(): TrapStats {
    return structuredClone(this.counts);
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    const socket = await this.socket;
    await new Promise<void>((resolve) => {
      socket.close(() => resolve());
    }).catch(() => {}); // never bound
    for (const run of this.dedup.prune(Number.POSITIVE_INFINITY)) this.logEnded(run);
  }

  private onNotification(n: RawNotification): void {
    const trap = this.accept(n);
    if (trap === undefined) return;
    this.counts.received++;
    const decision = this.dedup.observe(trap, this.now());
    if (decision.ended) this.logEnded(decision.ended);
    const about = { trap: trap.name, source: trap.source, ...detailOf(trap) };
    if (!decision.emit) {
      this.counts.folded++;
      this.log.debug({ ...about, folded: decision.folded }, "repeated trap folded");
      return;
    }
    const targets = this.o.sources.get(trap.source) ?? [];
    if (targets.length === 0) {
      this.counts.unknown_source++;
      this.log.warn(about, "trap from an address no SNMP check polls: not forwarded");
      return;
    }
    for (const event of trapEvents(trap, decision.count, targets, this.o.agent, this.now())) {
      try {
        this.o.onEvent(event);
        this.counts.events++;
      } catch (e) {
        // The spool refused it (disk full, I/O error): say so loudly, with the whole event.
        this.log.error({ err: e, event }, "trap event could not be spooled");
      }
    }
    this.log.info({ ...about, targets, count: decision.count }, "trap");
    for (const target of targets) this.o.onPoll(target);
  }

  /** The decoded trap, or undefined when it is rejected. */
  private accept(n: RawNotification): Trap | undefined {
    const source = n.rinfo.address;
    // net-snmp lets a v3 noAuthNoPriv packet with an empty user name through: accept configured users only.
    if (n.pdu.user !== undefined && !this.users.has(n.pdu.user)) {
      this.reject("user", source, { user: n.pdu.user });
      return undefined;
    }
    try {
      return decodeTrap(n);
    } catch (e) {
      if (!(e instanceof TrapDecodeError)) throw e;
      this.reject("malformed", source, { problem: e.message });
      return undefined;
    }
  }

  private onError(err: ReceiverError): void {
    if (!err.rinfo) {
      // A bind failure is start()'s to report.
      if (this.listening) this.log.error({ err }, "trap receiver socket error");
      return;
    }
    this.reject(rejectReason(err), err.rinfo.address);
  }

  private reject(reason: RejectReason, source: string, detail: Record<string, unknown> = {}): void {
    this.counts.rejected[reason]++;
    const key = `${source}\0${reason}`;
    const now = this.now();
    const last = this.rejectLogged.get(key);
    const fields = { source, reason, ...detail };
    if (last !== undefined && now - last < REJECT_LOG_EVERY_MS) {
      this.log.debug(fields, `trap rejected: ${REJECT_TEXT[reason]}`);
      return;
    }
    if (this.rejectLogged.size >= REJECT_LOG_SOURCES) this.rejectLogged.clear();
    this.rejectLogged.set(key, now);
    this.log.warn(
      { ...fields, rejected: this.counts.rejected[reason] },
      `trap rejected: ${REJECT_TEXT[reason]} (logged once a minute per source and reason)`,
    );
  }

  private prune(): void {
    const now = this.now();
    for (const run of this.dedup.prune(now)) this.logEnded(run);
    for (const [key, at] of this.rejectLogged)
      if (now - at >= REJECT_LOG_EVERY_MS) this.rejectLogged.delete(key);
  }

  private logEnded(run: EndedRun): void {
    this.log.info(
      { trap: run.name, source: run.source, folded: run.folded },
      "repeats of a trap folded after its last event",
    );
  }
}

/** The distinguishing values worth a log field. */
function detailOf(trap: Trap): Record<string, unknown> {
  const v = trap.values;
  const out: Record<string, unknown> = {};
  for (const k of ["trap.alarm", "trap.if_index", "trap.if_name"] as const)
    if (v[k] !== undefined) out[k.slice(5)] = v[k];
  return out;
}
