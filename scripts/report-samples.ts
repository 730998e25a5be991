// Writes docs/samples/report-2026-10.<lang>.<ext>: the golden month of the report tests
// (test/integration/report.fixture.ts) rendered in every format registered in server/report/formats.ts
// (re-exported by service.ts), through a real server, so a new renderer gets its sample for free.
//   npm run report:samples                 # zh-CN, every format
//   npx tsx scripts/report-samples.ts --lang en --formats xlsx,md
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LANGS, type Lang } from "../server/report/i18n.js";
import { ReportModel } from "../server/report/model.js";
import { FORMAT_NAMES, isReportFormat, REPORT_FORMATS } from "../server/report/service.js";
import { goldenServer } from "../test/integration/report.fixture.js";

const MONTH = "2026-10";

const { values } = parseArgs({
  options: {
    lang: { type: "string", default: "zh-CN" },
    formats: { type: "string", default: FORMAT_NAMES.join(",") },
    out: { type: "string", default: fileURLToPath(new URL("../docs/samples/", import.meta.url)) },
  },
});
const lang = values.lang as Lang;
if (!LANGS.includes(lang)) throw new Error(`--lang: one of ${LANGS.join(", ")}`);
const formats = values.formats.split(",").map((f) => f.trim());
for (const f of formats)
  if (!isReportFormat(f)) throw new Error(`--formats: ${f} is not one of ${FORMAT_NAMES.join(", ")}`);

const g = await goldenServer();
try {
  const r = await g.api(`/api/v1/reports?month=${MONTH}&format=json`);
  if (r.status !== 200) throw new Error(`report: HTTP ${r.status} ${await r.text()}`);
  const model = ReportModel.parse(await r.json());
  mkdirSync(values.out, { recursive: true });
  for (const f of formats) {
    if (!isReportFormat(f)) continue;
    const spec = REPORT_FORMATS[f];
    const body = await spec.render(model, lang);
    const file = join(values.out, `report-${MONTH}.${lang}.${spec.extension}`);
    writeFileSync(file, body);
    process.stdout.write(`wrote ${file} (${Buffer.byteLength(body)} bytes)\n`);
  }
} finally {
  await g.srv.close();
  rmSync(g.dir, { recursive: true, force: true });
}
