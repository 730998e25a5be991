// 飞书自定义机器人 (Feishu / Lark custom bot). Official doc: 自定义机器人使用指南,
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot : POST
// https://open.feishu.cn/open-apis/bot/v2/hook/TOKEN with a JSON body. With 签名校验 (signature check) the
// body also carries "timestamp" (seconds, within 1 hour of Feishu's clock) and "sign", where
//   sign = base64(HmacSHA256(key = timestamp + "\n" + secret, message = ""))   (UTF-8)
// — note the key/message order is the reverse of DingTalk's: the doc's samples (Java SignDemo, Go, Python)
// init the MAC with the string to sign and hash an empty message. A bad signature is answered
// {"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}. Limits:
// 100 requests per minute and 5 per second per bot, request body ≤ 20 KB; 11232 is the rate-limit error.
// The message is an interactive card (msg_type "interactive") with one lark_md block.
import { createHmac } from "node:crypto";
import type { FeishuConfig } from "../../config/notifications.js";
import { type Channel, isRecovery, type Notification, type RenderContext, redactor } from "./channel.js";
import { larkMarkdown, messageTitle, renderBody, truncateBytes, worstSeverity } from "./format.js";
import { checkReply, postJson } from "./http.js";

/** lark_md content limit we keep to (the whole request must stay under 20 KB). */
export const FEISHU_MAX_BYTES = 16_000;
/** code worth a retry: 11232 rate limited. */
const TRANSIENT = [11232];

/** base64(HmacSHA256(key = `${timestamp}\n${secret}`, message = empty)). */
export function feishuSign(secret: string, timestamp: string): string {
  return createHmac("sha256", Buffer.from(`${timestamp}\n${secret}`, "utf8"))
    .update(Buffer.alloc(0))
    .digest("base64");
}

/** Header colour: green when everything in it is a recovery, red for P1/P2, orange otherwise. */
function template(batch: readonly Notification[]): string {
  if (batch.every((n) => isRecovery(n.kind))) return "green";
  const w = worstSeverity(batch);
  return w === "P1" || w === "P2" ? "red" : "orange";
}

export function feishuCard(batch: readonly Notification[], ctx: RenderContext) {
  return {
    config: { wide_screen_mode: true },
    header: {
      template: template(batch),
      title: { tag: "plain_text", content: truncateBytes(messageTitle(batch, ctx), 300) },
    },
    elements: [
      {
        tag: "div",
        text: { tag: "lark_md", content: renderBody(batch, ctx, larkMarkdown, FEISHU_MAX_BYTES) },
      },
    ],
  };
}

export class FeishuChannel implements Channel {
  readonly kind = "feishu" as const;
  readonly id: string;
  /**
   * Feishu allows 100/min and 5/s; opswatch keeps every robot at 20/min by default (the 企业微信 and 钉钉
   * limit), which also keeps a duty group readable. `rate_limit:` raises it.
   */
  readonly defaultRateLimit = { messages: 20, per: 60_000 };
  readonly redact: (text: string) => string;

  constructor(
    private readonly cfg: FeishuConfig,
    private readonly ctx: RenderContext,
    private readonly now: () => number = Date.now,
  ) {
    this.id = cfg.id;
    this.redact = redactor([cfg.hook, cfg.secret]);
  }

  payload(batch: readonly Notification[]): Record<string, unknown> {
    const signed: Record<string, string> = {};
    if (this.cfg.secret) {
      const ts = String(Math.floor(this.now() / 1000));
      signed.timestamp = ts;
      signed.sign = feishuSign(this.cfg.secret, ts);
    }
    return { ...signed, msg_type: "interactive", card: feishuCard(batch, this.ctx) };
  }

  async send(batch: readonly Notification[], signal: AbortSignal): Promise<void> {
    const url = `${this.cfg.base_url}/open-apis/bot/v2/hook/${encodeURIComponent(this.cfg.hook)}`;
    const reply = await postJson(url, JSON.stringify(this.payload(batch)), { signal, redact: this.redact });
    checkReply(reply, "feishu", TRANSIENT, this.redact);
  }
}
