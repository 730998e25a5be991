// A tiny district portal for the demo and tests: a home page with the keyword and an old URL that redirects.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { selfSigned } from "./self-signed.js";

const homePage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>区政府门户网站</title></head>
<body><h1>区政府门户网站</h1><p>政务公开 · 政务服务 · 互动交流</p></body></html>
`;

export interface HttpSite {
  /** Home page URL, e.g. "http://127.0.0.1:41234/". */
  url: string;
  /** The same site over HTTPS, when asked for, e.g. "https://127.0.0.1:41235/". */
  httpsUrl?: string;
  close(): Promise<void>;
}

/** The HTTPS certificate's lifetime: a public CA's 90 days, so its expiry shows on the dashboards. */
const CERT_DAYS = 90;

async function listen(server: http.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return (server.address() as AddressInfo).port;
}

const closeServer = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Probers keep connections alive: drop them or close() waits for their idle timeout.
    server.closeAllConnections();
  });

/**
 * Serves `/` (200, HTML) and `/old` (302 → `/`) on 127.0.0.1; port 0 picks a free port. With
 * `httpsPort` the same site is served over HTTPS too, with a self-signed certificate for 127.0.0.1 and
 * localhost made at start.
 * `POST /sim/outage?seconds=N` makes `/` answer 503 for N seconds, to watch an outage in the demo.
 */
export async function startHttpSite({
  port = 0,
  httpsPort,
}: {
  port?: number;
  httpsPort?: number;
} = {}): Promise<HttpSite> {
  let downUntil = 0;
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? "/", "http://site");
    if (req.method === "POST" && url.pathname === "/sim/outage") {
      const seconds = Math.min(Number(url.searchParams.get("seconds") ?? 120) || 0, 86_400);
      downUntil = Date.now() + seconds * 1000;
      res
        .writeHead(200, { "content-type": "text/plain; charset=utf-8" })
        .end(`portal down for ${seconds} s\n`);
    } else if (url.pathname === "/" && Date.now() < downUntil) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end("simulated outage\n");
    } else if (url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(homePage);
    } else if (url.pathname === "/old") {
      res.writeHead(302, { location: "/" }).end();
    } else {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    }
  };
  const plain = http.createServer(handler);
  const servers: http.Server[] = [plain];
  const url = `http://127.0.0.1:${await listen(plain, port)}/`;
  let httpsUrl: string | undefined;
  if (httpsPort !== undefined) {
    const secure = https.createServer(selfSigned(["127.0.0.1", "localhost"], CERT_DAYS), handler);
    servers.push(secure);
    httpsUrl = `https://127.0.0.1:${await listen(secure, httpsPort)}/`;
  }
  return {
    url,
    ...(httpsUrl ? { httpsUrl } : {}),
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}
