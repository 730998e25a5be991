import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

// scrypt is memory-hard: 128 · N · r bytes per guess = 32 MiB at N=2^15, r=8. The parameters are
// written into every hash and read back on verify, so raising them later leaves old hashes valid.
const N = 2 ** 15;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(
  password: string,
  salt: Buffer,
  n: number,
  r: number,
  p: number,
  len: number,
): Promise<Buffer> {
  // maxmem must cover 128·N·r with some slack, or node refuses the parameters.
  const opts: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, len, opts, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$hash" (salt and hash base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, N, R, P, KEY_BYTES);
  return ["scrypt", N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** True when the password matches; false for a wrong password or a malformed hash (never throws). */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([\w-]+)\$([\w-]+)$/.exec(encoded);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4] as string, "base64url");
  const want = Buffer.from(m[5] as string, "base64url");
  // Refuse absurd parameters read from the store rather than let them exhaust memory.
  if (n < 2 || n > 2 ** 20 || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  if (want.length < 16 || want.length > 64) return false;
  const got = await derive(password, salt, n, r, p, want.length);
  return timingSafeEqual(got, want);
}

/**
 * A hash of a random password with the current parameters: verified against when the user name is
 * unknown, so an unknown name takes as long to refuse as a wrong password.
 */
let dummy: Promise<string> | undefined;
export const dummyHash = (): Promise<string> => {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  return dummy;
};

/** The rule for new passwords: long enough to resist guessing at scrypt's cost. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 10) return "password: at least 10 characters";
  if (password.length > 1024) return "password: at most 1024 characters";
  return undefined;
}
