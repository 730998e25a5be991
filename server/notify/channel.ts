// The one interface every notification channel implements (webhook, 企业微信, 钉钉, 飞书, e-mail), and
// the Notification they are given. The dispatcher (dispatcher.ts) decides what goes where and when;
// a channel only turns a batch into one message and delivers it.
import type { Severity } from "../../config/indicators.js";
import type { ChannelKind, NotificationKind } from "../../config/notifications.js";

export type { ChannelKind, NotificationKind };

/** One thing to tell people about one fault. Times are epoch milliseconds (UTC). */
export interface Notification {
  kind: NotificationKind;
  /** Fault id. */
  fault: string;
  target: string;
  /** The target's display name from the config (the id for an unknown target). */
  targetName: string;
  title: string;
  /** Current severity (after any escalation). */
  severity: Severity;
  status: "open" | "resolved";
  source: "auto" | "manual";
  /** When it happened: the event's time; for overdue_* the deadline that passed. */
  at: number;
  openedAt: number;
  /**
   * Deadlines (fixed at opening, rule 13); undefined when they cannot be computed (a working-day
   * deadline in a year the calendar does not cover).
   */
  respondBy?: number;
  resolveBy?: number;
  /** The person who acted (acknowledged, escalated, resolved, reopened, reported). */
  actor?: string;
  note?: string;
  /** For escalated: the severity before. */
  previousSeverity?: Severity;
  /** Where a person acknowledges the fault: <public_url>/api/v1/faults/<id>, or the console page. */
  link: string;
}

/** recovered / resolved are recovery messages (green); everything else is a problem message. */
export function isRecovery(kind: NotificationKind): boolean {
  return kind === "recovered" || kind === "resolved";
}

/** A failed delivery. `transient` failures (network, HTTP 5xx/429, a robot's rate limit) are retried. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    /** The service asked to wait this long (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "SendError";
  }
}

/** What message texts need besides the notifications. */
export interface RenderContext {
  /** config.site.name */
  site: string;
  /** config.site.timezone: every time in a message is shown in it. */
  tz: string;
}

export interface Channel {
  /** config id: the `channel` label of opswatch_notifications_total. */
  readonly id: string;
  readonly kind: ChannelKind;
  /** The service's own limit when the config sets none (robots: 20 messages per minute). */
  readonly defaultRateLimit?: { messages: number; per: number };
  /**
   * Delivers the batch as ONE message (the dispatcher counts it against the rate limit). Throws
   * SendError; honours `signal` (timeout, shutdown).
   */
  send(batch: readonly Notification[], signal: AbortSignal): Promise<void>;
  /** Replaces every secret of this channel (key, token, signing secret, password, URL) in a text to be logged. */
  redact(text: string): string;
}

/** Builds Channel.redact from the channel's secret values (also their URL-encoded forms). */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const values = [
    ...new Set(
      secrets
        .filter((s): s is string => typeof s === "string" && s.length >= 4)
        .flatMap((s) => [s, encodeURIComponent(s)]),
    ),
  ].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of values) out = out.split(v).join("[secret]");
    return redactUrls(out);
  };
}

/** Query values of key / access_token / token / sign / secret… and the token of a …/hook/<token> path. */
export function redactUrls(text: string): string {
  return text
    .replace(/([?&](?:key|access_token|token|sign|secret|signature|password)=)[^&#\s"']*/gi, "$1[secret]")
    .replace(/(\/hook\/)[^/?#\s"']+/g, "$1[secret]");
}
