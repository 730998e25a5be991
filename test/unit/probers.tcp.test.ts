import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstLine, TcpProber } from "../../agent/probers/tcp.js";
import { Check, type TcpCheck } from "../../config/schema.js";
import { freePort } from "../peers/ports.js";

const server = net.createServer((socket) => socket.end());
let openPort = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  openPort = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
});

const prober = new TcpProber();
const check = (port: number, fields: Record<string, unknown> = {}) =>
  Check.parse({ id: "ssh", kind: "tcp", address: `127.0.0.1:${port}`, timeout: "2s", ...fields }) as TcpCheck;

/** A loopback server that runs `onConnection` for each client; all closed when the file's tests end. */
async function serve(onConnection: (socket: net.Socket) => void): Promise<number> {
  const s = net.createServer(onConnection);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  servers.push(s);
  return (s.address() as net.AddressInfo).port;
}
const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** An SMTP-like server: greets each client and keeps what clients send in `heard`. */
let heard = "";
const smtp = (socket: net.Socket) => {
  socket.write("220 mail.test.internal ESMTP ready\r\n");
  socket.on("data", (d) => (heard += d));
};

describe("TcpProber", () => {
  it("succeeds on an open port and reports the connect time", async () => {
    const out = await prober.probe(check(openPort), AbortSignal.timeout(2000));
    expect(out.ok).toBe(true);
    expect(out.values["tcp.connect_ms"]).toBeGreaterThanOrEqual(0);
  });

  it("fails on a closed port", async () => {
    const out = await prober.probe(check(await freePort("tcp")), AbortSignal.timeout(2000));
    expect(out).toEqual({ ok: false, error: "connection refused (ECONNREFUSED)", values: {} });
  });

  it("gives up as soon as the signal aborts", async () => {
    const out = await prober.probe(check(openPort), AbortSignal.abort());
    expect(out).toEqual({ ok: false, error: "timeout after 2000 ms", values: {} });
  });

  it("matches the server's greeting and reports it as tcp.banner", async () => {
    const port = await serve(smtp);
    const out = await prober.probe(check(port, { expect: "^220 " }), AbortSignal.timeout(2000));
    expect(out).toMatchObject({ ok: true, values: { "tcp.banner": "220 mail.test.internal ESMTP ready" } });
    expect(out.values["tcp.connect_ms"]).toBeGreaterThanOrEqual(0);
  });

  it("says what came back when the greeting does not match", async () => {
    const port = await serve((socket) => socket.end("554 no SMTP service here\r\n"));
    const out = await prober.probe(check(port, { expect: "^220 " }), AbortSignal.timeout(2000));
    expect(out).toMatchObject({
      ok: false,
      error: 'banner does not match /^220 /: got "554 no SMTP service here"',
      values: { "tcp.banner": "554 no SMTP service here" },
    });
  });

  it("writes `send` first, with \\r\\n escapes, and matches the first line of the reply", async () => {
    const port = await serve((socket) =>
      socket.on("data", (d) => socket.end(d.toString() === "PING\r\n" ? "+PONG\r\n" : "-ERR\r\n")),
    );
    // Plain YAML "PING\r\n" reaches the schema as backslash-r backslash-n.
    const out = await prober.probe(
      check(port, { send: "PING\\r\\n", expect: "^\\+PONG$" }),
      AbortSignal.timeout(2000),
    );
    expect(out).toMatchObject({ ok: true, values: { "tcp.banner": "+PONG" } });
  });

  it("with `send` and no `expect`, succeeds once the bytes are written", async () => {
    const port = await serve(smtp);
    const out = await prober.probe(check(port, { send: "QUIT\\r\\n" }), AbortSignal.timeout(2000));
    expect(out.ok).toBe(true);
    expect(Object.keys(out.values)).toEqual(["tcp.connect_ms"]);
    await expect.poll(() => heard).toBe("QUIT\r\n");
  });

  it("waits no longer than the timeout for a server that stays silent", async () => {
    const port = await serve(() => {});
    const started = performance.now();
    const out = await prober.probe(
      check(port, { expect: "^220", timeout: "300ms" }),
      AbortSignal.timeout(300),
    );
    expect(out.error).toBe("timeout after 300 ms waiting for a line matching /^220/ (got nothing)");
    expect(out.values["tcp.connect_ms"]).toBeGreaterThanOrEqual(0);
    expect(performance.now() - started).toBeLessThan(800);
  });

  it("fails when the server closes without a word", async () => {
    const port = await serve((socket) => socket.end());
    const out = await prober.probe(check(port, { expect: "^220" }), AbortSignal.timeout(2000));
    expect(out.error).toBe("connection closed by the server before it sent anything (expected /^220/)");
  });

  it("cuts the banner at the first newline, 200 characters, and shows control characters as dots", () => {
    expect(firstLine(Buffer.from("SSH-2.0-OpenSSH_9.2\r\nmore"))).toBe("SSH-2.0-OpenSSH_9.2");
    expect(firstLine(Buffer.from("a\x00b\tc"))).toBe("a.b\tc");
  });

  it("reads at most 4 KiB looking for the first line", async () => {
    // 5000 bytes without a newline: the line is the first 4096, the value its first 200 characters.
    const port = await serve((socket) => socket.write("x".repeat(5000)));
    const out = await prober.probe(check(port, { expect: "^x{4096}$" }), AbortSignal.timeout(2000));
    expect(out.ok).toBe(true);
    expect(out.values["tcp.banner"]).toBe("x".repeat(200));
  });
});
