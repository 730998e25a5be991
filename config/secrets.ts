import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

// Relative `file:` paths resolve against the directory of the config file being loaded.
// Set by loadConfig around its synchronous parse.
let baseDir = process.cwd();
export function withSecretBaseDir<T>(dir: string, fn: () => T): T {
  const prev = baseDir;
  baseDir = dir;
  try {
    return fn();
  } finally {
    baseDir = prev;
  }
}

/** "${VAR}" → env var, "file:PATH" → file content (trailing newline trimmed), anything else verbatim. */
export function resolveSecret(value: string): string {
  const env = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
  if (env) {
    const v = process.env[env[1] as string];
    if (v === undefined || v === "") throw new Error(`environment variable ${env[1]} is not set`);
    return v;
  }
  if (value.startsWith("file:")) {
    const path = value.slice(5);
    const full = isAbsolute(path) ? path : resolve(baseDir, path);
    try {
      return readFileSync(full, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      throw new Error(`cannot read secret file ${full}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  return value;
}
