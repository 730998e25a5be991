import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpProber } from "../../agent/probers/http.js";
import { Check, type HttpCheck } from "../../config/schema.js";
import { startHttpSite } from "../../sim/http-site.js";
import { freePort } from "../peers/ports.js";

const keyword = "区政府门户网站";
const gbkKeyword = Buffer.from("c7f8d5feb8ae", "hex"); // "区政府" in GBK

const server = http.createServer((req, res) => {
  const hop = /^\/hop\/(\d+)$/.exec(req.url ?? "");
  if (req.url === "/")
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<h1>${keyword}</h1>`);
  else if (req.url === "/503") res.writeHead(503).end("maintenance");
  else if (hop)
    res.writeHead(302, { location: Number(hop[1]) > 1 ? `/hop/${Number(hop[1]) - 1}` : "/" }).end();
  else if (req.url === "/see-other") res.writeHead(303, { location: "/method" }).end();
  else if (req.url === "/method") res.end(`method=${req.method}`);
  else if (req.url === "/gbk")
    res.writeHead(200, { "content-type": "text/html; charset=GBK" }).end(gbkKeyword);
  else if (req.url === "/hang")
    return; // never answers
  else res.writeHead(404).end();
});
let base = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const prober = new HttpProber();
const check = (fields: Record<string, unknown>) =>
  Check.parse({ id: "portal", kind: "http", timeout: "2s", ...fields }) as HttpCheck;
const probe = (c: HttpCheck) => prober.probe(c, AbortSignal.timeout(c.timeout));

describe("HttpProber", () => {
  it("succeeds with status, body size and redirect count", async () => {
    const out = await probe(check({ url: `${base}/`, keyword }));
    expect(out).toEqual({
      ok: true,
      values: {
        "http.status": 200,
        "http.content_length": Buffer.byteLength(`<h1>${keyword}</h1>`),
        "http.redirects": 0,
      },
    });
  });

  it("fails when the keyword is missing", async () => {
    const out = await probe(check({ url: `${base}/`, keyword: "招标公告" }));
    expect(out.ok).toBe(false);
    expect(out.error).toBe('keyword "招标公告" not found');
    expect(out.values["http.status"]).toBe(200);
  });

  it("finds a keyword in a GBK page", async () => {
    expect((await probe(check({ url: `${base}/gbk`, keyword: "区政府" }))).ok).toBe(true);
  });

  it("fails on HTTP 503 unless expected", async () => {
    expect(await probe(check({ url: `${base}/503` }))).toMatchObject({ ok: false, error: "HTTP 503" });
    expect((await probe(check({ url: `${base}/503`, expect_status: [503] }))).ok).toBe(true);
  });

  it("follows redirects up to max_redirects", async () => {
    const out = await probe(check({ url: `${base}/hop/3`, max_redirects: 3, keyword }));
    expect(out).toMatchObject({ ok: true, values: { "http.status": 200, "http.redirects": 3 } });
  });

  it("fails when the redirect chain is longer than max_redirects", async () => {
    const out = await probe(check({ url: `${base}/hop/3`, max_redirects: 2 }));
    expect(out).toMatchObject({
      ok: false,
      error: "too many redirects (>2)",
      values: { "http.status": 302 },
    });
  });

  it("turns a POST into a GET after 303 See Other", async () => {
    expect((await probe(check({ url: `${base}/see-other`, method: "POST", keyword: "method=GET" }))).ok).toBe(
      true,
    );
  });

  it("times out on a server that never answers", async () => {
    const started = Date.now();
    const out = await probe(check({ url: `${base}/hang`, timeout: "300ms" }));
    expect(out).toEqual({ ok: false, error: "timeout after 300 ms", values: {} });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reports a refused connection with its code", async () => {
    const port = await freePort("tcp");
    const out = await probe(check({ url: `http://127.0.0.1:${port}/` }));
    expect(out).toEqual({ ok: false, error: "connection refused (ECONNREFUSED)", values: {} });
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
