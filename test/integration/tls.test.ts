// HTTPS/WSS with certificates made by openssl, real server and agent processes: an agent with the
// right CA and a client certificate streams results; a wrong CA fails with a clear log; mutual TLS
// refuses upgrades without (401) or with a foreign (403) client certificate; SIGHUP swaps the served
// certificate (seen by a new TLS connection) and a broken one is refused, keeping the old.
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { eventually, type OpswatchProcess, runOpswatch } from "../peers/opswatch.js";
import { freePort } from "../peers/ports.js";
import { requirePeer } from "../peers/require-peer.js";
import { createPki, type KeyPair, type TestPki } from "../peers/tls-certs.js";

const hasOpenssl = requirePeer("openssl", "openssl");
const dir = mkdtempSync(join(tmpdir(), "opswatch-tls-"));
const site = createServer((_req, res) => res.end("ok"));
const running: OpswatchProcess[] = [];
let pki: TestPki;
let other: TestPki;
let serverLeaf: KeyPair;
let clientLeaf: KeyPair;
let port: number;
let server: OpswatchProcess;

const keyFile = (p: KeyPair) => p.certFile.replace(/\.pem$/, ".key");
const fp = (pem: string) => new X509Certificate(pem).fingerprint256;

/** GET over HTTPS trusting the test CA: status, headers, JSON body. */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>(
    (resolve, reject) => {
      https
        .get({ host: "127.0.0.1", port, path, ca: pki.ca.cert, headers }, (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: res.headers["content-type"]?.includes("json") ? JSON.parse(text) : text,
            }),
          );
        })
        .on("error", reject);
    },
  );
}

/** The fingerprint of the certificate a brand-new TLS connection is served. */
function servedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, ca: pki.ca.cert }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.end();
    });
    s.on("error", reject);
  });
}

/** Opens /ws/agent with an optional client certificate: "open" or the HTTP status that refused it. */
function upgrade(client?: KeyPair): Promise<number | "open"> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws/agent`, {
      ca: pki.ca.cert,
      ...(client ? { cert: client.cert, key: client.key } : {}),
    });
    ws.on("open", () => {
      ws.terminate();
      resolve("open");
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("error", () => {});
  });
}

async function metric(name: string, labels: string): Promise<number> {
  const text = String((await get("/metrics")).body);
  const m = new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

function agentConfig(file: string, id: string, ca: string, client?: KeyPair): void {
  writeFileSync(
    file,
    `agent:
  id: ${id}
  server: wss://127.0.0.1:${port}/ws/agent
  token: token-${id}
  spool: ${dir}/${id}-spool.db
  batch_delay: 20ms
  reconnect_max: 1s
  tls:
    ca_file: ${ca}
${client ? `    cert_file: ${client.certFile}\n    key_file: ${keyFile(client)}\n` : ""}targets:
  - { id: web, name: Web, checks: [{ id: home, kind: http, url: "http://127.0.0.1:${(site.address() as AddressInfo).port}/", interval: 200ms, timeout: 1s }] }
`,
  );
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  pki = await createPki();
  other = await createPki();
  serverLeaf = await pki.leaf({ days: 30 });
  clientLeaf = await pki.leaf({ days: 30, dns: ["agent-a1"], ips: [] });
  copyFileSync(serverLeaf.certFile, join(dir, "server.pem"));
  copyFileSync(keyFile(serverLeaf), join(dir, "server.key"));
  port = await freePort("tcp");
  const file = join(dir, "server.yaml");
  writeFileSync(
    file,
    `server:
  listen: 127.0.0.1:${port}
  database: ${dir}/server.db
  anonymous_read: true
  tls:
    cert_file: ${dir}/server.pem
    key_file: ${dir}/server.key
    client_ca_file: ${pki.ca.certFile}
    hsts_max_age: 1d
  agents: [{ id: a1, token: token-a1 }, { id: a2, token: token-a2 }]
  api_tokens: [{ name: root, token: admin-token-0123456789, role: admin }]
targets:
  - { id: web, name: Web, checks: [{ id: home, kind: http, url: "http://127.0.0.1:1/", interval: 1m }] }
`,
  );
  server = runOpswatch(["server", "-c", file], { logFile: join(dir, "server.log") });
  running.push(server);
  await eventually(async () => (await get("/readyz")).status === 200, 20_000, "server ready over HTTPS");
});
afterAll(async () => {
  for (const p of running) await p.stop();
  site.close();
  await pki?.remove();
  await other?.remove();
});

describe.skipIf(!hasOpenssl)("transport security", () => {
  it("an agent with the CA and a client certificate streams results over wss", async () => {
    const f = join(dir, "a1.yaml");
    agentConfig(f, "a1", pki.ca.certFile, clientLeaf);
    running.push(runOpswatch(["agent", "-c", f], { logFile: join(dir, "a1.log") }));
    await eventually(
      async () => {
        const r = await get("/api/v1/targets/web/results?limit=5");
        return (r.body as { results: { agent: string }[] }).results.some((x) => x.agent === "a1");
      },
      15_000,
      "a1's results over wss",
    );
    const r = await get("/api/v1/targets");
    expect(r.headers["strict-transport-security"]).toBe("max-age=86400"); // 1d = 86,400 s
  });

  it("an agent that doesn't trust the server's CA says so in its log", async () => {
    const f = join(dir, "a2.yaml");
    agentConfig(f, "a2", other.ca.certFile, clientLeaf);
    const a2 = runOpswatch(["agent", "-c", f], { logFile: join(dir, "a2.log") });
    running.push(a2);
    await eventually(
      async () => a2.output().includes("the server's certificate is not trusted"),
      10_000,
      "a2's certificate error",
    );
    expect(a2.output()).toContain("agent.tls.ca_file");
    await a2.stop();
  });

  it("mutual TLS: no client certificate → 401, a foreign one → 403, ours → upgrade; counted", async () => {
    const foreign = await other.leaf({ days: 30, dns: ["intruder"], ips: [] });
    expect(await upgrade()).toBe(401);
    expect(await upgrade(foreign)).toBe(403);
    expect(await upgrade(clientLeaf)).toBe("open");
    expect(await metric("opswatch_http_rejected_total", 'status="401",reason="client_cert_missing"')).toBe(1);
    expect(await metric("opswatch_http_rejected_total", 'status="403",reason="client_cert_untrusted"')).toBe(
      1,
    );
    // The API stays reachable without a client certificate (browsers).
    expect((await get("/api/v1/targets")).status).toBe(200);
  });

  it("SIGHUP swaps the served certificate; a broken file is refused and the old one kept", async () => {
    expect(await servedFingerprint()).toBe(fp(serverLeaf.cert));
    const next = await pki.leaf({ days: 60 });
    copyFileSync(next.certFile, join(dir, "server.pem"));
    copyFileSync(keyFile(next), join(dir, "server.key"));
    server.child.kill("SIGHUP");
    await eventually(async () => (await servedFingerprint()) === fp(next.cert), 5_000, "new certificate");
    const audit = await get("/api/v1/audit?action=config.reload", {
      authorization: "Bearer admin-token-0123456789",
    });
    const entries = (audit.body as { entries: { action: string; actor: string; via: string }[] }).entries;
    expect(entries[0]).toMatchObject({ action: "config.reload", actor: "system", via: "config" });
    const text = JSON.stringify(entries[0]);
    expect(text).toContain(fp(next.cert));
    expect(text).toContain(fp(serverLeaf.cert));
    expect(text).not.toContain("token-a1"); // names and counts only, never a secret
    expect(text).not.toContain("admin-token-0123456789");

    writeFileSync(join(dir, "server.pem"), "not a certificate\n");
    server.child.kill("SIGHUP");
    await eventually(async () => server.output().includes("config reload failed"), 5_000, "reload refused");
    expect(await servedFingerprint()).toBe(fp(next.cert));
    // The agent reconnects through the new certificate (same CA) and keeps delivering.
    const count = async () =>
      (await get("/api/v1/targets/web/results?limit=500")).body as { results: { agent: string }[] };
    const before = (await count()).results.filter((r) => r.agent === "a1").length;
    await eventually(
      async () => (await count()).results.filter((r) => r.agent === "a1").length > before,
      5_000,
      "a1 still delivering",
    );
  });
});
