// Opens the connection of one HTTP hop, timing each phase: name lookup, TCP connect (to the proxy when
// there is one, then a CONNECT tunnel for https), TLS handshake. Always a new connection: a probe
// measures connect and TLS every time, as blackbox_exporter does.
import dns from "node:dns";
import net from "node:net";
import tls, { type SecureContext, type TLSSocket } from "node:tls";
import { describeNetError } from "../probers/tcp.js";
import type { Run } from "./run.js";
import { describeHandshakeError, describeVerifyError, readTls } from "./tls-info.js";

export interface Endpoint {
  host: string;
  port: number;
}

export interface ProxyEndpoint extends Endpoint {
  /** "Basic …" from the proxy URL's user:pass, sent as Proxy-Authorization. */
  authorization?: string;
}

export interface ConnectOptions {
  origin: Endpoint;
  https: boolean;
  proxy?: ProxyEndpoint;
  ip?: 4 | 6;
  tls: { verify: boolean; ca?: string; servername?: string };
}

/** http://user:pass@host:port → the proxy endpoint, credentials as a Basic Proxy-Authorization value. */
export function parseProxy(proxy: string): ProxyEndpoint {
  const u = new URL(proxy);
  const p: ProxyEndpoint = { host: unbracket(u.hostname), port: Number(u.port) || 80 };
  if (u.username !== "" || u.password !== "") {
    const creds = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    p.authorization = `Basic ${Buffer.from(creds).toString("base64")}`;
  }
  return p;
}

export const unbracket = (host: string) => (host.startsWith("[") ? host.slice(1, -1) : host);

/** Resolves to the connected socket (a TLSSocket for https), or rejects with an HttpFailure. */
export async function openConnection(o: ConnectOptions, run: Run): Promise<net.Socket> {
  const viaProxy = o.proxy !== undefined;
  const first = o.proxy ?? o.origin;
  const where = viaProxy ? `proxy ${first.host}:${first.port}` : `${first.host}:${first.port}`;
  run.enter("dns");
  const address = await lookup(first.host, viaProxy ? undefined : o.ip).catch((e: NodeJS.ErrnoException) => {
    throw run.fail(viaProxy ? "proxy" : "dns", `${where}: ${describeLookupError(e)}`);
  });
  run.checkAborted();
  run.enter("connect");
  let socket = await tcpConnect(address, first.port, run).catch((e) => {
    throw run.fail(viaProxy ? "proxy" : "connect", `${where}: ${describeNetError(e)}`);
  });
  run.checkAborted();
  if (o.proxy && o.https) {
    await tunnel(socket, o.origin, o.proxy.authorization).catch((e: Error) => {
      throw run.fail("proxy", `${where}: ${e.message}`);
    });
    run.checkAborted();
  }
  if (o.https) {
    run.enter("tls");
    socket = await handshake(socket, o, run);
    run.checkAborted();
  }
  run.enter("processing");
  return socket;
}

function lookup(host: string, ip: 4 | 6 | undefined): Promise<string> {
  const family = net.isIP(host);
  if (family !== 0) {
    if (ip !== undefined && family !== ip)
      return Promise.reject(
        Object.assign(new Error(`${host} is not an IPv${ip} address`), { code: "EFAMILY" }),
      );
    return Promise.resolve(host);
  }
  return new Promise((resolve, reject) =>
    dns.lookup(host, { family: ip ?? 0 }, (err, address) => (err ? reject(err) : resolve(address))),
  );
}

function describeLookupError(e: NodeJS.ErrnoException): string {
  if (e.code === "EFAMILY") return e.message;
  if (e.code === "ENOTFOUND" || e.code === "ENODATA") return `host name not found (${e.code})`;
  return describeNetError(e);
}

function tcpConnect(host: string, port: number, run: Run): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = run.track(net.connect({ host, port, noDelay: true }));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

const maxTunnelReply = 16 * 1024;

/** CONNECT host:port through an HTTP proxy; resolves when the proxy answers 2xx. */
function tunnel(socket: net.Socket, origin: Endpoint, authorization: string | undefined): Promise<void> {
  const target = `${origin.host.includes(":") ? `[${origin.host}]` : origin.host}:${origin.port}`;
  return new Promise((resolve, reject) => {
    let reply = Buffer.alloc(0);
    const done = (err?: Error) => {
      socket.off("data", onData).off("error", onError).off("close", onClose);
      if (err) reject(err);
      else resolve();
    };
    const onError = (e: Error) => done(new Error(describeNetError(e)));
    const onClose = () => done(new Error("closed the connection before answering CONNECT"));
    const onData = (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const end = reply.indexOf("\r\n\r\n");
      if (end < 0) {
        if (reply.length > maxTunnelReply) done(new Error("CONNECT reply too long"));
        return;
      }
      socket.pause();
      if (end + 4 < reply.length) socket.unshift(reply.subarray(end + 4));
      const statusLine = reply.subarray(0, reply.indexOf("\r\n")).toString("latin1");
      const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1]);
      if (status >= 200 && status < 300) done();
      else if (status === 407) done(new Error(`proxy authentication failed (${statusLine.slice(9)})`));
      else done(new Error(`CONNECT ${target} refused: ${statusLine.slice(9) || "not an HTTP reply"}`));
    };
    socket.on("data", onData).on("error", onError).on("close", onClose);
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${
        authorization ? `Proxy-Authorization: ${authorization}\r\n` : ""
      }\r\n`,
    );
  });
}

// One secure context per CA: building one parses the PEM (and the system store) — too costly per probe.
const contexts = new Map<string, SecureContext>();
function secureContext(ca: string | undefined): SecureContext {
  const key = ca ?? "";
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    ctx = tls.createSecureContext(ca === undefined ? {} : { ca });
    contexts.set(key, ctx);
  }
  return ctx;
}

/**
 * TLS over `socket`. The chain and the host name are judged separately (TlsInfo), so Node's own
 * hostname check is off; with verify on, either failing fails the hop (reason "tls").
 */
function handshake(socket: net.Socket, o: ConnectOptions, run: Run): Promise<TLSSocket> {
  const host = o.origin.host;
  const name = o.tls.servername ?? host;
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket,
      servername: net.isIP(name) === 0 ? name : undefined,
      secureContext: secureContext(o.tls.ca),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    run.wrapped(socket, secure);
    secure.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        run.fail("tls", `TLS handshake with ${host}:${o.origin.port} failed: ${describeHandshakeError(e)}`),
      ),
    );
    secure.once("secureConnect", () => {
      const { info, names } = readTls(secure, name);
      run.tls = info;
      if (o.tls.verify && !info.authorized)
        reject(
          run.fail(
            "tls",
            `TLS certificate not trusted: ${describeVerifyError(info.authorizationError ?? "")}`,
          ),
        );
      else if (o.tls.verify && !info.hostnameOk)
        reject(run.fail("tls", `TLS certificate does not match ${name} (it is for ${names})`));
      else resolve(secure);
    });
  });
}
