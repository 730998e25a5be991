// Certificates for TLS tests, made by the Debian `openssl` CLI in a temp dir: a CA and leaves it signs
// (EC P-256: quick to generate). Use with `requirePeer("openssl", "openssl")`.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { peerPath } from "./require-peer.js";

const run = promisify(execFile);

export interface KeyPair {
  /** PEM */
  cert: string;
  /** PEM */
  key: string;
  /** The certificate's file (e.g. a config's `ca:`). */
  certFile: string;
}

export interface TestPki {
  ca: KeyPair;
  /** A leaf signed by the CA, valid `days` from now, for the given DNS names and IP addresses. */
  leaf(o: { days: number; dns?: string[]; ips?: string[]; cn?: string }): Promise<KeyPair>;
  /** Removes the temp dir. */
  remove(): Promise<void>;
}

const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

/** A CA valid for `caDays` (default 30) days. */
export async function createPki(caDays = 30): Promise<TestPki> {
  const openssl = peerPath("openssl") ?? "openssl";
  const dir = await mkdtemp(path.join(os.tmpdir(), "opswatch-pki-"));
  const pair = async (name: string, args: string[]): Promise<KeyPair> => {
    const certFile = path.join(dir, `${name}.pem`);
    const keyFile = path.join(dir, `${name}.key`);
    await run(openssl, ["req", "-x509", ...ec, "-keyout", keyFile, "-out", certFile, ...args]);
    return { cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8"), certFile };
  };
  const ca = await pair("ca", ["-days", String(caDays), "-subj", "/CN=opswatch test CA"]);
  const caKey = path.join(dir, "ca.key");
  let n = 0;
  return {
    ca,
    leaf: ({ days, dns = ["localhost"], ips = ["127.0.0.1", "::1"], cn = dns[0] ?? "localhost" }) => {
      const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP:${ip}`)].join(",");
      return pair(`leaf${++n}`, [
        ...["-CA", ca.certFile, "-CAkey", caKey, "-days", String(days), "-subj", `/CN=${cn}`],
        ...["-addext", `subjectAltName=${san}`, "-addext", "basicConstraints=critical,CA:FALSE"],
      ]);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
