import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { Router } from "express";

/** The bundled UI (scripts/build-web.mjs): dist/web next to dist/server. */
export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "../web");

export interface WebOptions {
  site: { name: string; timezone: string };
  statusPage: boolean;
  dir?: string;
}

/**
 * The browser UI: GET /api/v1/site (public: the page needs the site's name and zone before login),
 * /assets/* (hashed-free names, so revalidated) and index.html for the page paths the UI routes itself.
 */
export function webRoutes(o: WebOptions): Router {
  const dir = o.dir ?? WEB_DIR;
  const r = Router();
  r.get("/api/v1/site", (_req, res) => {
    res.json({ name: o.site.name, timezone: o.site.timezone, status_page: o.statusPage });
  });
  r.use("/assets", express.static(join(dir, "assets"), { fallthrough: false, maxAge: 0, etag: true }));
  const index = join(dir, "index.html");
  const page = (_req: express.Request, res: express.Response) => {
    if (!existsSync(index)) {
      res.status(503).type("text/plain").send("the web UI is not built: run npm run build");
      return;
    }
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  };
  r.get(["/", "/status", "/console", "/console/*rest"], page);
  // A notification's ack link is <public_url>/api/v1/faults/<id> (docs/notifications.md): tapped in a
  // phone's browser (it asks for HTML) it lands on the console's page of that fault; API clients
  // (JSON or */*) go on to the API as before.
  r.get("/api/v1/faults/:id", (req, res, next) => {
    if (req.accepts(["json", "html"]) !== "html" || !existsSync(index)) return next();
    res.redirect(303, `/console/faults?id=${encodeURIComponent(String(req.params.id))}`);
  });
  return r;
}
