// The standalone tls prober against real TLS servers on loopback (certificates from Debian openssl).
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TlsProber } from "../../agent/probers/tls.js";
import { Check, type TlsCheck } from "../../config/schema.js";
import { freePort } from "../peers/ports.js";
import { requirePeer } from "../peers/require-peer.js";
import { createPki, type TestPki } from "../peers/tls-certs.js";

const hasOpenssl = requirePeer("openssl", "openssl");

const servers: net.Server[] = [];
async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

const prober = new TlsProber();
const check = (fields: Record<string, unknown>) =>
  Check.parse({ id: "ldaps", kind: "tls", timeout: "2s", ...fields }) as TlsCheck;
const probe = (c: TlsCheck) => prober.probe(c, AbortSignal.timeout(c.timeout));

describe.skipIf(!hasOpenssl)("tls prober", () => {
  let pki: TestPki;
  let address = "";
  beforeAll(async () => {
    pki = await createPki();
    const leaf = await pki.leaf({ days: 5 });
    // A TLS service that is not HTTP: greets and closes, like LDAPS or SMTPS would speak their protocol.
    const server = tls.createServer({ key: leaf.key, cert: leaf.cert }, (s) => s.end("220 ready\r\n"));
    address = `127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await pki?.remove();
  });

  it("passes with the custom CA and reports connect, handshake and certificate values", async () => {
    const out = await probe(check({ address, ca: pki.ca.certFile }));
    expect(out.ok).toBe(true);
    expect(Object.keys(out.values).sort()).toEqual([
      "tcp.connect_ms",
      "tls.authorized",
      "tls.days_left",
      "tls.handshake_ms",
      "tls.hostname_ok",
      "tls.not_after",
      "tls.version",
    ]);
    expect(out.values).toMatchObject({
      "tls.version": "TLSv1.3",
      "tls.authorized": true,
      "tls.hostname_ok": true,
    });
    // openssl -days 5 → (4, 5] days left.
    expect(out.values["tls.days_left"]).toBeGreaterThan(4);
    expect(out.values["tls.days_left"]).toBeLessThanOrEqual(5);
    expect(out.values["tls.handshake_ms"]).toBeGreaterThan(0);
  });

  it("fails when the certificate expires sooner than min_days_left", async () => {
    const out = await probe(check({ address, ca: pki.ca.certFile, min_days_left: 30 }));
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^certificate expires in (4\.\d\d|5\.00) days \(min_days_left 30\)$/);
    expect(out.values["tls.authorized"]).toBe(true);
  });

  it("fails an untrusted chain with verify on, passes it with verify off", async () => {
    const on = await probe(check({ address }));
    expect(on).toMatchObject({
      ok: false,
      error:
        "TLS certificate not trusted: issuer not trusted (unknown CA or missing intermediate) (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
      values: { "tls.authorized": false },
    });
    const off = await probe(check({ address, verify: false }));
    expect(off).toMatchObject({ ok: true, values: { "tls.authorized": false, "tls.hostname_ok": true } });
  });

  it("fails a server name the certificate does not carry", async () => {
    const out = await probe(check({ address, ca: pki.ca.certFile, server_name: "ldap.example" }));
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(
      /^TLS certificate does not match ldap\.example \(it is for DNS:localhost, IP Address:127\.0\.0\.1/,
    );
    expect(out.values["tls.hostname_ok"]).toBe(false);
  });

  it("reports a refused port without TLS values", async () => {
    const port = await freePort("tcp");
    expect(await probe(check({ address: `127.0.0.1:${port}` }))).toEqual({
      ok: false,
      error: `127.0.0.1:${port}: connection refused (ECONNREFUSED)`,
      values: {},
    });
  });

  it("fails at the timeout on a port that accepts but never speaks TLS", async () => {
    const silent = net.createServer(() => {});
    const port = await listen(silent);
    const out = await probe(check({ address: `127.0.0.1:${port}`, timeout: "300ms" }));
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^timeout after 3\d\d ms in the TLS handshake$/);
  });

  it("fails a plain-text service with a TLS handshake error", async () => {
    const plain = net.createServer((s) => s.end("220 smtp.example ESMTP\r\n"));
    const port = await listen(plain);
    const out = await probe(check({ address: `127.0.0.1:${port}` }));
    expect(out.ok).toBe(false);
    expect(out.error).toBe(
      `TLS handshake with 127.0.0.1:${port} failed: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER): not a TLS service?`,
    );
    expect(out.values).toEqual({
      "tcp.connect_ms": expect.any(Number),
      "tls.handshake_ms": expect.any(Number),
    });
  });
});
