// Shared by the notification tests: a clock the test moves, sample notifications, a dispatcher factory.
import { Writable } from "node:stream";
import { pino } from "pino";
import { Severities } from "../../config/indicators.js";
import { Notifications } from "../../config/notifications.js";
import { WorkCalendar } from "../../engine/calendar.js";
import type { FaultEvent } from "../../engine/faults.js";
import type { Channel, Notification } from "../../server/notify/channel.js";
import type { Clock } from "../../server/notify/clock.js";
import { Dispatcher, type DispatcherOptions } from "../../server/notify/dispatcher.js";
import type { FaultRecord } from "../../server/store/faults.js";

/** 2025-03-04 09:00:00 Asia/Shanghai. */
export const T0 = Date.UTC(2025, 2, 4, 1, 0, 0);
export const TZ = "Asia/Shanghai";
export const CTX = { site: "某区政务数据中心", tz: TZ };

/** A clock that only moves when told; timers fire in time order, each at its own time. */
export class ManualClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;
  constructor(public t = T0) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  /** Moves to now + ms, firing every timer due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
  get pendingTimers(): number {
    return this.timers.size;
  }
}

/** Moves the clock in steps, letting deliveries finish after each one. */
export async function run(clock: ManualClock, d: Dispatcher, ms: number, step = 1000): Promise<void> {
  await d.idle();
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await d.idle();
  }
}

export function note(over: Partial<Notification> = {}): Notification {
  const fault = over.fault ?? "12";
  return {
    kind: "opened",
    fault,
    target: "portal",
    targetName: "区政府门户网站",
    title: "区政府门户网站: 网站不可访问 website down",
    severity: "P2",
    status: "open",
    source: "auto",
    at: T0,
    openedAt: T0,
    respondBy: T0 + 30 * 60_000,
    resolveBy: T0 + 8 * 3600_000,
    link: `https://opswatch.example.gov.cn/api/v1/faults/${fault}`,
    ...over,
  };
}

/** A channel that records what it is given; `fail` decides per call (1-based) what to throw. */
export class FakeChannel implements Channel {
  readonly batches: { at: number; batch: Notification[] }[] = [];
  calls = 0;
  constructor(
    readonly id: string,
    private readonly clock: Clock,
    readonly kind: Channel["kind"] = "webhook",
    readonly defaultRateLimit?: { messages: number; per: number },
    private readonly fail: (call: number) => Error | undefined = () => undefined,
  ) {}
  async send(batch: readonly Notification[]): Promise<void> {
    this.calls++;
    const err = this.fail(this.calls);
    if (err) throw err;
    this.batches.push({ at: this.clock.now(), batch: [...batch] });
  }
  redact(text: string): string {
    return text;
  }
  get faults(): string[] {
    return this.batches.flatMap((b) => b.batch.map((n) => n.fault));
  }
}

export const faultClock = { severities: Severities.parse({}), tz: TZ, calendar: new WorkCalendar({}) };

/** A logger whose every line is kept (no redaction: the tests check that nothing secret is logged at all). */
export function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines, text: () => lines.join("") };
}

export function dispatcher(
  config: Record<string, unknown>,
  o: Partial<DispatcherOptions> & { clock: Clock },
): Dispatcher {
  return new Dispatcher({
    config: Notifications.parse(config),
    site: { name: CTX.site, timezone: TZ },
    targets: [{ id: "portal", name: "区政府门户网站" }],
    faultClock,
    openFaults: async () => [],
    log: captureLogger().log,
    ...o,
  });
}

/** A fault record and its events, as FaultService hands them to onEvent. */
export function record(id: string, events: FaultEvent[], over: Partial<FaultRecord> = {}): FaultRecord {
  return {
    id,
    target: "portal",
    cause: "website_uptime",
    title: "区政府门户网站: 网站不可访问 website down",
    source: "auto",
    severity: "P2",
    openedAt: T0,
    open: true,
    events,
    ...over,
  };
}

export const OPENED: Extract<FaultEvent, { type: "opened" }> = {
  type: "opened",
  at: T0,
  severity: "P2",
  source: "auto",
  cause: "website_uptime",
};
