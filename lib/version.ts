import { readFileSync } from "node:fs";

/** The package version, read once from package.json (two levels up from dist/lib or lib). */
function readVersion(): string {
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8"));
      if (pkg.name === "opswatch") return pkg.version;
    } catch {}
  }
  return "0.0.0";
}

export const VERSION = readVersion();
