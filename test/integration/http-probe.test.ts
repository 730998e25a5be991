// The http prober against real servers on loopback: HTTP, HTTPS with a test CA (openssl), IPv6, a
// forward/CONNECT proxy, redirects, hangs, slow bodies and the assertions seen through a real response.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpFailure, httpRequest } from "../../agent/http/request.js";
import { HttpProber } from "../../agent/probers/http.js";
import { Check, type HttpCheck } from "../../config/schema.js";
import { startHttpSite } from "../../sim/http-site.js";
import { freePort } from "../peers/ports.js";
import { startProxy, type TestProxy } from "../peers/proxy.js";
import { requirePeer } from "../peers/require-peer.js";
import { createPki, type TestPki } from "../peers/tls-certs.js";

const hasOpenssl = requirePeer("openssl", "openssl");

const keyword = "区政府门户网站";
const page = `<h1>${keyword}</h1>`;
const gbkKeyword = Buffer.from("c7f8d5feb8ae", "hex"); // "区政府" in GBK
const SLOW_MS = 200;

const routes: Record<string, http.RequestListener> = {
  "/": (_, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page),
  "/gbk": (_, res) => res.writeHead(200, { "content-type": "text/html; charset=GBK" }).end(gbkKeyword),
  "/500": (_, res) => res.writeHead(500).end("internal error"),
  "/loop": (_, res) => res.writeHead(302, { location: "/loop" }).end(),
  "/ping": (_, res) => res.writeHead(302, { location: "/pong" }).end(),
  "/pong": (_, res) => res.writeHead(302, { location: "/ping" }).end(),
  "/see-other": (_, res) => res.writeHead(303, { location: "/method" }).end(),
  "/method": (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c)).on("end", () => res.end(`method=${req.method} body=${body}`));
  },
  "/hang": () => {}, // accepts, reads the request, never answers
  "/slow-body": (_, res) => {
    res.writeHead(200, { "content-type": "text/plain" }).write("first half ");
    setTimeout(() => res.end("second half"), SLOW_MS);
  },
  "/slow-head": (_, res) => setTimeout(() => res.end("late"), SLOW_MS),
  "/json": (_, res) =>
    res
      .writeHead(200, { "content-type": "application/json", "x-app-version": "2.4.1" })
      .end(JSON.stringify({ data: { ok: true, count: 3, name: "门户" } })),
  "/echo-auth": (req, res) => res.end(`auth=${req.headers.authorization ?? "none"}`),
  "/big": (_, res) => res.end(`${"a".repeat(100_000)}END`),
  "/login": (_, res) => res.writeHead(302, { location: "/home", "set-cookie": "sid=42; Path=/" }).end(),
  "/home": (req, res) => res.writeHead(req.headers.cookie === "sid=42" ? 200 : 401).end(),
};
const handler: http.RequestListener = (req, res) => {
  const hop = /^\/hop\/(\d+)$/.exec(req.url ?? "");
  if (hop) res.writeHead(302, { location: Number(hop[1]) > 1 ? `/hop/${Number(hop[1]) - 1}` : "/" }).end();
  else (routes[req.url ?? ""] ?? ((_, r) => r.writeHead(404).end()))(req, res);
};

const servers: http.Server[] = [];
async function serve(server: http.Server, host: string): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

let base = "";
let base6 = "";
beforeAll(async () => {
  base = `http://127.0.0.1:${await serve(http.createServer(handler), "127.0.0.1")}`;
  base6 = `http://[::1]:${await serve(http.createServer(handler), "::1")}`;
});
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

const prober = new HttpProber();
const check = (fields: Record<string, unknown>) =>
  Check.parse({ id: "portal", kind: "http", timeout: "2s", ...fields }) as HttpCheck;
const probe = (c: HttpCheck) => prober.probe(c, AbortSignal.timeout(c.timeout));
const phaseNames = ["dns", "connect", "tls", "processing", "transfer"].map((p) => `http.phase.${p}_ms`);

describe("http prober over HTTP", () => {
  it("succeeds with status, version, body size, redirects and the five phases", async () => {
    const out = await probe(check({ url: `${base}/`, keyword }));
    expect(out.ok).toBe(true);
    expect(out.values).toMatchObject({
      "http.status": 200,
      "http.version": "1.1",
      "http.content_length": Buffer.byteLength(page), // 9 ASCII bytes + 7 CJK × 3 bytes = 30
      "http.redirects": 0,
      "http.phase.tls_ms": 0,
    });
    expect(Object.keys(out.values).sort()).toEqual(
      ["http.content_length", "http.redirects", "http.status", "http.version", ...phaseNames].sort(),
    );
    for (const p of phaseNames) expect(out.values[p]).toBeGreaterThanOrEqual(0);
  });

  it("fails when the keyword is missing, naming the assertion", async () => {
    const out = await probe(check({ url: `${base}/`, keyword: "招标公告" }));
    expect(out).toMatchObject({
      ok: false,
      error: 'assertion 1 (body_contains "招标公告"): not found in 30 bytes',
      values: { "http.status": 200 },
    });
  });

  it("finds a keyword in a GBK page", async () => {
    expect((await probe(check({ url: `${base}/gbk`, keyword: "区政府" }))).ok).toBe(true);
  });

  it("fails on HTTP 500 by default, passes when 500 is expected", async () => {
    expect(await probe(check({ url: `${base}/500` }))).toMatchObject({
      ok: false,
      error: "status (default: 2xx or 3xx): got 500",
    });
    expect((await probe(check({ url: `${base}/500`, expect_status: [500] }))).ok).toBe(true);
  });

  it("follows a 3-hop redirect chain and counts it", async () => {
    const out = await probe(check({ url: `${base}/hop/3`, keyword }));
    expect(out).toMatchObject({ ok: true, values: { "http.status": 200, "http.redirects": 3 } });
  });

  it("fails a chain longer than max_redirects; max_redirects 0 returns the 302 itself", async () => {
    expect(await probe(check({ url: `${base}/hop/3`, max_redirects: 2 }))).toMatchObject({
      ok: false,
      error: "too many redirects (more than 2)",
    });
    const out = await probe(check({ url: `${base}/hop/3`, max_redirects: 0, expect_status: [302] }));
    expect(out).toMatchObject({ ok: true, values: { "http.status": 302, "http.redirects": 0 } });
  });

  it("fails a redirect loop at once, not after max_redirects", async () => {
    expect(await probe(check({ url: `${base}/loop`, max_redirects: 20 }))).toMatchObject({
      ok: false,
      error: `redirect loop: ${base}/loop again after 1 redirect(s)`,
    });
    expect((await probe(check({ url: `${base}/ping`, max_redirects: 20 }))).error).toBe(
      `redirect loop: ${base}/ping again after 2 redirect(s)`,
    );
  });

  it("turns a POST into a GET after 303 See Other, sending the body only to the first URL", async () => {
    const out = await probe(
      check({ url: `${base}/see-other`, method: "POST", body: "a=1", keyword: "method=GET body=" }),
    );
    expect(out.ok).toBe(true);
    const direct = await probe(
      check({ url: `${base}/method`, method: "PUT", body: "a=1", keyword: "method=PUT body=a=1" }),
    );
    expect(direct.ok).toBe(true);
  });

  it("fails at the timeout on a server that accepts and never answers", async () => {
    const started = performance.now();
    const out = await probe(check({ url: `${base}/hang`, timeout: "300ms" }));
    const elapsed = performance.now() - started;
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^timeout after 3\d\d ms waiting for the response$/);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(300 + 150);
    // The time spent waiting is processing: ~300 ms.
    expect(out.values["http.phase.processing_ms"]).toBeGreaterThan(250);
  });

  it("books a slow body to transfer and a slow first byte to processing", async () => {
    const body = await probe(check({ url: `${base}/slow-body` }));
    expect(body.ok).toBe(true);
    // The server sends headers + "first half " at once, the rest SLOW_MS (200 ms) later.
    expect(body.values["http.phase.transfer_ms"]).toBeGreaterThanOrEqual(SLOW_MS - 1);
    expect(body.values["http.phase.processing_ms"]).toBeLessThan(SLOW_MS);
    const head = await probe(check({ url: `${base}/slow-head` }));
    expect(head.values["http.phase.processing_ms"]).toBeGreaterThanOrEqual(SLOW_MS - 1);
    expect(head.values["http.phase.transfer_ms"]).toBeLessThan(SLOW_MS);
  });

  it("reads at most max_body_bytes but counts the whole body", async () => {
    // 100,000 × "a" + "END": the first 1,000 bytes are kept, all 100,003 counted.
    const out = await probe(
      check({
        url: `${base}/big`,
        max_body_bytes: 1000,
        assertions: [{ type: "body_contains", text: "END" }],
      }),
    );
    expect(out).toMatchObject({
      ok: false,
      error: 'assertion 1 (body_contains "END"): not found in 1000 bytes',
      values: { "http.content_length": 100_003 },
    });
  });

  it("sends basic and bearer auth", async () => {
    // "ops:秘密" → base64 of its UTF-8 bytes
    const basic = `Basic ${Buffer.from("ops:秘密").toString("base64")}`;
    const a = await probe(
      check({ url: `${base}/echo-auth`, auth: { basic: { username: "ops", password: "秘密" } } }),
    );
    expect(a.ok).toBe(true);
    const b = await probe(
      check({ url: `${base}/echo-auth`, auth: { bearer: "t0ken" }, keyword: "auth=Bearer t0ken" }),
    );
    expect(b.ok).toBe(true);
    const c = await probe(
      check({
        url: `${base}/echo-auth`,
        auth: { basic: { username: "ops", password: "秘密" } },
        keyword: `auth=${basic}`,
      }),
    );
    expect(c.ok).toBe(true);
  });

  it("checks json_path and header assertions on a real response", async () => {
    const ok = await probe(
      check({
        url: `${base}/json`,
        assertions: [
          { type: "status", in: [200] },
          { type: "json_path", path: "$.data.ok", value: true },
          { type: "json_path", path: "$.data.count", op: "ge", value: 3 },
          { type: "header", name: "X-App-Version", matches: "^2\\." },
          { type: "max_duration", ms: 2000 },
        ],
      }),
    );
    expect(ok).toMatchObject({ ok: true });
    const bad = await probe(
      check({
        url: `${base}/json`,
        assertions: [{ type: "json_path", path: "$.data.count", op: "gt", value: 3 }],
      }),
    );
    expect(bad.error).toBe("assertion 1 (json_path $.data.count gt 3): got 3");
  });

  it("fails max_duration on a slow response", async () => {
    const out = await probe(
      check({ url: `${base}/slow-head`, assertions: [{ type: "max_duration", ms: 50 }] }),
    );
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^assertion 1 \(max_duration 50 ms\): got (19\d|2\d\d) ms$/);
  });

  it("reports a refused connection with its code", async () => {
    const port = await freePort("tcp");
    const out = await probe(check({ url: `http://127.0.0.1:${port}/` }));
    expect(out).toMatchObject({ ok: false, error: `127.0.0.1:${port}: connection refused (ECONNREFUSED)` });
  });

  it("checks the portal simulator, following /old to /", async () => {
    const site = await startHttpSite({ port: 0 });
    try {
      const out = await probe(check({ url: `${site.url}old`, keyword }));
      expect(out).toMatchObject({ ok: true, values: { "http.status": 200, "http.redirects": 1 } });
    } finally {
      await site.close();
    }
  });
});

describe("IPv4 / IPv6", () => {
  it("connects to ::1 with ip 6", async () => {
    const out = await probe(check({ url: `${base6}/`, ip: 6, keyword }));
    expect(out).toMatchObject({ ok: true, values: { "http.status": 200 } });
  });

  it("refuses an IPv6 address when ip 4 is asked for", async () => {
    const out = await probe(check({ url: `${base6}/`, ip: 4 }));
    expect(out).toMatchObject({ ok: false, error: `::1:${new URL(base6).port}: ::1 is not an IPv4 address` });
  });
});

describe("cookies", () => {
  it("carries a cookie set on a redirect to the next hop", async () => {
    const { CookieJar } = await import("tough-cookie");
    const options = {
      url: `${base}/login`,
      method: "GET",
      headers: {},
      tls: { verify: true },
      maxRedirects: 5,
      maxBodyBytes: 1024,
    };
    const withJar = await httpRequest({ ...options, cookieJar: new CookieJar() }, AbortSignal.timeout(2000));
    expect([withJar.status, withJar.url, withJar.redirects]).toEqual([200, `${base}/home`, 1]);
    const without = await httpRequest(options, AbortSignal.timeout(2000));
    expect(without.status).toBe(401);
  });
});

describe.skipIf(!hasOpenssl)("HTTPS", () => {
  let pki: TestPki;
  let shortCa: TestPki;
  let secure = "";
  let chained = "";
  beforeAll(async () => {
    [pki, shortCa] = await Promise.all([createPki(30), createPki(3)]);
    const leaf = await pki.leaf({ days: 5 });
    secure = `https://127.0.0.1:${await serve(https.createServer({ key: leaf.key, cert: leaf.cert }, handler), "127.0.0.1")}`;
    // A 10-day leaf under a CA that expires in 3 days, both presented: the chain's earliest is the CA.
    const long = await shortCa.leaf({ days: 10 });
    const server = https.createServer({ key: long.key, cert: long.cert + shortCa.ca.cert }, handler);
    chained = `https://127.0.0.1:${await serve(server, "127.0.0.1")}`;
  });
  afterAll(async () => {
    await pki?.remove();
    await shortCa?.remove();
  });

  it("verifies the chain with the custom CA and reports tls.* (5-day certificate)", async () => {
    const before = Date.now();
    const out = await probe(check({ url: `${secure}/`, tls: { ca: pki.ca.certFile }, keyword }));
    expect(out.ok).toBe(true);
    expect(out.values).toMatchObject({
      "http.status": 200,
      "tls.version": "TLSv1.3",
      "tls.authorized": true,
      "tls.hostname_ok": true,
    });
    // openssl -days 5: notAfter = issuance + 5 × 86,400 s, so days left is in (4, 5].
    const days = out.values["tls.days_left"] as number;
    expect(days).toBeGreaterThan(4);
    expect(days).toBeLessThanOrEqual(5);
    const notAfter = out.values["tls.not_after"] as number; // epoch seconds
    expect(Math.abs(notAfter - (before / 1000 + days * 86_400))).toBeLessThan(5);
    expect(out.values["http.phase.tls_ms"]).toBeGreaterThan(0);
  });

  it("fails without the CA, naming the cause, and still reports the certificate", async () => {
    const out = await probe(check({ url: `${secure}/` }));
    expect(out).toMatchObject({
      ok: false,
      error:
        "TLS certificate not trusted: issuer not trusted (unknown CA or missing intermediate) (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
      values: { "tls.authorized": false, "tls.hostname_ok": true },
    });
    expect(out.values["tls.days_left"]).toBeGreaterThan(4);
  });

  it("passes with verify off, tls.authorized false", async () => {
    const out = await probe(check({ url: `${secure}/`, tls: { verify: false }, keyword }));
    expect(out).toMatchObject({ ok: true, values: { "tls.authorized": false, "tls.hostname_ok": true } });
  });

  it("fails a host name the certificate does not carry; verify off only reports it", async () => {
    const tls = { ca: pki.ca.certFile, server_name: "portal.example" };
    const out = await probe(check({ url: `${secure}/`, tls }));
    expect(out).toMatchObject({
      ok: false,
      error:
        "TLS certificate does not match portal.example (it is for DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1)",
      values: { "tls.authorized": true, "tls.hostname_ok": false },
    });
    const off = await probe(check({ url: `${secure}/`, tls: { ...tls, verify: false } }));
    expect(off).toMatchObject({ ok: true, values: { "tls.hostname_ok": false } });
  });

  it("reports the earliest expiry in the chain (a 3-day CA over a 10-day leaf)", async () => {
    const out = await probe(check({ url: `${chained}/`, tls: { ca: shortCa.ca.certFile } }));
    expect(out.ok).toBe(true);
    const days = out.values["tls.days_left"] as number;
    expect(days).toBeGreaterThan(2);
    expect(days).toBeLessThanOrEqual(3);
  });

  it("fails tls_days_left below the minimum with the days seen", async () => {
    const out = await probe(
      check({
        url: `${secure}/`,
        tls: { ca: pki.ca.certFile },
        assertions: [{ type: "tls_days_left", min: 30 }],
      }),
    );
    expect(out.ok).toBe(false);
    expect(out.error).toMatch(/^assertion 1 \(tls_days_left >= 30\): got (4\.\d\d|5\.00)$/); // 5 days less a few ms
  });

  describe("through a proxy with Basic auth", () => {
    let proxy: TestProxy;
    beforeAll(async () => {
      proxy = await startProxy({ username: "probe", password: "pr0xy-pass" });
    });
    afterAll(() => proxy.close());
    const via = (password: string) => `http://probe:${password}@127.0.0.1:${proxy.port}`;

    it("forwards http with the absolute URI", async () => {
      proxy.log.length = 0;
      const out = await probe(check({ url: `${base}/`, proxy: via("pr0xy-pass"), keyword }));
      expect(out.ok).toBe(true);
      expect(proxy.log).toEqual([`GET ${base}/`]);
    });

    it("tunnels https with CONNECT, TLS end to end", async () => {
      proxy.log.length = 0;
      const out = await probe(
        check({ url: `${secure}/`, proxy: via("pr0xy-pass"), tls: { ca: pki.ca.certFile }, keyword }),
      );
      expect(out).toMatchObject({ ok: true, values: { "tls.authorized": true } });
      expect(proxy.log).toEqual([`CONNECT ${new URL(secure).host}`]);
    });

    it("fails with reason proxy on a wrong password, without showing it", async () => {
      const tunnelled = await probe(check({ url: `${secure}/`, proxy: via("wrong-pass") }));
      expect(tunnelled).toMatchObject({
        ok: false,
        error: `proxy 127.0.0.1:${proxy.port}: proxy authentication failed (407 Proxy Authentication Required)`,
      });
      const forwarded = await probe(check({ url: `${base}/`, proxy: via("wrong-pass") }));
      expect(forwarded).toMatchObject({ ok: false, error: "proxy authentication failed (407)" });
      const reasons = await Promise.all(
        [secure, base].map((u) =>
          httpRequest(
            {
              url: `${u}/`,
              method: "GET",
              headers: {},
              proxy: via("wrong-pass"),
              tls: { verify: false },
              maxRedirects: 0,
              maxBodyBytes: 1,
            },
            AbortSignal.timeout(2000),
          ).catch((e: HttpFailure) => e.reason),
        ),
      );
      expect(reasons).toEqual(["proxy", "proxy"]);
      expect(JSON.stringify([tunnelled, forwarded])).not.toContain("wrong-pass");
    });
  });
});

describe("HttpFailure", () => {
  it("is what httpRequest rejects with", async () => {
    const port = await freePort("tcp");
    const err = await httpRequest(
      {
        url: `http://127.0.0.1:${port}/`,
        method: "GET",
        headers: {},
        tls: { verify: true },
        maxRedirects: 0,
        maxBodyBytes: 1,
      },
      AbortSignal.timeout(2000),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpFailure);
    expect((err as HttpFailure).reason).toBe("connect");
  });
});
