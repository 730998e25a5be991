// One JSON POST for the HTTP channels, with their failures sorted into transient (retried) and permanent.
import { SendError } from "./channel.js";

export interface HttpReply {
  status: number;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: unknown;
  text: string;
}

/** Seconds or an HTTP date → milliseconds to wait. */
function retryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * POSTs `body` (already serialised: a signature may cover the exact bytes). Network errors, timeouts,
 * 408, 425, 429 and 5xx throw a transient SendError; other non-2xx a permanent one. Messages go through
 * `redact`, as they may be logged.
 */
export async function postJson(
  url: string,
  body: string,
  opts: { headers?: Record<string, string>; signal: AbortSignal; redact: (s: string) => string },
): Promise<HttpReply> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", ...opts.headers },
      body,
      signal: opts.signal,
      redirect: "error",
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const timedOut =
      err.name === "TimeoutError" || (opts.signal.reason as Error | undefined)?.name === "TimeoutError";
    const why = timedOut ? "timed out" : (err.cause?.code ?? err.cause?.message ?? err.message);
    // DNS, refused, reset, timeout: worth a retry (the dispatcher does not retry once it is stopping).
    throw new SendError(opts.redact(`request failed: ${why}`), true);
  }
  const text = await res.text().catch(() => "");
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status < 200 || res.status > 299) {
    const transient = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
    throw new SendError(
      opts.redact(`HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`),
      transient,
      retryAfter(res.headers.get("retry-after")),
    );
  }
  return { status: res.status, json, text };
}

/**
 * The robots answer HTTP 200 with an error code in the body: 企业微信 and 钉钉 `errcode`, 飞书 `code`
 * (or the older `StatusCode`). 0 is success; `transient` lists the codes worth a retry (rate limits).
 */
export function checkReply(
  reply: HttpReply,
  service: string,
  transient: readonly number[],
  redact: (s: string) => string,
): void {
  const b = (reply.json ?? {}) as Record<string, unknown>;
  const code = b.errcode ?? b.code ?? b.StatusCode;
  if (code === undefined)
    throw new SendError(redact(`${service}: unexpected reply ${reply.text.slice(0, 200)}`), true);
  if (code === 0) return;
  const msg = b.errmsg ?? b.msg ?? b.StatusMessage ?? "";
  throw new SendError(
    redact(`${service} error ${String(code)}: ${String(msg)}`),
    transient.includes(Number(code)),
  );
}
