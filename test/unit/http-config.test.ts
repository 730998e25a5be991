// Config of http and tls checks: defaults, shorthands kept, the CA file read at load relative to the
// config file, and operator-readable errors.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";
import { Check } from "../../config/schema.js";
import { selfSigned } from "../../sim/self-signed.js";

const targets = (checks: string) => `targets:
  - id: portal
    name: 区政府门户网站
    checks:
${checks}`;

function issues(text: string, file: string): string[] {
  try {
    parseConfig(text, file);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("http check config", () => {
  it("applies the defaults: GET, 15 s, 5 redirects, 10 MiB, verify on, any address family", () => {
    const c = Check.parse({ id: "home", kind: "http", url: "https://portal.example/" });
    expect(c).toMatchObject({
      method: "GET",
      timeout: 15_000,
      max_redirects: 5,
      max_body_bytes: 10 * 1024 * 1024, // 10,485,760
      tls: { verify: true },
      headers: {},
      assertions: [],
    });
    expect(c.kind === "http" && c.ip).toBeUndefined();
  });

  it("accepts ip as a number or a string, and names the choices otherwise", () => {
    const ip = (v: unknown) => Check.safeParse({ id: "h", kind: "http", url: "http://a/", ip: v });
    expect(ip(6).data).toMatchObject({ ip: 6 });
    expect(ip("4").data).toMatchObject({ ip: 4 });
    expect(ip(5).error?.issues[0]?.message).toBe("4 or 6");
  });

  it("reads the CA file relative to the config file when the config loads", () => {
    const dir = mkdtempSync(join(tmpdir(), "opswatch-ca-"));
    const { cert } = selfSigned(["portal.example"], 30);
    writeFileSync(join(dir, "ca.pem"), cert);
    const cfg = parseConfig(
      targets(`      - { id: home, kind: http, url: "https://portal.example/", tls: { ca: ca.pem } }
      - { id: ldaps, kind: tls, address: "portal.example:636", ca: ca.pem }`),
      join(dir, "opswatch.yaml"),
    );
    const [home, ldaps] = cfg.targets[0]?.checks ?? [];
    expect(home?.kind === "http" && home.tls.ca).toBe(cert);
    expect(ldaps?.kind === "tls" && ldaps.ca).toBe(cert);
  });

  it("says when the CA file is missing or not a PEM certificate", () => {
    const dir = mkdtempSync(join(tmpdir(), "opswatch-ca-"));
    writeFileSync(join(dir, "key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    const file = join(dir, "opswatch.yaml");
    expect(
      issues(targets(`      - { id: a, kind: http, url: "https://x/", tls: { ca: nope.pem } }`), file),
    ).toEqual([
      `targets[0].checks[0].tls.ca: cannot read CA file ${join(dir, "nope.pem")}: ENOENT (got "nope.pem")`,
    ]);
    expect(
      issues(targets(`      - { id: a, kind: http, url: "https://x/", tls: { ca: key.pem } }`), file),
    ).toEqual([
      `targets[0].checks[0].tls.ca: ${join(dir, "key.pem")} is not a PEM certificate file (got "key.pem")`,
    ]);
  });

  it("keeps the proxy a secret: an invalid proxy URL is refused without echoing it", () => {
    const lines = issues(
      targets(`      - { id: a, kind: http, url: "http://x/", proxy: "socks5://u:s3cret@proxy:1080" }`),
      "inline.yaml",
    );
    expect(lines).toEqual(["targets[0].checks[0].proxy: http://[user:pass@]host:port"]);
    expect(lines.join()).not.toContain("s3cret");
  });

  it("takes basic or bearer auth, nothing else", () => {
    const auth = (v: unknown) =>
      Check.safeParse({ id: "h", kind: "http", url: "http://a/", auth: v }).success;
    expect(auth({ basic: { username: "ops", password: "pw" } })).toBe(true);
    expect(auth({ bearer: "tok" })).toBe(true);
    expect(auth({ digest: "x" })).toBe(false);
  });

  it("refuses header values spanning lines (request splitting)", () => {
    const r = Check.safeParse({ id: "h", kind: "http", url: "http://a/", headers: { "X-A": "1\r\nX-B: 2" } });
    expect(r.error?.issues[0]?.message).toBe("one line (no CR/LF)");
  });
});

describe("tls check config", () => {
  it("defaults to verify on and min_days_left 0, 10 s timeout", () => {
    expect(Check.parse({ id: "t", kind: "tls", address: "ldap.example:636" })).toMatchObject({
      address: { host: "ldap.example", port: 636 },
      verify: true,
      min_days_left: 0,
      timeout: 10_000,
    });
  });
});
