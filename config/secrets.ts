import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";

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

/** A path written in the config, made absolute against the config file's directory (during parsing). */
export function configPath(path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
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
    const full = configPath(value.slice(5));
    try {
      return readFileSync(full, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      throw new Error(`cannot read secret file ${full}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  return value;
}

/** A secret: literal text, "${ENV_VAR}" or "file:/path" (relative paths are relative to the config file). */
export const Secret = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    try {
      return resolveSecret(s);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  })
  // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the ${ENV_VAR} syntax
  .meta({ description: 'Secret: literal, "${ENV_VAR}" or "file:PATH"' });
