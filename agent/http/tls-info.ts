// What a TLS handshake showed: protocol, chain trust, hostname match and the chain's validity window.
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Values } from "../../protocol/messages.js";
import { describeNetError } from "../probers/tcp.js";

export interface TlsInfo {
  /** "TLSv1.3" */
  version: string;
  /** The chain verified against the CA store or the custom CA (hostname not included). */
  authorized: boolean;
  authorizationError?: string;
  /** The certificate names the host (checked even when verification is off). */
  hostnameOk: boolean;
  /** Epoch ms: the EARLIEST expiry in the presented chain. */
  notAfter: number;
  /** Epoch ms: the LATEST notBefore in the chain. */
  notBefore: number;
  subject: string;
  issuer: string;
}

/**
 * Reads the handshake result of `socket`, connected with `checkServerIdentity` disabled so that
 * `authorized` reflects the chain alone; `host` (the SNI name or the URL host) is matched here.
 * `names` is what the certificate is valid for, for an operator's message.
 */
export function readTls(socket: TLSSocket, host: string): { info: TlsInfo; names: string } {
  // X509Certificate rather than getPeerCertificate(true), which builds JS objects of every field and
  // costs ~0.25 ms a probe. Called once: on Node 20 a second call returns undefined.
  const leaf = socket.getPeerX509Certificate();
  let notAfter = Number.POSITIVE_INFINITY;
  let notBefore = Number.NEGATIVE_INFINITY;
  // The chain as presented, leaf first; a self-issued root may link to itself.
  for (let c = leaf, n = 0; c !== undefined && n < 16; n++) {
    notAfter = Math.min(notAfter, Date.parse(c.validTo));
    notBefore = Math.max(notBefore, Date.parse(c.validFrom));
    if (c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  const matches =
    leaf !== undefined && (isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host)) !== undefined;
  const info: TlsInfo = {
    version: socket.getProtocol() ?? "unknown",
    authorized: socket.authorized,
    hostnameOk: matches,
    notAfter,
    notBefore,
    subject: dn(leaf?.subject),
    issuer: dn(leaf?.issuer),
  };
  if (!socket.authorized && socket.authorizationError)
    info.authorizationError = String(socket.authorizationError);
  return { info, names: leaf?.subjectAltName ?? (dn(leaf?.subject) || "no names") };
}

/** "C=CN\nO=…\nCN=portal.gov.cn" → "C=CN, O=…, CN=portal.gov.cn" */
const dn = (name: string | undefined): string => (name ?? "").split("\n").join(", ");

const verifyWords: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain (unknown CA)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "issuer not trusted (unknown CA or missing intermediate)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "issuer not trusted (unknown CA or missing intermediate)",
  CERT_HAS_EXPIRED: "certificate expired",
  CERT_NOT_YET_VALID: "certificate not yet valid",
  CERT_REVOKED: "certificate revoked",
};

/** "certificate expired (CERT_HAS_EXPIRED)" */
export function describeVerifyError(code: string): string {
  const words = verifyWords[code];
  return words ? `${words} (${code})` : code;
}

const DAY_MS = 86_400_000;

/** Days until the earliest expiry in the chain, fractional (negative once expired). */
export const daysLeft = (info: TlsInfo, now: number): number => (info.notAfter - now) / DAY_MS;

/** The tls.* values of docs/http.md. */
export function tlsValues(info: TlsInfo, now: number): Values {
  return {
    "tls.version": info.version,
    "tls.days_left": Math.round(daysLeft(info, now) * 1e4) / 1e4,
    "tls.not_after": Math.floor(info.notAfter / 1000),
    "tls.authorized": info.authorized,
    "tls.hostname_ok": info.hostnameOk,
  };
}

/**
 * A handshake error in words. OpenSSL's message is a library dump; its `reason` is the readable part:
 * "wrong version number (ERR_SSL_WRONG_VERSION_NUMBER): not a TLS service?".
 */
export function describeHandshakeError(e: NodeJS.ErrnoException & { reason?: string }): string {
  if (e.code === "ERR_SSL_WRONG_VERSION_NUMBER") return `${e.reason} (${e.code}): not a TLS service?`;
  if (e.reason && e.code?.startsWith("ERR_SSL_")) return `${e.reason} (${e.code})`;
  return describeNetError(e);
}
