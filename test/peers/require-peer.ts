// Tests against real programs (snmpd, snmpget, …): skipped on a laptop without them, a failure in CI.
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** Full path of an executable found in PATH or the sbin directories (snmpd lives in /usr/sbin). */
export function peerPath(binary: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  const candidates = binary.includes("/") ? [binary] : dirs.filter(Boolean).map((d) => path.join(d, binary));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function peerAvailable(binary: string): boolean {
  return peerPath(binary) !== undefined;
}

/**
 * True when `binary` is installed. When it is missing: false locally (use `describe.skipIf(!ok)`), but
 * with CI=true it throws, failing the test file and naming the Debian package to install.
 *
 *     const hasSnmpd = requirePeer("snmpd", "snmpd");
 *     describe.skipIf(!hasSnmpd)("against snmpd", () => { … });
 */
export function requirePeer(binary: string, debPackage: string): boolean {
  if (peerAvailable(binary)) return true;
  if (process.env.CI === "true") {
    throw new Error(
      `${binary} not found: CI must install the Debian package "${debPackage}" (apt-get install ${debPackage})`,
    );
  }
  return false;
}
