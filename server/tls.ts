import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server as HttpsServer, type ServerOptions } from "node:https";
import type { TLSSocket } from "node:tls";
import type { ServerConfig } from "../config/schema.js";

export type TlsConfig = NonNullable<ServerConfig["tls"]>;

interface Material {
  cert: string;
  key: string;
  ca?: string;
}

function read(c: TlsConfig): Material {
  return {
    cert: readFileSync(c.cert_file, "utf8"),
    key: readFileSync(c.key_file, "utf8"),
    ...(c.client_ca_file ? { ca: readFileSync(c.client_ca_file, "utf8") } : {}),
  };
}

/** SHA-256 fingerprint of the first certificate in a PEM chain (what audit entries and logs show). */
export function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/**
 * The HTTPS listener and its certificate files. With a client CA, every connection is asked for a
 * certificate but not refused without one at the TLS level (browsers without one still reach the API);
 * the agent endpoint checks `clientCertificate()` itself.
 */
export class TlsFiles {
  private material: Material;
  private server: HttpsServer | undefined;

  constructor(private config: TlsConfig) {
    this.material = read(config);
  }

  get mutual(): boolean {
    return this.config.client_ca_file !== undefined;
  }

  get fingerprint(): string {
    return fingerprint(this.material.cert);
  }

  createServer(handler: (req: IncomingMessage, res: ServerResponse) => void): HttpsServer {
    const options: ServerOptions = { ...this.material, requestCert: this.mutual, rejectUnauthorized: false };
    this.server = createServer(options, handler);
    return this.server;
  }

  /**
   * Re-reads the files (SIGHUP) and serves them to new connections. Throws (keeping the old certificate)
   * when a file is unreadable or the key doesn't match the certificate. Turning mutual TLS on or off
   * needs a restart (it changes what the listener asks of every client).
   */
  reload(config: TlsConfig = this.config): { before: string; after: string } {
    if ((config.client_ca_file === undefined) !== (this.config.client_ca_file === undefined))
      throw new Error("server.tls.client_ca_file added or removed: restart the server to apply it");
    const next = read(config);
    const before = this.fingerprint;
    // setSecureContext would accept a mismatched pair and fail every handshake: check it first.
    if (!new X509Certificate(next.cert).checkPrivateKey(createPrivateKey(next.key)))
      throw new Error(`${config.key_file}: key does not match the certificate ${config.cert_file}`);
    this.server?.setSecureContext(next);
    this.material = next;
    this.config = config;
    return { before, after: this.fingerprint };
  }
}

/**
 * Whether the socket presented a client certificate our client CA signed: "ok", "missing" (none sent)
 * or "untrusted" (sent, but not by that CA, or expired).
 */
export function clientCertificate(req: IncomingMessage): "ok" | "missing" | "untrusted" {
  const socket = req.socket as TLSSocket;
  if (socket.authorized) return "ok";
  const peer = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined;
  return peer && Object.keys(peer).length > 0 ? "untrusted" : "missing";
}
