import { type Logger, pino } from "pino";

export type { Logger };

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const secretKeys = [
  "token",
  "community",
  "password",
  "authorization",
  "auth_key",
  "priv_key",
  // notification channels (config/notifications.ts)
  "secret",
  "hmac_secret",
  "access_token",
  "bearer",
];

export function createLogger(level = "info", name = "opswatch"): Logger {
  return pino({
    name,
    level,
    redact: { paths: secretKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: "[secret]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
