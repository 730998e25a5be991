// Generic webhook: the notifications as one JSON document POSTed to a URL (docs/notifications.md
// "Webhook" lists every field). Optional Authorization: Bearer and an HMAC-SHA256 signature over the
// timestamp and the exact body bytes, so a receiver can check origin and freshness.
import { createHmac } from "node:crypto";
import type { WebhookConfig } from "../../config/notifications.js";
import { type Channel, isRecovery, type Notification, type RenderContext, redactor } from "./channel.js";
import { messageTitle, plain, renderBody } from "./format.js";
import { postJson } from "./http.js";

export const WEBHOOK_PAYLOAD_VERSION = 1;

const iso = (ms: number) => new Date(ms).toISOString();

/** The JSON document a webhook receives (times ISO 8601 UTC; absent values are null). */
export function webhookPayload(batch: readonly Notification[], ctx: RenderContext, channel: string) {
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    source: "opswatch",
    site: ctx.site,
    timezone: ctx.tz,
    channel,
    title: messageTitle(batch, ctx),
    text: renderBody(batch, ctx, plain),
    notifications: batch.map((n) => ({
      kind: n.kind,
      recovery: isRecovery(n.kind),
      fault: n.fault,
      target: n.target,
      target_name: n.targetName,
      title: n.title,
      severity: n.severity,
      previous_severity: n.previousSeverity ?? null,
      status: n.status,
      source: n.source,
      at: iso(n.at),
      opened_at: iso(n.openedAt),
      respond_by: n.respondBy === undefined ? null : iso(n.respondBy),
      resolve_by: n.resolveBy === undefined ? null : iso(n.resolveBy),
      actor: n.actor ?? null,
      note: n.note ?? null,
      link: n.link,
    })),
  };
}

/** X-Opswatch-Signature: "sha256=" + hex(HMAC-SHA256(key = secret, message = `${timestamp}.${body}`)). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

export class WebhookChannel implements Channel {
  readonly kind = "webhook" as const;
  readonly id: string;
  readonly redact: (text: string) => string;

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly ctx: RenderContext,
    private readonly now: () => number = Date.now,
  ) {
    this.id = cfg.id;
    this.redact = redactor([cfg.url, cfg.bearer, cfg.hmac_secret]);
  }

  async send(batch: readonly Notification[], signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookPayload(batch, this.ctx, this.id));
    const headers: Record<string, string> = { ...this.cfg.headers, "user-agent": "opswatch" };
    if (this.cfg.bearer) headers.authorization = `Bearer ${this.cfg.bearer}`;
    if (this.cfg.hmac_secret) {
      const ts = String(Math.floor(this.now() / 1000));
      headers["x-opswatch-timestamp"] = ts;
      headers["x-opswatch-signature"] = webhookSignature(this.cfg.hmac_secret, ts, body);
    }
    await postJson(this.cfg.url, body, { headers, signal, redact: this.redact });
  }
}
