// The HTTP(S) request primitive of http checks and operation steps: one request chain with redirects
// followed by hand, each hop on a new connection, with blackbox_exporter's phase timings.
// Built on node:http over sockets opened by connect.ts (not fetch: phase timings need socket events).
import http from "node:http";
import type net from "node:net";
import type { CookieJar } from "tough-cookie";
import { type ConnectOptions, openConnection, parseProxy, unbracket } from "./connect.js";
import type { HttpPhases } from "./failure.js";
import { type Run, withRun } from "./run.js";
import type { TlsInfo } from "./tls-info.js";

export { HttpFailure, type HttpFailureReason, type HttpPhases } from "./failure.js";
export type { TlsInfo } from "./tls-info.js";

export interface HttpRequestOptions {
  /** http: or https: */
  url: string;
  /** GET HEAD POST PUT PATCH DELETE OPTIONS */
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Forward proxy for http:, CONNECT tunnel for https:; may carry user:pass@ (Proxy-Authorization: Basic). */
  proxy?: string;
  /** 4 or 6: resolve and connect with that family only; undefined: the OS default (dns.lookup order). */
  ip?: 4 | 6;
  tls: { verify: boolean; ca?: string /* PEM */; servername?: string };
  /** Redirects followed by hand; 0: not followed (the 3xx is the response). A loop fails at once. */
  maxRedirects: number;
  /** Read at most this much; the rest is drained and discarded. */
  maxBodyBytes: number;
  /** Cookies across steps and redirects; none when absent. */
  cookieJar?: CookieJar;
}

export interface HttpResponse {
  status: number;
  httpVersion: string;
  /** Lower-case names, repeated headers joined by ", ". */
  headers: Record<string, string>;
  /** At most maxBodyBytes. */
  body: Buffer;
  /** Bytes received, including any beyond maxBodyBytes. */
  bodyBytes: number;
  /** The final URL. */
  url: string;
  redirects: number;
  phases: HttpPhases;
  /** Of the last https hop. */
  tls?: TlsInfo;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const defaultHeaders = { "user-agent": "opswatch", accept: "*/*" };

/**
 * One request chain (redirects followed), each hop on a new connection (no keep-alive). Rejects only
 * with HttpFailure. Aborts promptly on `signal` (reason "timeout" if signal.reason is a TimeoutError).
 */
export function httpRequest(opts: HttpRequestOptions, signal: AbortSignal): Promise<HttpResponse> {
  return withRun(signal, (run) => chain(opts, run));
}

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

async function chain(opts: HttpRequestOptions, run: Run): Promise<HttpResponse> {
  const proxy = opts.proxy === undefined ? undefined : parseProxy(opts.proxy);
  const first = new URL(opts.url);
  let hop: Hop = { url: first, method: opts.method, headers: requestHeaders(opts.headers), body: opts.body };
  const seen = new Set<string>();
  for (let redirects = 0; ; redirects++) {
    seen.add(`${hop.method} ${hop.url.href}`);
    const res = await send(hop, opts, proxy, run);
    const location = redirectStatuses.has(res.status) ? res.headers.location : undefined;
    if (location === undefined || opts.maxRedirects === 0)
      return { ...res, url: hop.url.href, redirects, phases: { ...run.phases }, tls: run.tls };
    if (redirects >= opts.maxRedirects)
      throw run.fail("too_many_redirects", `too many redirects (more than ${opts.maxRedirects})`);
    let next: URL;
    try {
      next = new URL(location, hop.url);
    } catch {
      throw run.fail("protocol", `invalid redirect location ${JSON.stringify(location)}`);
    }
    hop = redirected(hop, res.status, next, first);
    if (seen.has(`${hop.method} ${hop.url.href}`))
      throw run.fail(
        "redirect_loop",
        `redirect loop: ${hop.url.href} again after ${redirects + 1} redirect(s)`,
      );
  }
}

/** User headers over the defaults, names lower-cased so they replace rather than duplicate. */
function requestHeaders(user: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { ...defaultHeaders };
  for (const [k, v] of Object.entries(user)) headers[k.toLowerCase()] = v;
  return headers;
}

/** The next hop: browsers' method rewriting (fetch spec, "HTTP-redirect fetch"); credentials stay on their origin. */
function redirected(hop: Hop, status: number, url: URL, first: URL): Hop {
  const toGet =
    (status === 303 && hop.method !== "HEAD") ||
    (hop.method === "POST" && (status === 301 || status === 302));
  const headers = { ...hop.headers };
  if (toGet) {
    delete headers["content-type"];
    delete headers["content-length"];
  }
  if (url.origin !== first.origin) {
    delete headers.authorization;
    delete headers.cookie;
  }
  return { url, method: toGet ? "GET" : hop.method, headers, body: toGet ? undefined : hop.body };
}

type Exchange = Pick<HttpResponse, "status" | "httpVersion" | "headers" | "body" | "bodyBytes">;

async function send(
  hop: Hop,
  opts: HttpRequestOptions,
  proxy: ReturnType<typeof parseProxy> | undefined,
  run: Run,
) {
  const https = hop.url.protocol === "https:";
  const origin = { host: unbracket(hop.url.hostname), port: Number(hop.url.port) || (https ? 443 : 80) };
  const connect: ConnectOptions = { origin, https, ip: opts.ip, tls: opts.tls, proxy };
  const socket = await openConnection(connect, run);
  const headers: Record<string, string> = { ...hop.headers, host: hop.url.host };
  const jarCookies = opts.cookieJar?.getCookieStringSync(hop.url.href);
  if (jarCookies) headers.cookie = headers.cookie ? `${headers.cookie}; ${jarCookies}` : jarCookies;
  if (hop.body !== undefined) headers["content-length"] = String(Buffer.byteLength(hop.body));
  // A plain-http forward proxy takes the absolute URI; a CONNECT tunnel carries the origin-form.
  const forward = proxy !== undefined && !https;
  if (forward && proxy.authorization) headers["proxy-authorization"] = proxy.authorization;
  const path = forward ? hop.url.href.replace(/#.*$/, "") : `${hop.url.pathname}${hop.url.search}`;
  const res = await exchange(
    socket,
    { method: hop.method, path, headers, body: hop.body },
    opts.maxBodyBytes,
    run,
  );
  socket.destroy();
  if (forward && res.status === 407) throw run.fail("proxy", "proxy authentication failed (407)");
  if (opts.cookieJar) {
    for (const c of res.setCookie) opts.cookieJar.setCookieSync(c, hop.url.href, { ignoreError: true });
  }
  return res;
}

interface Outgoing {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** One request/response on an open connection; the body is read to its end, keeping maxBodyBytes. */
function exchange(
  socket: net.Socket,
  r: Outgoing,
  maxBodyBytes: number,
  run: Run,
): Promise<Exchange & { setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const protocolError = (what: string) => (e: NodeJS.ErrnoException) => {
      reject(
        run.fail(
          "protocol",
          `${what}: ${e.code === "ECONNRESET" ? "connection reset" : e.message}${e.code ? ` (${e.code})` : ""}`,
        ),
      );
    };
    const req = http.request({
      method: r.method,
      path: r.path,
      headers: r.headers,
      setHost: false,
      createConnection: () => socket,
    });
    req.on("error", protocolError("no response"));
    req.on("response", (res) => {
      run.enter("transfer");
      const chunks: Buffer[] = [];
      let kept = 0;
      let received = 0;
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (kept >= maxBodyBytes) return; // drained and discarded
        const part = kept + chunk.length > maxBodyBytes ? chunk.subarray(0, maxBodyBytes - kept) : chunk;
        chunks.push(part);
        kept += part.length;
      });
      res.on("error", protocolError("body incomplete"));
      res.on("close", () => {
        if (!res.complete)
          return protocolError("body incomplete")(new Error("connection closed by the server"));
        run.enter("processing"); // the next hop's connection time is booked by openConnection
        resolve({
          status: res.statusCode ?? 0,
          httpVersion: res.httpVersion,
          headers: joinHeaders(res.headers),
          setCookie: res.headers["set-cookie"] ?? [],
          body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
          bodyBytes: received,
        });
      });
    });
    req.end(r.body);
  });
}

function joinHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}
