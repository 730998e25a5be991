// A small business system on loopback for operation tests, shaped like the ones operators log into: a
// login page with a CSRF token in a hidden input (bound to a pre-session cookie), a form POST that checks
// token and credentials and sets a session cookie, and a JSON API behind the session.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Extra time (ms) each page takes before answering; change it between probes. */
export interface Delays {
  login_page: number;
  login: number;
  api: number;
}

export interface LoginApp {
  url: string;
  delays: Delays;
  /** Every request as received: method, path, cookie header and body. */
  requests: { method: string; path: string; cookie: string; body: string }[];
  close(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1 (port chosen by the OS). `users` maps user names to passwords. CSRF tokens
 * hold '+', '/' and '=' (base64), so a token pasted into a form body unencoded is rejected.
 */
export async function startLoginApp(
  users: Record<string, string>,
  delays: Partial<Delays> = {},
): Promise<LoginApp> {
  const pending = new Map<string, string>(); // pre-session id → CSRF token
  const sessions = new Map<string, string>(); // session id → user
  const app: LoginApp = {
    url: "",
    delays: { login_page: 0, login: 0, api: 0, ...delays },
    requests: [],
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const cookie = req.headers.cookie ?? "";
    app.requests.push({ method: req.method ?? "", path, cookie, body });
    const cookies = new Map(cookie.split(/;\s*/).map((c) => c.split("=", 2) as [string, string | undefined]));
    const send = (status: number, type: string, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, ...headers }).end(text);
    };
    const route = `${req.method} ${path}`;
    if (route === "GET /login") {
      await sleep(app.delays.login_page);
      const pre = token();
      const csrf = `${randomBytes(12).toString("base64")}+/=`;
      pending.set(pre, csrf);
      send(
        200,
        "text/html; charset=utf-8",
        `<form method="post" action="/login"><input type="hidden" name="csrf" value="${csrf}">` +
          `<input name="username"><input type="password" name="password"></form>`,
        { "set-cookie": `pre=${pre}; Path=/; HttpOnly` },
      );
    } else if (route === "POST /login") {
      await sleep(app.delays.login);
      const form = new URLSearchParams(body);
      const expected = pending.get(cookies.get("pre") ?? "");
      if (expected === undefined || form.get("csrf") !== expected) {
        send(403, "text/plain", "CSRF token missing or wrong");
      } else if (users[form.get("username") ?? ""] !== form.get("password")) {
        // Echoes the user name back, as many login pages do; never the password.
        send(401, "text/html; charset=utf-8", `用户名或密码错误 for ${form.get("username")}`);
      } else {
        const sid = token();
        sessions.set(sid, form.get("username") as string);
        send(302, "text/plain", "", { location: "/home", "set-cookie": `sid=${sid}; Path=/; HttpOnly` });
      }
    } else if (route === "GET /home") {
      const user = sessions.get(cookies.get("sid") ?? "");
      send(user ? 200 : 401, "text/html; charset=utf-8", user ? `欢迎, ${user}` : "请先登录");
    } else if (route === "GET /api/me") {
      await sleep(app.delays.api);
      const user = sessions.get(cookies.get("sid") ?? "");
      if (user === undefined) send(401, "application/json", JSON.stringify({ code: 401, data: null }));
      else send(200, "application/json", JSON.stringify({ code: 0, data: { user, ok: true } }));
    } else if (route === "GET /api/echo") {
      // A search API that echoes its query, as many do.
      const q = new URL(req.url ?? "/", "http://x").searchParams.get("q");
      send(200, "application/json", JSON.stringify({ q }));
    } else {
      send(404, "text/plain", "not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  app.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return app;
}

const token = () => randomBytes(16).toString("hex");
const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
