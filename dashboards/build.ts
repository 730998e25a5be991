// npm run dashboards: writes dashboards/*.json from dashboards/src (run with tsx, not compiled).
// --check: writes nothing, exits 1 when a committed file differs from what the sources produce.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { render } from "./src/index.js";

const dir = import.meta.dirname;
const check = process.argv.includes("--check");
let stale = 0;
for (const { file, text } of render()) {
  const target = path.join(dir, file);
  let old: string | undefined;
  try {
    old = readFileSync(target, "utf8");
  } catch {
    old = undefined;
  }
  if (old === text) continue;
  if (check) {
    console.error(`dashboards/${file} is out of date: run npm run dashboards`);
    stale++;
  } else {
    writeFileSync(target, text);
    console.log(`wrote dashboards/${file}`);
  }
}
if (stale) process.exit(1);
