// config → Channel: one module per service, all behind the Channel interface.
import type { ChannelConfig } from "../../config/notifications.js";
import type { Channel, RenderContext } from "./channel.js";
import { DingTalkChannel } from "./dingtalk.js";
import { EmailChannel } from "./email.js";
import { FeishuChannel } from "./feishu.js";
import { WebhookChannel } from "./webhook.js";
import { WeComChannel } from "./wecom.js";

export function createChannel(cfg: ChannelConfig, ctx: RenderContext, timeoutMs: number): Channel {
  switch (cfg.kind) {
    case "webhook":
      return new WebhookChannel(cfg, ctx);
    case "wecom":
      return new WeComChannel(cfg, ctx);
    case "dingtalk":
      return new DingTalkChannel(cfg, ctx);
    case "feishu":
      return new FeishuChannel(cfg, ctx);
    case "email":
      return new EmailChannel(cfg, ctx, timeoutMs);
  }
}
