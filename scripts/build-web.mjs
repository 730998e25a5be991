#!/usr/bin/env node
// Bundles the browser UI (web/src, Preact) into dist/web: one script, one stylesheet, one page. Run by
// `npm run build` (so by `npm ci` through `prepare`); no CDN at run time. Fails above the bundle budget.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** README "Web UI": the whole UI, gzipped, stays under this. */
export const BUDGET_GZIP_BYTES = 200 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/web");
mkdirSync(join(out, "assets"), { recursive: true });
const result = await build({
  entryPoints: [join(root, "web/src/main.tsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(out, "assets"),
  entryNames: "app",
  loader: { ".css": "css" },
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});
writeFileSync(join(out, "index.html"), readFileSync(join(root, "web/index.html")));
let gz = 0;
for (const file of Object.keys(result.metafile.outputs))
  gz += gzipSync(readFileSync(join(root, file))).length;
gz += gzipSync(readFileSync(join(out, "index.html"))).length;
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
if (gz > BUDGET_GZIP_BYTES) {
  console.error(`web UI is ${kb(gz)} gzipped, over its ${kb(BUDGET_GZIP_BYTES)} budget`);
  process.exit(1);
}
if (process.env.OPSWATCH_WEB_SIZE) console.log(`web UI: ${kb(gz)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
