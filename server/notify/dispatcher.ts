// Fault events → notifications → channels. Told of every fault event by FaultService (its onEvent
// hook), and of missed deadlines by a periodic check. For each channel it keeps a lane that
//   - routes: only the severities and kinds the channel's config lists;
//   - groups: what arrives within `group_wait` goes out as one message;
//   - rate-limits: at most N messages per sliding window (robots: 20 per minute); over the limit,
//     notifications wait and are merged into the next allowed message, none is dropped;
//   - retries transient failures with exponential backoff (merging what arrived meanwhile).
// Identical notifications (same fault, kind and content) within `dedupe_window` are dropped once,
// before routing. Counts go to opswatch_notifications_total{channel, result}; logs carry channel ids
// and fault ids, never a URL, key or secret.
import { Counter, Registry } from "prom-client";
import type { Notifications } from "../../config/notifications.js";
import { DEFAULT_EVENTS } from "../../config/notifications.js";
import { deadlines, type FaultClock, type FaultEvent, judge, reduce } from "../../engine/faults.js";
import type { Logger } from "../../lib/log.js";
import type { FaultRecord } from "../store/faults.js";
import { type Channel, type Notification, type NotificationKind, SendError } from "./channel.js";
import { createChannel } from "./channels.js";
import { type Clock, systemClock } from "./clock.js";

export interface DispatcherOptions {
  config: Notifications;
  site: { name: string; timezone: string };
  targets: readonly { id: string; name: string }[];
  faultClock: FaultClock;
  /** The open faults, for the overdue check. */
  openFaults: () => Promise<FaultRecord[]>;
  log: Logger;
  /** Where opswatch_notifications_total is registered (default a private registry). */
  registry?: Registry;
  clock?: Clock;
  /** Channels to use instead of building them from config.channels (tests); routed by the config entry of the same id. */
  channels?: Channel[];
  /** Base of ack links while config.public_url is unset (start() replaces it with the server's URL). */
  baseUrl?: string;
}

export type NotificationResult = "sent" | "failed" | "deduplicated";
const RESULTS: readonly NotificationResult[] = ["sent", "failed", "deduplicated"];
const MAX_BACKOFF = 60_000;

/** What makes two notifications identical for de-duplication. */
export function dedupeKey(n: Notification): string {
  return JSON.stringify([n.fault, n.kind, n.severity, n.actor ?? "", n.note ?? ""]);
}

interface Route {
  severities?: ReadonlySet<string>;
  events: ReadonlySet<NotificationKind>;
}

interface LaneDeps {
  clock: Clock;
  log: Logger;
  groupWait: number;
  timeout: number;
  retries: number;
  backoff: number;
  stopped: () => boolean;
  stopSignal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  count: (channel: string, result: NotificationResult, n: number) => void;
  countMessage: (channel: string, result: "sent" | "error") => void;
}

/** One channel's queue: grouping window, sliding-window rate limit, one delivery at a time. */
class Lane {
  private pending: Notification[] = [];
  private pendingSince = 0;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private sending: Promise<void> | undefined;
  /** Start times of the delivery attempts still inside the rate window. */
  private sent: number[] = [];

  constructor(
    readonly channel: Channel,
    private readonly route: Route,
    private readonly limit: { messages: number; per: number } | undefined,
    private readonly d: LaneDeps,
  ) {}

  accepts(n: Notification): boolean {
    return (this.route.severities?.has(n.severity) ?? true) && this.route.events.has(n.kind);
  }

  push(n: Notification): void {
    if (this.pending.length === 0) this.pendingSince = this.d.clock.now();
    this.pending.push(n);
    this.schedule();
  }

  /** The earliest time the rate limit lets the next message out. */
  nextAllowed(now: number): number {
    const l = this.limit;
    if (!l) return now;
    this.sent = this.sent.filter((t) => t > now - l.per);
    if (this.sent.length < l.messages) return now;
    return (this.sent[this.sent.length - l.messages] as number) + l.per;
  }

  idle(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }

  get busy(): boolean {
    return this.sending !== undefined;
  }

  private schedule(): void {
    if (this.sending || this.pending.length === 0 || this.d.stopped()) return;
    const now = this.d.clock.now();
    const due = Math.max(this.pendingSince + this.d.groupWait, this.nextAllowed(now));
    if (due <= now) {
      this.clearTimer();
      this.flush();
      return;
    }
    if (this.timer !== undefined && this.timerAt === due) return;
    this.clearTimer();
    this.timerAt = due;
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.flush();
    }, due - now);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.d.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private flush(): void {
    if (this.sending || this.pending.length === 0) return;
    const now = this.d.clock.now();
    if (this.nextAllowed(now) > now) {
      this.schedule();
      return;
    }
    this.sending = this.deliver(this.take()).finally(() => {
      this.sending = undefined;
      // stopping meanwhile: what arrived during the delivery gets its one last message
      if (this.d.stopped()) this.close();
      else this.schedule();
    });
  }

  private take(): Notification[] {
    return this.pending.splice(0);
  }

  /** Shutdown: what is pending goes out now in one message (no retries) if the rate limit allows. */
  close(): void {
    this.clearTimer();
    if (this.sending || this.pending.length === 0) return;
    const now = this.d.clock.now();
    if (this.nextAllowed(now) > now) {
      const lost = this.take();
      this.d.count(this.channel.id, "failed", lost.length);
      this.d.log.warn(
        { channel: this.channel.id, faults: lost.map((n) => n.fault) },
        "notifications not sent: stopping while the channel's rate limit is reached",
      );
      return;
    }
    this.sending = this.deliver(this.take()).finally(() => {
      this.sending = undefined;
    });
  }

  private async deliver(first: Notification[]): Promise<void> {
    const { clock, log } = this.d;
    const id = this.channel.id;
    let batch = first;
    for (let attempt = 0; ; attempt++) {
      if (this.limit) this.sent.push(clock.now());
      try {
        await this.channel.send(
          batch,
          AbortSignal.any([this.d.stopSignal, AbortSignal.timeout(this.d.timeout)]),
        );
        this.d.countMessage(id, "sent");
        this.d.count(id, "sent", batch.length);
        log.info(
          { channel: id, kind: this.channel.kind, notifications: batch.length, faults: faultIds(batch) },
          "notification sent",
        );
        return;
      } catch (e) {
        this.d.countMessage(id, "error");
        const err =
          e instanceof SendError
            ? e
            : new SendError(this.channel.redact(String((e as Error)?.message ?? e)), false);
        if (!err.transient || attempt >= this.d.retries || this.d.stopped()) {
          this.d.count(id, "failed", batch.length);
          log.error(
            {
              channel: id,
              kind: this.channel.kind,
              faults: faultIds(batch),
              attempts: attempt + 1,
              error: err.message,
            },
            "notification failed",
          );
          return;
        }
        const delay = Math.min(err.retryAfterMs ?? this.d.backoff * 2 ** attempt, MAX_BACKOFF);
        log.warn(
          { channel: id, attempt: attempt + 1, retry_in_ms: delay, error: err.message },
          "notification retry",
        );
        await this.d.sleep(delay);
        const wait = this.nextAllowed(clock.now()) - clock.now();
        if (wait > 0) await this.d.sleep(wait);
        if (this.d.stopped()) {
          const lost = [...batch, ...this.take()];
          this.d.count(id, "failed", lost.length);
          log.warn(
            { channel: id, faults: faultIds(lost) },
            "notifications not sent: stopping during a retry",
          );
          return;
        }
        // What arrived meanwhile rides along: one message instead of two.
        batch = [...batch, ...this.take()];
      }
    }
  }
}

function faultIds(batch: readonly Notification[]): string[] {
  return [...new Set(batch.map((n) => n.fault))];
}

export class Dispatcher {
  readonly registry: Registry;
  private readonly clock: Clock;
  private readonly lanes: Lane[];
  private readonly names: Map<string, string>;
  private readonly seen = new Map<string, number>();
  private readonly overdueSent = new Set<string>();
  private readonly abort = new AbortController();
  private readonly sleepers = new Set<() => void>();
  /** Woken when a lane starts waiting (idle() watches it). */
  private onSleep: (() => void)[] = [];
  private overdueTimer: unknown;
  private checking: Promise<void> | undefined;
  private stopped = false;
  private baseUrl: string;
  private readonly counter: Counter<"channel" | "result">;

  constructor(private readonly o: DispatcherOptions) {
    const cfg = o.config;
    this.clock = o.clock ?? systemClock;
    this.registry = o.registry ?? new Registry();
    this.names = new Map(o.targets.map((t) => [t.id, t.name]));
    this.baseUrl = (cfg.public_url ?? o.baseUrl ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
    const ctx = { site: o.site.name, tz: o.site.timezone };
    const channels = o.channels ?? cfg.channels.map((c) => createChannel(c, ctx, cfg.timeout));
    this.counter = new Counter({
      name: "opswatch_notifications_total",
      help: "Fault notifications by channel and result: sent (delivered), failed (permanent error or retries exhausted), deduplicated (an identical one was sent within the dedupe window)",
      labelNames: ["channel", "result"],
      registers: [this.registry],
    });
    const notifications = this.counter;
    const messages = new Counter({
      name: "opswatch_notification_messages_total",
      help: "Delivery attempts per channel (one message carries one or more notifications): sent or error",
      labelNames: ["channel", "result"],
      registers: [this.registry],
    });
    for (const c of channels) {
      for (const result of RESULTS) notifications.inc({ channel: c.id, result }, 0);
      for (const result of ["sent", "error"]) messages.inc({ channel: c.id, result }, 0);
    }
    const deps: LaneDeps = {
      clock: this.clock,
      log: o.log,
      groupWait: cfg.group_wait,
      timeout: cfg.timeout,
      retries: cfg.retries,
      backoff: cfg.retry_backoff,
      stopped: () => this.stopped,
      stopSignal: this.abort.signal,
      sleep: (ms) => this.sleep(ms),
      count: (channel, result, n) => notifications.inc({ channel, result }, n),
      countMessage: (channel, result) => messages.inc({ channel, result }),
    };
    this.lanes = channels.map((ch) => {
      const c = cfg.channels.find((x) => x.id === ch.id);
      const route: Route = {
        ...(c?.severities ? { severities: new Set(c.severities) } : {}),
        events: new Set(c?.events ?? DEFAULT_EVENTS),
      };
      return new Lane(ch, route, c?.rate_limit ?? ch.defaultRateLimit, deps);
    });
  }

  /** Whether any channel is configured (the server skips the overdue timer otherwise). */
  get enabled(): boolean {
    return this.lanes.length > 0;
  }

  /** FaultService's onEvent hook: `f` as it was before `e` (no events yet for "opened"). Never throws. */
  readonly onEvent = (f: FaultRecord, e: FaultEvent): void => {
    if (!this.enabled || this.stopped) return;
    try {
      this.notify(this.fromEvent(f, e));
    } catch (err) {
      this.o.log.error(
        { fault: f.id, event: e.type, error: (err as Error).message },
        "notification not built",
      );
    }
  };

  /** Routes one notification to the channels that take it, unless an identical one went out recently. */
  notify(n: Notification): void {
    if (this.stopped) return;
    const lanes = this.lanes.filter((l) => l.accepts(n));
    if (lanes.length === 0) return;
    const now = this.clock.now();
    const key = dedupeKey(n);
    const last = this.seen.get(key);
    if (last !== undefined && now - last < this.o.config.dedupe_window) {
      for (const l of lanes) this.counter.inc({ channel: l.channel.id, result: "deduplicated" });
      this.o.log.debug({ fault: n.fault, kind: n.kind }, "notification deduplicated");
      return;
    }
    this.seen.set(key, now);
    if (this.seen.size > 10_000 || this.seen.size % 256 === 0) this.prune(now);
    for (const l of lanes) l.push(n);
  }

  /** Ack link of a fault: the console page if configured, else the API's fault URL. */
  link(id: string): string {
    const c = this.o.config.console_url;
    if (c) return c.replaceAll("{id}", encodeURIComponent(id));
    return `${this.baseUrl}/api/v1/faults/${encodeURIComponent(id)}`;
  }

  /** Starts the overdue check; `serverUrl` is the ack links' base while notifications.public_url is unset. */
  start(serverUrl?: string): void {
    if (serverUrl && !this.o.config.public_url) this.baseUrl = serverUrl.replace(/\/+$/, "");
    if (!this.enabled || this.stopped) return;
    if (!this.o.config.public_url && !this.o.config.console_url)
      this.o.log.warn(
        { base: this.baseUrl },
        "notifications.public_url is not set: ack links use the listen address",
      );
    const tick = () => {
      this.overdueTimer = undefined;
      this.checking = this.checkOverdue()
        .catch((e) => this.o.log.error({ error: (e as Error).message }, "overdue check failed"))
        .finally(() => {
          this.checking = undefined;
          if (!this.stopped) this.overdueTimer = this.clock.setTimeout(tick, this.o.config.overdue_check);
        });
    };
    tick();
  }

  /**
   * Open faults whose response or resolution deadline has passed (engine judge()): one overdue_response /
   * overdue_resolution notification per fault and stage for the life of the process.
   */
  async checkOverdue(now = this.clock.now()): Promise<void> {
    if (!this.enabled) return;
    for (const f of await this.o.openFaults()) {
      let j: ReturnType<typeof judge>;
      try {
        j = judge(f, now, this.o.faultClock);
      } catch {
        continue;
      }
      const stages: [NotificationKind, number][] = [];
      if (j.respondedAt === undefined && j.response === "missed")
        stages.push(["overdue_response", j.due.respondBy]);
      if (j.completedAt === undefined && j.completion === "missed")
        stages.push(["overdue_resolution", j.due.resolveBy]);
      for (const [kind, deadline] of stages) {
        const key = `${f.id}:${kind}`;
        if (this.overdueSent.has(key)) continue;
        this.overdueSent.add(key);
        const s = j.fault;
        this.notify({
          kind,
          fault: f.id,
          target: f.target,
          targetName: this.names.get(f.target) ?? f.target,
          title: f.title,
          severity: s.severity,
          status: s.status,
          source: s.source,
          at: deadline,
          openedAt: s.openedAt,
          respondBy: j.due.respondBy,
          resolveBy: j.due.resolveBy,
          link: this.link(f.id),
        });
      }
    }
  }

  /**
   * Resolves once nothing can progress without the clock: no overdue check running, and every lane
   * either idle or waiting for a retry (tests move an injected clock between calls).
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.checking) {
        await this.checking;
        continue;
      }
      const busy = this.lanes.filter((l) => l.busy);
      if (busy.length === 0 || busy.length <= this.sleepers.size) return;
      await Promise.race([...busy.map((l) => l.idle()), new Promise<void>((r) => this.onSleep.push(r))]);
    }
  }

  /**
   * Stops the timers; what is still waiting for its group window goes out now in one last message per
   * channel (no retries), given up to `graceMs`; then in-flight requests are aborted.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.overdueTimer !== undefined) this.clock.clearTimeout(this.overdueTimer);
    for (const wake of this.sleepers) wake();
    for (const l of this.lanes) l.close();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((r) => {
        grace = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(grace);
    this.abort.abort();
    await this.idle();
  }

  private fromEvent(f: FaultRecord, e: FaultEvent): Notification {
    const s = reduce({ ...f, events: [...f.events, e] });
    const before = f.events.length > 0 ? reduce(f) : undefined;
    const c = this.o.faultClock;
    let due: { respondBy: number; resolveBy: number } | undefined;
    try {
      due = deadlines(s.openedAt, s.openedSeverity, c.severities, c.tz, c.calendar);
    } catch {
      // a working-day deadline in a year the calendar does not cover: tell without deadlines
    }
    return {
      kind: e.type,
      fault: f.id,
      target: f.target,
      targetName: this.names.get(f.target) ?? f.target,
      title: f.title,
      severity: s.severity,
      status: s.status,
      source: s.source,
      at: e.at,
      openedAt: s.openedAt,
      ...(due ? { respondBy: due.respondBy, resolveBy: due.resolveBy } : {}),
      ...("actor" in e && e.actor ? { actor: e.actor } : {}),
      ...("note" in e ? { note: e.note } : {}),
      ...(e.type === "escalated" && before ? { previousSeverity: before.severity } : {}),
      link: this.link(f.id),
    };
  }

  private prune(now: number): void {
    for (const [k, t] of this.seen) if (now - t >= this.o.config.dedupe_window) this.seen.delete(k);
  }

  /** A clock-driven wait that ends early when the dispatcher stops. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.clock.clearTimeout(h);
        this.sleepers.delete(wake);
        resolve();
      };
      const h = this.clock.setTimeout(wake, ms);
      this.sleepers.add(wake);
      for (const w of this.onSleep.splice(0)) w();
    });
  }
}
