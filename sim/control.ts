// Runtime control of the simulators: an HTTP endpoint on loopback (GET/POST /state, or /<device>/state
// when several run, as in the demo) and command lines on stdin, both in the vocabulary of command.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Logger } from "../lib/log.js";
import { CommandError, type CommandInput, parseQuery, parseWords } from "./command.js";
import type { Controllable } from "./device.js";

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) reject(new CommandError(`body larger than ${MAX_BODY} bytes`));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/**
 * Serves `GET /<name>/state` (the device's state) and `POST /<name>/state` (a command as a JSON object
 * body and/or query parameters, e.g. `?mains=fail`) for each device; with one device also `/state`.
 */
export async function startControlServer(
  devices: Record<string, Controllable>,
  { host = "127.0.0.1", port = 0 }: { host?: string; port?: number },
  log: Logger,
): Promise<ControlServer> {
  const names = Object.keys(devices);
  const only = names.length === 1 ? devices[names[0] as string] : undefined;
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body, null, 2)}\n`);
    const url = new URL(req.url ?? "/", "http://control");
    const match = /^\/(?:([\w-]+)\/)?state$/.exec(url.pathname);
    const device = match && (match[1] ? devices[match[1]] : only);
    if (!device) {
      const paths = names.flatMap((n) => [`/${n}/state`, ...(only ? ["/state"] : [])]);
      return send(404, { error: `not found; try GET or POST ${paths.join(", ")}` });
    }
    try {
      if (req.method === "GET") return send(200, device.status());
      if (req.method !== "POST") return send(405, { error: "GET or POST" });
      const body = await readBody(req);
      const input: CommandInput = { ...(body.trim() ? parseWords(body) : {}) };
      Object.assign(input, parseQuery(url.search));
      return send(200, device.command(input));
    } catch (e) {
      if (e instanceof CommandError) return send(400, { error: e.message });
      log.error({ err: e }, "simulator command failed");
      return send(500, { error: String(e) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host}:${bound}`;
  log.info({ url, devices: names }, "simulator control endpoint listening");
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Applies each line of `input` (e.g. a terminal) as a command; answers on `output`. */
export function readCommands(
  input: Readable,
  device: Controllable,
  output: NodeJS.WritableStream,
): () => void {
  const lines = createInterface({ input, terminal: false });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    try {
      const status = line.trim() === "state" ? device.status() : device.command(parseWords(line));
      output.write(`${JSON.stringify(status)}\n`);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      output.write(`error: ${e.message}\n`);
    }
  });
  return () => lines.close();
}
