// A small HTTP proxy for tests: absolute-URI forwarding for http: and CONNECT tunnels for https:, with
// optional Basic authentication. It logs what it was asked, so a test can tell traffic went through it.
import http from "node:http";
import net from "node:net";

export interface TestProxy {
  /** http://127.0.0.1:PORT (without credentials) */
  url: string;
  port: number;
  /** "GET http://127.0.0.1:8080/" or "CONNECT 127.0.0.1:8443", in arrival order; 407s included. */
  log: string[];
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port; with `auth`, requests without those credentials get 407. */
export async function startProxy(auth?: { username: string; password: string }): Promise<TestProxy> {
  const expected = auth && `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  const allowed = (req: http.IncomingMessage) => !expected || req.headers["proxy-authorization"] === expected;
  const log: string[] = [];
  const tunnels = new Set<net.Socket>(); // detached from the server: closeAllConnections misses them
  const server = http.createServer((req, res) => {
    log.push(`${req.method} ${req.url}${allowed(req) ? "" : " 407"}`);
    if (!allowed(req)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const upstream = http.request(req.url ?? "", { method: req.method, headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    log.push(`CONNECT ${req.url}${allowed(req) ? "" : " 407"}`);
    client.on("error", () => {});
    tunnels.add(client);
    if (!allowed(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const { hostname, port } = new URL(`http://${req.url}`);
    const upstream = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ""), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => {
      tunnels.delete(client);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        for (const t of tunnels) t.destroy();
        server.close(() => resolve());
      }),
  };
}
