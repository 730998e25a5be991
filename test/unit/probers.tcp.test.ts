import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpProber } from "../../agent/probers/tcp.js";
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
const check = (port: number) =>
  Check.parse({ id: "ssh", kind: "tcp", address: `127.0.0.1:${port}`, timeout: "2s" }) as TcpCheck;

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
});
