import express, { type NextFunction, type Request, type Response } from "express";
import type { LiveView } from "./live.js";
import type { ServerMetrics } from "./metrics.js";
import type { Store } from "./store/store.js";

export interface ApiDeps {
  live: LiveView;
  store: Store;
  metrics: ServerMetrics;
  ready: () => boolean;
}

class BadRequest extends Error {}

/** Epoch ms or an ISO 8601 time that carries its offset (Z or +08:00): a bare local time is ambiguous. */
function parseTime(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "string") throw new BadRequest(`${name}: expected one value`);
  if (/^\d+$/.test(value)) return Number(value);
  if (!/(Z|[+-]\d\d:?\d\d)$/.test(value)) throw new BadRequest(`${name}: time needs an offset (Z or +08:00)`);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new BadRequest(`${name}: not a time: ${value}`);
  return t;
}

export function createApp(deps: ApiDeps): express.Express {
  const { live, store, metrics } = deps;
  const app = express();
  app.disable("x-powered-by");

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
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequest("limit: integer 1..1000");
    if (from >= to) throw new BadRequest("from must be before to");
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor : undefined;
    let page: Awaited<ReturnType<Store["results"]>>;
    try {
      page = await store.results({ target: id, from, to, limit, cursor });
    } catch (e) {
      if (e instanceof RangeError) throw new BadRequest(`cursor: ${e.message}`);
      throw e;
    }
    res.json({ target: id, from, to, results: page.items, next_cursor: page.next ?? null });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: "not_found", message: "no such endpoint" });
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof BadRequest) {
      res.status(400).json({ error: "bad_request", message: err.message });
      return;
    }
    res.status(500).json({ error: "internal", message: "internal error (see server log)" });
  });
  return app;
}
