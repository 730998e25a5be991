// Child process (forked): the web site both probers fetch in the HTTP benchmark. /page/N (N < pages) is
// a distinct UTF-8 HTML page of exactly PAGE_BYTES holding the keyword; everything else is 404. It
// counts TCP connections and requests, so the parent can check that every probe opened its own connection.
import http from "node:http";
import type { AddressInfo } from "node:net";

export const PAGE_BYTES = 10_240;

export interface SiteInput {
  host: string;
  pages: number;
  keyword: string;
}
export interface SiteCounts {
  connections: number;
  requests: number;
  notFound: number;
}
export type ToSite = { type: "start"; input: SiteInput } | { type: "count" } | { type: "stop" };
export type FromSite =
  | { type: "ready"; port: number }
  | { type: "counts"; counts: SiteCounts }
  | { type: "stopped" };

/** Page N: a portal-like page (title, keyword, news list) padded to PAGE_BYTES. */
export function page(n: number, keyword: string): Buffer {
  const head = `<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>${keyword} · 第 ${n} 页</title></head>\n<body><h1>${keyword}</h1>\n<ul>\n`;
  const tail = "</ul>\n</body></html>\n";
  const item = (i: number) => `<li><a href="/news/${n}/${i}">政务公开 · 通知公告 ${n}-${i}</a></li>\n`;
  let body = head;
  for (let i = 0; Buffer.byteLength(body + item(i) + tail) <= PAGE_BYTES; i++) body += item(i);
  const pad = PAGE_BYTES - Buffer.byteLength(body + tail);
  return Buffer.from(`${body}${" ".repeat(pad)}${tail}`);
}

const send = (m: FromSite) => process.send?.(m);
const counts: SiteCounts = { connections: 0, requests: 0, notFound: 0 };
let server: http.Server | undefined;

function start({ host, pages, keyword }: SiteInput) {
  const bodies = Array.from({ length: pages }, (_, n) => page(n, keyword));
  const site = http.createServer((req, res) => {
    counts.requests++;
    const n = /^\/page\/(\d+)$/.exec(req.url ?? "")?.[1];
    const body = n === undefined ? undefined : bodies[Number(n)];
    if (body === undefined) {
      counts.notFound++;
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": body.length })
      .end(body);
  });
  site.on("connection", () => counts.connections++);
  site.listen(0, host, () => send({ type: "ready", port: (site.address() as AddressInfo).port }));
  server = site;
}

process.on("message", (m: ToSite) => {
  if (m.type === "start") start(m.input);
  else if (m.type === "count") send({ type: "counts", counts: { ...counts } });
  else {
    server?.closeAllConnections();
    server?.close(() => {
      send({ type: "stopped" });
      process.disconnect();
    });
  }
});
