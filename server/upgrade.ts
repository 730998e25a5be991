import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

type Handler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const routes = new WeakMap<Server, Map<string, Handler>>();

/**
 * Routes WebSocket upgrades by path, so several endpoints (agent ingest, the browsers' live feed) share
 * one port; an upgrade for any other path is refused with 404 instead of hanging.
 */
export function onUpgrade(http: Server, path: string, handler: Handler): void {
  let table = routes.get(http);
  if (!table) {
    const t = new Map<string, Handler>();
    table = t;
    routes.set(http, t);
    http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const h = t.get((req.url ?? "").split("?")[0] as string);
      if (h) return h(req, socket, head);
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
  }
  table.set(path, handler);
}
