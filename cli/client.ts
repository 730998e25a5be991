// What the operator commands (fault, maintenance, indicators, import) share: they are thin HTTP clients
// of the server API. The server comes from --server or OPSWATCH_SERVER; the token from OPSWATCH_TOKEN or
// --token-file, never from a flag (it would land in shell history and `ps`), and it is never printed.
// Every failure is one line on stderr and exit 1, never a stack trace.
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";

export const DEFAULT_SERVER = "http://127.0.0.1:8080";

/** A failure the operator can act on: printed as "error: <message>", exit 1. */
export class CliError extends Error {}

export interface ClientOptions {
  server: string;
  tokenFile?: string;
}

/** Adds --server and --token-file to a command. */
export function clientOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--server <url>", "opswatch server URL").env("OPSWATCH_SERVER").default(DEFAULT_SERVER),
    )
    .option(
      "--token-file <file>",
      "file holding the API token (default: the OPSWATCH_TOKEN environment variable)",
    );
}

/** Wraps a command action: a thrown error becomes "error: message" on stderr and exit code 1. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  };
}

type Query = Record<string, string | undefined>;

export class Client {
  readonly base: URL;
  private readonly token: string | undefined;
  /** Where the token came from, for messages ("OPSWATCH_TOKEN", "--token-file FILE"). */
  private readonly tokenSource: string;

  constructor(o: ClientOptions) {
    this.base = parseServer(o.server);
    if (o.tokenFile !== undefined) {
      this.tokenSource = `--token-file ${o.tokenFile}`;
      let text: string;
      try {
        text = readFileSync(o.tokenFile, "utf8");
      } catch (e) {
        throw new CliError(
          `--token-file: cannot read ${o.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? e}`,
        );
      }
      this.token = checkToken(text.trim(), this.tokenSource);
    } else {
      this.tokenSource = "OPSWATCH_TOKEN";
      const env = process.env.OPSWATCH_TOKEN?.trim();
      this.token = env ? checkToken(env, this.tokenSource) : undefined;
    }
  }

  /** Fails early, before anything is sent, when a write has no token to send. */
  requireToken(): void {
    if (this.token === undefined)
      throw new CliError(
        "no API token: set OPSWATCH_TOKEN or pass --token-file FILE (an operator token from server.api_tokens)",
      );
  }

  url(path: string, query: Query = {}): URL {
    const u = new URL(path.replace(/^\//, ""), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", this.url(path, query));
  }

  /** A write: needs a token (operator role on the server). */
  post<T>(path: string, body: unknown = {}): Promise<T> {
    this.requireToken();
    return this.request<T>("POST", this.url(path), {
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
  }

  /** Sends the request and returns the parsed JSON of a 2xx answer; anything else throws a CliError. */
  async request<T>(method: string, url: URL, init: RequestInit = {}): Promise<T> {
    const headers = new Headers(init.headers);
    headers.set("accept", "application/json");
    if (this.token !== undefined) headers.set("authorization", `Bearer ${this.token}`);
    let res: Response;
    try {
      res = await fetch(url, { ...init, method, headers });
    } catch (e) {
      throw connectionError(e, url);
    }
    const text = await res.text().catch((e: Error) => {
      throw new CliError(`${url.origin}: the answer broke off: ${e.message}`);
    });
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const what = `${method} ${url.pathname}`;
    if (!res.ok) {
      const m = (json as { message?: unknown } | undefined)?.message;
      const message = typeof m === "string" ? m : text.trim().slice(0, 300) || res.statusText;
      let hint = "";
      if (res.status === 401)
        hint =
          this.token === undefined
            ? "; set OPSWATCH_TOKEN or pass --token-file FILE"
            : `; the server does not know the token from ${this.tokenSource}`;
      throw new CliError(`${message} (HTTP ${res.status} from ${what})${hint}`);
    }
    if (json === undefined)
      throw new CliError(
        `${what}: expected JSON from ${url.origin}, got ${res.headers.get("content-type") ?? "nothing"}`,
      );
    return json as T;
  }
}

function parseServer(server: string): URL {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    throw new CliError(`--server: "${server}" is not a URL such as ${DEFAULT_SERVER}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new CliError(`--server: "${server}" must be an http:// or https:// URL`);
  if (u.username || u.password)
    throw new CliError("--server: put no credentials in the URL (use OPSWATCH_TOKEN)");
  u.search = "";
  u.hash = "";
  if (!u.pathname.endsWith("/")) u.pathname += "/"; // keeps a reverse-proxy prefix such as /opswatch/
  return u;
}

/** A token must be one visible-ASCII word (it goes into an HTTP header); the message never shows it. */
function checkToken(token: string, source: string): string {
  if (token === "") throw new CliError(`${source}: the token is empty`);
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new CliError(`${source}: the token has spaces, line breaks or non-ASCII characters`);
  return token;
}

/** "connection refused" and friends, naming the URL that was tried. */
export function connectionError(e: unknown, url: URL): CliError {
  if (e instanceof CliError) return e;
  const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  const where = url.origin;
  switch (code) {
    case "ECONNREFUSED":
      return new CliError(
        `cannot connect to ${where}: connection refused (is the server running? set --server or OPSWATCH_SERVER)`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new CliError(`cannot connect to ${where}: unknown host ${url.hostname}`);
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return new CliError(`cannot connect to ${where}: timed out`);
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
      return new CliError(`the connection to ${where} was closed before the server answered`);
    default: {
      const detail = cause?.message ?? (e instanceof Error ? e.message : String(e));
      return new CliError(`request to ${where} failed: ${detail}${code ? ` (${code})` : ""}`);
    }
  }
}
