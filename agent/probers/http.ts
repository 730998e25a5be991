// HTTP(S) check as the website_uptime indicator defines it: final status after at most N redirects,
// whole body received, keyword present.
import type { HttpCheck } from "../../config/schema.js";
import type { Values } from "../../protocol/messages.js";
import { describeNetError } from "./tcp.js";
import type { ProbeOutcome, Prober } from "./types.js";

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export class HttpProber implements Prober<HttpCheck> {
  readonly kind = "http";

  async probe(check: HttpCheck, signal: AbortSignal): Promise<ProbeOutcome> {
    let url = check.url;
    let method: string = check.method;
    let redirects = 0;
    const values: Values = {};
    try {
      for (;;) {
        // Redirects are followed by hand to count them and enforce max_redirects exactly.
        const res = await fetch(url, { method, headers: check.headers, redirect: "manual", signal });
        values["http.status"] = res.status;
        values["http.redirects"] = redirects;
        const location = redirectStatuses.has(res.status) ? res.headers.get("location") : null;
        if (location !== null && redirects < check.max_redirects) {
          await res.body?.cancel();
          redirects++;
          url = new URL(location, url).href;
          // Browsers turn these into a GET; servers rely on it (fetch spec, "HTTP-redirect fetch").
          const s = res.status;
          if ((s === 303 && method !== "HEAD") || (method === "POST" && (s === 301 || s === 302))) {
            method = "GET";
          }
          continue;
        }
        const body = new Uint8Array(await res.arrayBuffer());
        values["http.content_length"] = body.byteLength;
        return { ...judge(check, res, body, location !== null), values };
      }
    } catch (err) {
      const error = signal.aborted ? `timeout after ${check.timeout} ms` : describeNetError(causeOf(err));
      return { ok: false, error, values };
    }
  }
}

function judge(
  check: HttpCheck,
  res: Response,
  body: Uint8Array,
  unfollowedRedirect: boolean,
): { ok: boolean; error?: string } {
  if (check.expect_status) {
    if (!check.expect_status.includes(res.status)) return { ok: false, error: `HTTP ${res.status}` };
  } else if (unfollowedRedirect) {
    return { ok: false, error: `too many redirects (>${check.max_redirects})` };
  } else if (res.status < 200 || res.status >= 400) {
    return { ok: false, error: `HTTP ${res.status}` };
  }
  if (check.keyword !== undefined && !decode(body, res.headers.get("content-type")).includes(check.keyword)) {
    return { ok: false, error: `keyword ${JSON.stringify(check.keyword)} not found` };
  }
  return { ok: true };
}

/** fetch() rejects with a bare "fetch failed"; the socket error with its code is the cause. */
function causeOf(err: unknown): unknown {
  return err instanceof TypeError && err.cause !== undefined ? err.cause : err;
}

/**
 * Many Chinese government sites still serve GBK/GB2312: decode with the charset from the header or
 * a <meta> tag, or a Chinese keyword would never match.
 */
function decode(body: Uint8Array, contentType: string | null): string {
  const head = Buffer.from(body.subarray(0, 1024)).toString("latin1");
  const charset =
    /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1] ??
    /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1];
  try {
    return new TextDecoder(charset ?? "utf-8").decode(body);
  } catch {
    return new TextDecoder().decode(body); // unknown label
  }
}
