// opswatch report: the monthly report (月度运维报告) of a period. An API client: it fetches the report
// model (GET /api/v1/reports?format=json) and renders it here with the server's own renderers, so a
// CSV directory (one file per section) needs one request. Progress goes to stderr when it is a terminal.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { FORMAT_NAMES, REPORT_FORMATS, type ReportFormat } from "../server/report/formats.js";
import type { Lang } from "../server/report/i18n.js";
import { ReportModel } from "../server/report/model.js";
import { renderCsv } from "../server/report/render-csv.js";
import { action, CliError, Client, type ClientOptions, clientOptions } from "./client.js";
import { SITE_TZ } from "./format.js";
import { periodQuery } from "./indicators.js";

type Options = ClientOptions & {
  month?: string;
  from?: string;
  to?: string;
  format: ReportFormat;
  lang: Lang;
  out?: string;
};

export function registerReportCommand(program: Command): void {
  clientOptions(
    program
      .command("report")
      .description(
        "the monthly report (月度运维报告) of a period as JSON, Markdown, CSV or Excel (default: this month to date)",
      ),
  )
    .option("--month <YYYY-MM>", "a calendar month in the site's time zone")
    .option("--from <time>", "period start, ISO 8601 with offset, e.g. 2026-11-01T00:00+08:00")
    .option("--to <time>", "period end (default now), ISO 8601 with offset")
    .addOption(new Option("--format <format>", "output format").choices(FORMAT_NAMES).default("md"))
    .addOption(new Option("--lang <lang>", "language").choices(["zh-CN", "en"]).default("zh-CN"))
    .option(
      "--out <path>",
      "write to this file (csv: this directory, one file per section); default stdout (not for xlsx)",
    )
    .action(
      action(async (o: Options) => {
        const progress = (s: string) => {
          if (process.stderr.isTTY) process.stderr.write(`${s}\n`);
        };
        if (o.format === "csv" && o.out === undefined)
          throw new CliError("--format csv writes one file per section: give --out DIR");
        if (REPORT_FORMATS[o.format].binary && o.out === undefined)
          throw new CliError(`--format ${o.format} is a binary file: give --out FILE`);
        const query = periodQuery(o, SITE_TZ);
        const client = new Client(o);
        progress(`fetching the report from ${client.base.origin} …`);
        const raw = await client.get<unknown>("/api/v1/reports", { ...query, format: "json" });
        const parsed = ReportModel.safeParse(raw);
        if (!parsed.success) {
          const i = parsed.error.issues[0];
          throw new CliError(
            `the server sent a report this client does not understand (${i?.path.join(".")}: ${i?.message}); upgrade one of them`,
          );
        }
        const model = parsed.data;
        if (o.format === "csv") {
          const dir = o.out as string;
          await mkdir(dir, { recursive: true });
          const sections = renderCsv(model, o.lang);
          for (const [name, text] of Object.entries(sections)) {
            const file = join(dir, `${name}.csv`);
            await writeFile(`${file}.tmp`, text);
            await rename(`${file}.tmp`, file);
          }
          progress(`wrote ${Object.keys(sections).length} CSV files to ${dir}`);
          return;
        }
        const text = await REPORT_FORMATS[o.format].render(model, o.lang);
        if (o.out === undefined) {
          process.stdout.write(text);
          return;
        }
        await writeFile(`${o.out}.tmp`, text).catch(async (e) => {
          await rm(`${o.out}.tmp`, { force: true });
          throw new CliError(`--out: cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? e}`);
        });
        await rename(`${o.out}.tmp`, o.out);
        progress(`wrote ${o.out}`);
      }),
    );
}
