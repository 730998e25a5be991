import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "../../server/auth/password.js";

describe("password hashing (scrypt)", () => {
  it("encodes scrypt$N$r$p$salt$hash with N=2^15, r=8, p=1, a 16-byte salt and a 32-byte key", async () => {
    const h = await hashPassword("correct horse battery");
    const [kdf, n, r, p, salt, key] = h.split("$");
    expect([kdf, n, r, p]).toEqual(["scrypt", "32768", "8", "1"]);
    expect(Buffer.from(salt as string, "base64url")).toHaveLength(16);
    expect(Buffer.from(key as string, "base64url")).toHaveLength(32);
    // The stored key is exactly scrypt(password, salt) with those parameters (recomputed independently).
    const again = scryptSync("correct horse battery", Buffer.from(salt as string, "base64url"), 32, {
      N: 32768,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    expect(again.toString("base64url")).toBe(key);
  });

  it("verifies the right password only; two hashes of one password differ (salt)", async () => {
    const h = await hashPassword("correct horse battery");
    expect(await verifyPassword("correct horse battery", h)).toBe(true);
    expect(await verifyPassword("correct horse batterY", h)).toBe(false);
    expect(await hashPassword("correct horse battery")).not.toBe(h);
  });

  it("reads the parameters back from the hash: an older, cheaper hash still verifies", async () => {
    const salt = Buffer.from("0123456789abcdef");
    const key = scryptSync("old password!", salt, 32, { N: 1024, r: 8, p: 1 });
    const old = `scrypt$1024$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    expect(await verifyPassword("old password!", old)).toBe(true);
    expect(await verifyPassword("old password?", old)).toBe(false);
  });

  it("refuses malformed or absurd hashes without throwing", async () => {
    for (const bad of [
      "",
      "bcrypt$x",
      "scrypt$3$8$1$AAAA$AAAA",
      "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ])
      expect(await verifyPassword("x", bad)).toBe(false);
  });

  it("new passwords need 10..1024 characters", () => {
    expect(passwordProblem("short")).toMatch(/at least 10/);
    expect(passwordProblem("long enough")).toBeUndefined();
  });
});
