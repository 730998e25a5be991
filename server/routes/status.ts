import { Router } from "express";
import type { StatusHistory, StatusView } from "../status.js";
import { handler, sendJson } from "./http.js";

export interface StatusRouteDeps {
  /** server.status_page: false answers 404, as if the page did not exist. */
  enabled: boolean;
  view: () => Promise<StatusView>;
  history: StatusHistory;
}

/**
 * The public status page's data, mounted before the guard (anyone may read it): GET /api/v1/status
 * (cheap: the page fetches it on every change) and GET /api/v1/status/history (cached about 60 s).
 */
export function statusRoutes(d: StatusRouteDeps): Router {
  const r = Router();
  const off = (res: import("express").Response) =>
    res.status(404).json({ error: "not_found", message: "the status page is disabled (server.status_page)" });
  r.get(
    "/api/v1/status",
    handler(async (_req, res) => {
      if (!d.enabled) return void off(res);
      res.setHeader("Cache-Control", "no-store");
      sendJson(res, await d.view());
    }),
  );
  r.get(
    "/api/v1/status/history",
    handler(async (_req, res) => {
      if (!d.enabled) return void off(res);
      res.setHeader("Cache-Control", "no-store");
      sendJson(res, await d.history.get());
    }),
  );
  return r;
}
