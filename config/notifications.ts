// Built-in fault notifications (docs/notifications.md): where the messages go (one entry per channel),
// which faults and events each channel takes, and how messages are grouped, de-duplicated, rate-limited
// and retried. Secrets (robot keys, signing secrets, SMTP passwords, webhook URLs) take the usual
// literal / "${ENV}" / "file:PATH" forms and never reach a log line.
import { z } from "zod";
import { Id } from "../protocol/messages.js";
import { Duration } from "./duration.js";
import { Severity } from "./indicators.js";
import { Secret } from "./secrets.js";

/** What a notification reports: a fault event, or a deadline that passed (overdue_*). */
export const NotificationKind = z.enum([
  "opened",
  "attached",
  "acknowledged",
  "escalated",
  "recovered",
  "resolved",
  "reopened",
  "overdue_response",
  "overdue_resolution",
]);
export type NotificationKind = z.infer<typeof NotificationKind>;

/** A channel without `events:` takes these: repeats (attached) and acknowledgements are opt-in. */
export const DEFAULT_EVENTS: readonly NotificationKind[] = [
  "opened",
  "escalated",
  "recovered",
  "resolved",
  "reopened",
  "overdue_response",
  "overdue_resolution",
];

const HttpUrl = z.url({ protocol: /^https?$/ });
/** A service's base URL (scheme, host, optional port and path prefix), without a trailing slash. */
const BaseUrl = (d: string) =>
  HttpUrl.default(d)
    .transform((u) => u.replace(/\/+$/, ""))
    .describe(`service base URL; change it only for a proxy or a test receiver (default ${d})`);

const RateLimit = z
  .strictObject({
    messages: z.number().int().min(1).max(10_000).describe("messages allowed per window"),
    per: Duration.prefault("1m").describe("the sliding window (default 1m)"),
  })
  .describe("at most `messages` per `per`; notifications over the limit are merged into the next message");

const common = {
  id: Id.describe("names the channel in logs and in opswatch_notifications_total{channel}"),
  severities: z
    .array(Severity)
    .min(1)
    .optional()
    .describe("fault severities this channel takes (current severity); default every one"),
  events: z
    .array(NotificationKind)
    .min(1)
    .optional()
    .describe(`what this channel is told; default ${DEFAULT_EVENTS.join(", ")}`),
  rate_limit: RateLimit.optional().describe(
    "default 20 messages per 1m for the robots (wecom, dingtalk, feishu); none for webhook and email",
  ),
};

const Webhook = z.strictObject({
  ...common,
  kind: z.literal("webhook"),
  url: Secret.pipe(HttpUrl).describe("where the JSON is POSTed; a secret, as it may hold a token"),
  bearer: Secret.optional().describe("sent as Authorization: Bearer <bearer>"),
  hmac_secret: Secret.optional().describe(
    "signs each request: X-Opswatch-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + '.' + body))",
  ),
  headers: z.record(z.string(), z.string()).default({}).describe("extra request headers"),
});

const WeCom = z.strictObject({
  ...common,
  kind: z.literal("wecom"),
  key: Secret.describe("the key=… of the group robot's webhook address (企业微信群机器人)"),
  base_url: BaseUrl("https://qyapi.weixin.qq.com"),
});

const DingTalk = z.strictObject({
  ...common,
  kind: z.literal("dingtalk"),
  access_token: Secret.describe(
    "the access_token=… of the custom robot's webhook address (钉钉自定义机器人)",
  ),
  secret: Secret.optional().describe(
    "the robot's signing secret (加签, SEC…); required when the robot signs",
  ),
  base_url: BaseUrl("https://oapi.dingtalk.com"),
});

const Feishu = z.strictObject({
  ...common,
  kind: z.literal("feishu"),
  hook: Secret.describe(
    "the token after /open-apis/bot/v2/hook/ in the custom bot's webhook address (飞书自定义机器人)",
  ),
  secret: Secret.optional().describe(
    "the bot's signing secret (签名校验); required when the bot verifies signatures",
  ),
  base_url: BaseUrl("https://open.feishu.cn").describe(
    "https://open.feishu.cn, or https://open.larksuite.com for Lark (default https://open.feishu.cn)",
  ),
});

const Email = z.strictObject({
  ...common,
  kind: z.literal("email"),
  host: z.string().min(1).describe("SMTP server"),
  port: z.number().int().min(1).max(65535).optional().describe("default 465 when secure, else 587"),
  secure: z
    .boolean()
    .default(false)
    .describe("true: TLS from the first byte (port 465); false: STARTTLS when the server offers it"),
  require_tls: z.boolean().default(false).describe("refuse to send unless STARTTLS succeeds"),
  tls_verify: z.boolean().default(true).describe("false accepts a self-signed server certificate"),
  user: z.string().min(1).optional().describe("SMTP AUTH user; omit for a relay without authentication"),
  password: Secret.optional(),
  from: z.string().min(3).describe('sender, e.g. "opswatch <opswatch@example.gov.cn>"'),
  to: z.array(z.email()).min(1).describe("recipients"),
});

export const ChannelConfig = z.discriminatedUnion("kind", [Webhook, WeCom, DingTalk, Feishu, Email]);
export type ChannelConfig = z.infer<typeof ChannelConfig>;
export type ChannelKind = ChannelConfig["kind"];
export type WebhookConfig = z.infer<typeof Webhook>;
export type WeComConfig = z.infer<typeof WeCom>;
export type DingTalkConfig = z.infer<typeof DingTalk>;
export type FeishuConfig = z.infer<typeof Feishu>;
export type EmailConfig = z.infer<typeof Email>;

export const Notifications = z
  .strictObject({
    public_url: HttpUrl.optional().describe(
      "how people reach this server, e.g. https://opswatch.example.gov.cn; ack links are <public_url>/api/v1/faults/<id> (default the listen address)",
    ),
    console_url: z
      .string()
      .regex(
        /^https?:\/\/\S*\{id\}/,
        "an http(s) URL containing {id}, e.g. https://console.example/faults/{id}",
      )
      .optional()
      .describe("a console page for a fault, {id} replaced by the fault id; replaces the API ack link"),
    group_wait: Duration.prefault("10s").describe(
      "notifications arriving within this window go out as one message per channel (default 10s)",
    ),
    dedupe_window: Duration.prefault("10m").describe(
      "an identical notification (same fault, kind and content) within this window is dropped (default 10m)",
    ),
    overdue_check: Duration.prefault("1m").describe(
      "how often open faults are checked for missed response / resolution deadlines (default 1m)",
    ),
    timeout: Duration.prefault("10s").describe("one delivery attempt (default 10s)"),
    retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(5)
      .describe("retries after a transient failure (network, HTTP 5xx/429, robot rate limit) (default 5)"),
    retry_backoff: Duration.prefault("2s").describe(
      "first retry delay; doubles each time, at most 1 min (default 2s)",
    ),
    channels: z.array(ChannelConfig).default([]).describe("where notifications go (default none)"),
  })
  .superRefine((n, ctx) => {
    const seen = new Set<string>();
    n.channels.forEach((c, i) => {
      if (seen.has(c.id))
        ctx.addIssue({
          code: "custom",
          path: ["channels", i, "id"],
          message: `duplicate channel id "${c.id}"`,
        });
      seen.add(c.id);
    });
  })
  .prefault({});
export type Notifications = z.infer<typeof Notifications>;
