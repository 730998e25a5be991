// 钉钉自定义机器人 (DingTalk custom robot). Official docs (open.dingtalk.com, 自定义机器人安全设置 / 自定义机器人
// 发送群消息): POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN with a JSON body
// {"msgtype":"markdown","markdown":{"title":"…","text":"…"}}. With 加签 (signing) the URL also carries
// &timestamp=T&sign=S where T is the current time in milliseconds (within 1 hour of DingTalk's clock) and
//   S = urlEncode(base64(HmacSHA256(key = secret, message = T + "\n" + secret)))   (UTF-8)
// — "把timestamp+"\n"+密钥当做签名字符串,使用HmacSHA256算法计算签名,然后进行Base64 encode,最后再把签名参数
// 再进行urlEncode". Success is {"errcode":0}; "每个机器人每分钟最多发送20条。如果超过20条,会限流10分钟"
// (20 messages per minute, else throttled for 10 minutes), and the doc advises merging alerts into one
// markdown summary — which the dispatcher does.
import { createHmac } from "node:crypto";
import type { DingTalkConfig } from "../../config/notifications.js";
import { type Channel, type Notification, type RenderContext, redactor } from "./channel.js";
import { dingtalkMarkdown, messageTitle, renderBody, truncateBytes } from "./format.js";
import { checkReply, postJson } from "./http.js";

/** Kept well under the service's limit for a markdown message. */
export const DINGTALK_MAX_BYTES = 4096;
/** errcode worth a retry: -1 system busy, 130101 "send too fast". */
const TRANSIENT = [-1, 130101];

/** The `sign` value BEFORE URL encoding: base64(HmacSHA256(secret, `${timestamp}\n${secret}`)). */
export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(Buffer.from(`${timestamp}\n${secret}`, "utf8"))
    .digest("base64");
}

export function dingtalkPayload(batch: readonly Notification[], ctx: RenderContext) {
  return {
    msgtype: "markdown",
    markdown: {
      // the title is what the conversation list shows
      title: truncateBytes(messageTitle(batch, ctx), 256),
      text: renderBody(batch, ctx, dingtalkMarkdown, DINGTALK_MAX_BYTES),
    },
  };
}

export class DingTalkChannel implements Channel {
  readonly kind = "dingtalk" as const;
  readonly id: string;
  readonly defaultRateLimit = { messages: 20, per: 60_000 };
  readonly redact: (text: string) => string;

  constructor(
    private readonly cfg: DingTalkConfig,
    private readonly ctx: RenderContext,
    private readonly now: () => number = Date.now,
  ) {
    this.id = cfg.id;
    this.redact = redactor([cfg.access_token, cfg.secret]);
  }

  /** The request URL: access_token, and with a secret timestamp + sign (URLSearchParams does the urlEncode). */
  url(timestamp = this.now()): string {
    const q = new URLSearchParams({ access_token: this.cfg.access_token });
    if (this.cfg.secret) {
      const ts = String(timestamp);
      q.set("timestamp", ts);
      q.set("sign", dingtalkSign(this.cfg.secret, ts));
    }
    return `${this.cfg.base_url}/robot/send?${q}`;
  }

  async send(batch: readonly Notification[], signal: AbortSignal): Promise<void> {
    const reply = await postJson(this.url(), JSON.stringify(dingtalkPayload(batch, this.ctx)), {
      signal,
      redact: this.redact,
    });
    checkReply(reply, "dingtalk", TRANSIENT, this.redact);
  }
}
