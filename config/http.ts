// Config pieces shared by http checks and operation steps: method, headers, auth, proxy, address
// family and TLS. The CA file is read when the config loads, relative to the config file.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { configPath, Secret } from "./secrets.js";

export const HttpMethod = z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export const HttpHeaders = z
  .record(
    z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "an HTTP header name"),
    z.string().regex(/^[^\r\n]*$/, "one line (no CR/LF)"),
  )
  .default({});

export const HttpAuth = z
  .union([
    z.strictObject({
      basic: z.strictObject({ username: z.string().min(1), password: Secret }),
    }),
    z.strictObject({ bearer: Secret.describe("token sent as Authorization: Bearer …") }),
  ])
  .describe("{ basic: { username, password } } or { bearer: TOKEN }; secrets");

/** The check's message only: the config loader never echoes a value flagged as a secret. */
const proxyUrl = (value: string, ctx: z.RefinementCtx) => {
  let ok = false;
  try {
    const u = new URL(value);
    ok = u.protocol === "http:" && u.hostname !== "";
  } catch {}
  if (!ok)
    ctx.addIssue({ code: "custom", message: "http://[user:pass@]host:port", params: { secret: true } });
};

export const HttpProxy = Secret.superRefine(proxyUrl).describe(
  "HTTP proxy: forward for http:, CONNECT tunnel for https:; credentials in the URL (a secret) become Proxy-Authorization",
);

// YAML reads `ip: 4` as a number; "4" is accepted too, like icmp checks.
export const IpFamily = z
  .union([z.literal([4, 6]), z.enum(["4", "6"])], { error: "4 or 6" })
  .transform((v) => Number(v) as 4 | 6)
  .describe("4 or 6: resolve and connect over that family only; default the system's choice");

/** A PEM file of CA certificates, read now: its content replaces the path. */
export const CaFile = z
  .string()
  .min(1)
  .transform((path, ctx) => {
    const full = configPath(path);
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    let pem: string;
    try {
      pem = readFileSync(full, "utf8");
    } catch (e) {
      return fail(`cannot read CA file ${full}: ${(e as NodeJS.ErrnoException).code}`);
    }
    try {
      new X509Certificate(pem); // parses the first certificate: catches a key or a DER file
    } catch {
      return fail(`${full} is not a PEM certificate file`);
    }
    return pem;
  })
  .describe(
    "PEM file of the CA certificates to trust instead of the system store (relative to the config file)",
  );

export const HttpTls = z
  .strictObject({
    verify: z
      .boolean()
      .default(true)
      .describe("false: any certificate is accepted (tls.authorized still says)"),
    ca: CaFile.optional(),
    server_name: z
      .string()
      .min(1)
      .optional()
      .describe("SNI and the name the certificate must carry; default the URL host"),
  })
  .prefault({});
export type HttpTls = z.infer<typeof HttpTls>;
