import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { secureHeaders } from "./headers.js";
import { type HttpRejects, pageLimit, rateLimit } from "./limits.js";
import type { LiveView } from "./live.js";
import type { ServerMetrics } from "./metrics.js";
import { HttpError, parseTime } from "./routes/http.js";
import type { Store } from "./store/store.js";

export interface ApiDeps {
  live: LiveView;
  store: Store;
  metrics: ServerMetrics;
  ready: () => boolean;
  /** Feature routes (faults, maintenance, indicators …). */
  routers?: Router[];
  /** Routes anyone may call, mounted before the guard (the public status page and its data). */
  publicRouters?: Router[];
  /** Authentication for /api (server/auth/guard.ts read()): GET needs a viewer unless anonymous_read. */
  guard?: express.RequestHandler;
  /** Counts every 4xx by status and reason. */
  rejects: HttpRejects;
  limits: { body_bytes: number; rate_per_address: number; rate_per_token: number; page_max: number };
  /** Set when served over TLS: the Strict-Transport-Security max-age. */
  hstsMaxAgeMs?: number;
  /** The console session cookie's name (rate limits key on its value's hash). */
  sessionCookie?: string;
}

/**
 * Monitoring: never rate limited (a scrape refused because someone behind the same address was busy
 * would look like an outage). Their answers are small and fixed-cost.
 */
const EXEMPT = ["/healthz", "/readyz", "/metrics"];

export function createApp(deps: ApiDeps): express.Express {
  const { live, store, metrics } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.use(deps.rejects.middleware());
  app.use(secureHeaders({ ...(deps.hstsMaxAgeMs !== undefined ? { hstsMaxAgeMs: deps.hstsMaxAgeMs } : {}) }));
  app.use(
    rateLimit({
      perAddress: deps.limits.rate_per_address,
      perCredential: deps.limits.rate_per_token,
      sessionCookie: deps.sessionCookie ?? "opswatch_session",
      exempt: EXEMPT,
    }),
  );
  app.use(express.json({ limit: deps.limits.body_bytes }));
  for (const r of deps.publicRouters ?? []) app.use(r);
  if (deps.guard) app.use("/api", deps.guard);

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", (_req, res) => {
    const ok = deps.ready();
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "starting" });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get("/api/v1/targets", (_req, res) => {
    const now = Date.now();
    res.json({
      targets: live.targets.map((t) => ({
        id: t.id,
        name: t.name,
        group: t.group,
        state: live.targetState(t, now),
        checks: t.checks.map((c) => ({
          id: c.id,
          kind: c.kind,
          state: live.checkState(t.id, c.id, now),
          agents: live
            .agentsOf(t.id, c.id, now)
            .map((a) => ({ agent: a.agent, fresh: a.fresh, last: a.last })),
        })),
      })),
    });
  });

  app.get("/api/v1/targets/:id/results", async (req, res) => {
    const id = req.params.id;
    if (!live.targets.some((t) => t.id === id)) {
      res.status(404).json({ error: "not_found", message: `no target "${id}"` });
      return;
    }
    const now = Date.now();
    const to = parseTime("to", req.query.to, now + 1);
    const from = parseTime("from", req.query.from, to - 3_600_000);
    const limit = pageLimit(req.query.limit, 100, deps.limits.page_max);
    if (from >= to) throw new HttpError(400, "from must be before to");
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor : undefined;
    let page: Awaited<ReturnType<Store["results"]>>;
    try {
      page = await store.results({ target: id, from, to, limit, cursor });
    } catch (e) {
      if (e instanceof RangeError) throw new HttpError(400, `cursor: ${e.message}`);
      throw e;
    }
    res.json({ target: id, from, to, results: page.items, next_cursor: page.next ?? null });
  });

  for (const r of deps.routers ?? []) app.use(r);

  app.use((_req, res) => {
    res.status(404).json({ error: "not_found", message: "no such endpoint" });
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.code, message: err.message });
      return;
    }
    // body-parser's own client errors (malformed JSON, too large) carry their status and a type.
    const { status, type } = err as { status?: number; type?: string };
    if (status && status >= 400 && status < 500) {
      const code =
        status === 413
          ? "too_large"
          : type === "entity.parse.failed"
            ? "bad_json"
            : type === "encoding.unsupported" || type === "charset.unsupported"
              ? "bad_encoding"
              : "bad_request";
      const message =
        status === 413
          ? `request body over ${deps.limits.body_bytes} bytes (limits.body_bytes)`
          : err.message;
      res.status(status).json({ error: code, message });
      return;
    }
    res.status(500).json({ error: "internal", message: "internal error (see server log)" });
  });
  return app;
}
