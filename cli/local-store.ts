// Shared by `opswatch user` and `opswatch token`: they write the store directly (no server needed, and
// they work while it runs), so the account that runs them must be able to open server.database.
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { type Command, Option } from "commander";
import { ConfigError, loadConfig } from "../config/load.js";
import { Role } from "../config/schema.js";
import { openStore } from "../server/store/open.js";
import type { Store } from "../server/store/store.js";
import { CliError } from "./client.js";

export const roleOption = () =>
  new Option("--role <role>", "viewer, operator or admin").choices(Role.options);

export const configOption = (cmd: Command) =>
  cmd.requiredOption("-c, --config <file>", "server config (YAML): server.database is opened");

/** Opens the server's store, runs fn, closes it. Config problems are a CliError (exit 1), not a stack. */
export async function withStore<T>(configFile: string, fn: (store: Store) => Promise<T>): Promise<T> {
  let cfg: ReturnType<typeof loadConfig>;
  try {
    cfg = loadConfig(configFile, "server");
  } catch (e) {
    if (e instanceof ConfigError)
      throw new CliError(`${e.message}\n${e.issues.length} problem(s) in ${configFile}`);
    throw e;
  }
  if (!cfg.server) throw new CliError(`${configFile}: server: section missing (needed by this command)`);
  const store = await openStore(cfg.server);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The audit entry of a CLI write: the OS account is the actor (the database's owner is an admin). */
export async function auditCli(
  store: Store,
  action: string,
  object: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await store.audit.append({
    at: Date.now(),
    actor: userInfo().username,
    role: "admin",
    via: "cli",
    addr: "",
    action,
    object,
    before: before ?? null,
    after: after ?? null,
  });
}

/**
 * A password from --password-file (first line), else from stdin: typed without echo on a terminal,
 * or the first line of piped input.
 */
export async function readPassword(file: string | undefined, prompt: string): Promise<string> {
  if (file !== undefined) return firstLine(readFileSync(file, "utf8"));
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return firstLine(Buffer.concat(chunks).toString("utf8"));
  }
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let text = "";
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003" || ch === "\u0004") return done(new CliError("cancelled"));
        if (ch === "\u007f" || ch === "\b") text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on("data", onData);
  });
}

function firstLine(s: string): string {
  return s.split(/\r?\n/)[0] ?? "";
}
