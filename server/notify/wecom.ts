// 企业微信群机器人 (WeCom group robot). Official doc: https://developer.work.weixin.qq.com/document/path/91770
// (群机器人配置说明): POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY with a JSON body;
// {"msgtype":"markdown","markdown":{"content":"…"}}, content UTF-8 and at most 4096 bytes; a reply of
// {"errcode":0,"errmsg":"ok"} is success; "每个机器人发送的消息不能超过20条/分钟" (20 messages per minute
// per robot). The key is the robot's only credential: it is never logged.
import type { WeComConfig } from "../../config/notifications.js";
import { type Channel, type Notification, type RenderContext, redactor } from "./channel.js";
import { renderBody, wecomMarkdown } from "./format.js";
import { checkReply, postJson } from "./http.js";

/** markdown.content limit (bytes, UTF-8). */
export const WECOM_MAX_BYTES = 4096;
/** errcode worth a retry: -1 system busy, 45009 API frequency out of limit. */
const TRANSIENT = [-1, 45009];

export function wecomPayload(batch: readonly Notification[], ctx: RenderContext) {
  return {
    msgtype: "markdown",
    markdown: { content: renderBody(batch, ctx, wecomMarkdown, WECOM_MAX_BYTES) },
  };
}

export class WeComChannel implements Channel {
  readonly kind = "wecom" as const;
  readonly id: string;
  readonly defaultRateLimit = { messages: 20, per: 60_000 };
  readonly redact: (text: string) => string;

  constructor(
    private readonly cfg: WeComConfig,
    private readonly ctx: RenderContext,
  ) {
    this.id = cfg.id;
    this.redact = redactor([cfg.key]);
  }

  async send(batch: readonly Notification[], signal: AbortSignal): Promise<void> {
    const url = `${this.cfg.base_url}/cgi-bin/webhook/send?key=${encodeURIComponent(this.cfg.key)}`;
    const reply = await postJson(url, JSON.stringify(wecomPayload(batch, this.ctx)), {
      signal,
      redact: this.redact,
    });
    checkReply(reply, "wecom", TRANSIENT, this.redact);
  }
}
