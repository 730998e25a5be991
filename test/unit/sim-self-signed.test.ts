// The demo portal's self-signed certificate (sim/self-signed.ts, DER written by hand): node parses it,
// its signature verifies, and a real TLS client that trusts it accepts the server by IP and by name.
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { selfSigned } from "../../sim/self-signed.js";

const DAY = 86_400_000;

describe("selfSigned", () => {
  it("is a valid self-signed X.509 v3 certificate for the names, valid for the days asked", () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    const { cert, notAfter } = selfSigned(["127.0.0.1", "localhost"], 90, now);
    const x = new X509Certificate(cert);
    expect(x.subject).toBe("CN=127.0.0.1");
    expect(x.issuer).toBe(x.subject);
    expect(x.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost");
    expect(x.verify(x.publicKey)).toBe(true);
    // valid from an hour before `now` to now + 90 days (UTCTime, whole seconds)
    expect(new Date(x.validFrom).getTime()).toBe(now - 3_600_000);
    expect(new Date(x.validTo).getTime()).toBe(now + 90 * DAY);
    expect(notAfter.getTime()).toBe(now + 90 * DAY);
    expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x.checkHost("localhost")).toBe("localhost");
    expect(x.checkHost("example.com")).toBeUndefined();
  });

  it("serves TLS that a client trusting it verifies, by IP and by server name", async () => {
    const pair = selfSigned(["127.0.0.1", "localhost"], 90);
    const server = https.createServer(pair, (_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const get = (servername?: string) =>
      new Promise<boolean>((resolve, reject) =>
        https
          .get({ host: "127.0.0.1", port, ca: pair.cert, servername, agent: false }, (res) => {
            res.resume();
            resolve((res.socket as import("node:tls").TLSSocket).authorized);
          })
          .on("error", reject),
      );
    try {
      expect(await get()).toBe(true);
      expect(await get("localhost")).toBe(true);
      await expect(get("portal.example.gov.cn")).rejects.toThrow(/altnames/);
    } finally {
      server.close();
    }
  });
});
