// E-mail over SMTP with nodemailer: one message per batch, the subject is the batch's title and the
// body the plain bilingual text. Host, port, TLS and AUTH come from the config; the password is a Secret.
import { createTransport, type Transporter } from "nodemailer";
import type Mail from "nodemailer/lib/mailer/index.js";
import type { EmailConfig } from "../../config/notifications.js";
import { type Channel, type Notification, type RenderContext, redactor, SendError } from "./channel.js";
import { messageTitle, plain, renderBody } from "./format.js";

export function emailMessage(
  batch: readonly Notification[],
  ctx: RenderContext,
  cfg: EmailConfig,
): Mail.Options {
  return {
    from: cfg.from,
    to: cfg.to,
    subject: messageTitle(batch, ctx),
    text: renderBody(batch, ctx, plain),
    headers: { "X-Opswatch-Faults": [...new Set(batch.map((n) => n.fault))].join(",") },
  };
}

/** SMTP reply 4xx and connection-level failures are transient; 5xx and authentication are not. */
function classify(e: Error & { code?: string; responseCode?: number }): boolean {
  if (typeof e.responseCode === "number") return e.responseCode >= 400 && e.responseCode < 500;
  return e.code !== "EAUTH" && e.code !== "EENVELOPE" && e.code !== "EMESSAGE";
}

export class EmailChannel implements Channel {
  readonly kind = "email" as const;
  readonly id: string;
  readonly redact: (text: string) => string;
  private readonly transport: Transporter;

  constructor(
    private readonly cfg: EmailConfig,
    private readonly ctx: RenderContext,
    timeoutMs = 10_000,
  ) {
    this.id = cfg.id;
    this.redact = redactor([cfg.password]);
    this.transport = createTransport({
      host: cfg.host,
      port: cfg.port ?? (cfg.secure ? 465 : 587),
      secure: cfg.secure,
      requireTLS: cfg.require_tls,
      tls: { rejectUnauthorized: cfg.tls_verify },
      ...(cfg.user ? { auth: { user: cfg.user, pass: cfg.password ?? "" } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      logger: false,
      debug: false,
    });
  }

  async send(batch: readonly Notification[], signal: AbortSignal): Promise<void> {
    // nodemailer ≥ 10.5 takes an AbortSignal per message (not yet in @types/nodemailer).
    const mail = { ...emailMessage(batch, this.ctx, this.cfg), signal } as Mail.Options;
    try {
      await this.transport.sendMail(mail);
    } catch (e) {
      const err = e as Error & { code?: string; responseCode?: number };
      throw new SendError(this.redact(`smtp: ${err.message}`), classify(err));
    }
  }
}
