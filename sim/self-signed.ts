// A self-signed X.509 certificate made with node:crypto alone (Node has no certificate builder and the
// demo must not depend on the openssl CLI): an EC P-256 key, the DER encoding written out by hand. For
// the simulators only — the demo portal's HTTPS endpoint, whose expiry the TLS probe reads.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIPv4 } from "node:net";

export interface SelfSigned {
  key: string;
  cert: string;
  notAfter: Date;
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  if (n < 0x80) return Buffer.concat([Buffer.from([tag, n]), body]);
  const hex = n.toString(16);
  const len = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
  return Buffer.concat([Buffer.from([tag, 0x80 | len.length]), len, body]);
}

const seq = (...c: Buffer[]) => der(0x30, ...c);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime (RFC 5280: years before 2050), seconds precision. */
const time = (d: Date) => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, "")}Z`));

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

/** A certificate for `names` (DNS names or IPv4 addresses), valid from an hour ago for `days`. */
export function selfSigned(names: readonly string[], days: number, now = Date.now()): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const cn = seq(der(0x31, seq(oid("2.5.4.3"), der(0x0c, Buffer.from(names[0] ?? "localhost")))));
  const notAfter = new Date(now + days * 86_400_000);
  const san = seq(
    ...names.map((n) =>
      isIPv4(n) ? der(0x87, Buffer.from(n.split(".").map(Number))) : der(0x82, Buffer.from(n)),
    ),
  );
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive INTEGER
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    ECDSA_SHA256,
    cn, // issuer = subject: self-signed
    seq(time(new Date(now - 3_600_000)), time(notAfter)),
    cn,
    publicKey.export({ type: "spki", format: "der" }),
    der(0xa3, seq(seq(oid("2.5.29.17"), der(0x04, san)))),
  );
  const signature = sign("sha256", tbs, privateKey);
  const cert = seq(tbs, ECDSA_SHA256, der(0x03, Buffer.from([0]), signature));
  const pem = (label: string, body: Buffer) =>
    `-----BEGIN ${label}-----\n${body.toString("base64").replace(/.{64}/g, "$&\n").trimEnd()}\n-----END ${label}-----\n`;
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    cert: pem("CERTIFICATE", cert),
    notAfter,
  };
}
