// A tiny district portal for the demo and tests: a home page with the keyword and an old URL that redirects.
import http from "node:http";
import type { AddressInfo } from "node:net";

const homePage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>区政府门户网站</title></head>
<body><h1>区政府门户网站</h1><p>政务公开 · 政务服务 · 互动交流</p></body></html>
`;

export interface HttpSite {
  /** Home page URL, e.g. "http://127.0.0.1:41234/". */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `/` (200, HTML) and `/old` (302 → `/`) on 127.0.0.1; port 0 picks a free port.
 * `POST /sim/outage?seconds=N` makes `/` answer 503 for N seconds, to watch an outage in the demo.
 */
export async function startHttpSite({ port = 0 }: { port?: number } = {}): Promise<HttpSite> {
  let downUntil = 0;
  const server = http.createServer((req, res) => {
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
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Probers keep connections alive: drop them or close() waits for their idle timeout.
        server.closeAllConnections();
      }),
  };
}
