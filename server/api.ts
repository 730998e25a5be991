import express, { type NextFunction, type Request, type Response, type Router } from "express";
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
  /** Authentication for /api (server/auth/guard.ts read()): GET needs a viewer unless anonymous_read. */
  guard?: express.RequestHandler;
}

export function createApp(deps: ApiDeps): express.Express {
  const { live, store, metrics } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "1mb" }));
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
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new HttpError(400, "limit: integer 1..1000");
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
    // body-parser's own client errors (malformed JSON, too large) carry their status.
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: "bad_request", message: err.message });
      return;
    }
    res.status(500).json({ error: "internal", message: "internal error (see server log)" });
  });
  return app;
}
