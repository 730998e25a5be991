// opswatch indicators: the official figures of a period (GET /api/v1/indicators) as the eight-row table
// of the service targets, with one line per target and its monitoring coverage.

import { type Command, Option } from "commander";
import { IndicatorId } from "../config/indicators.js";
import { formatPercent } from "../engine/availability.js";
import type { InspectionRate } from "../engine/inspections.js";
import type { IndicatorFigures, PeriodFigures, TargetFigures } from "../server/indicators.js";
import { action, CliError, Client, type ClientOptions, clientOptions } from "./client.js";
import { checkTz, fmtDuration, fmtTime, parseOptionTime, SITE_TZ, table } from "./format.js";

type Lang = "zh-CN" | "en";

/** The eight indicators of the service targets, in the order of indicators.md. */
const ORDER: readonly string[] = IndicatorId.options;

const NAMES: Record<string, Record<Lang, string>> = {
  website_uptime: { "zh-CN": "网站正常运行率", en: "Website uptime" },
  response_time: { "zh-CN": "系统对用户操作的响应时间", en: "Response time to user operations" },
  ups_power_stability: { "zh-CN": "UPS供电稳定性", en: "UPS power stability" },
  room_power_stability: { "zh-CN": "机房用电稳定性", en: "Machine-room power stability" },
  firewall_stability: { "zh-CN": "云平台边界防火墙运行稳定性", en: "Cloud boundary firewall stability" },
  fault_response_rate: { "zh-CN": "系统故障响应率", en: "Fault response rate" },
  fault_completion_rate: { "zh-CN": "系统故障处理完成率", en: "Fault completion rate" },
  inspection_pass_rate: { "zh-CN": "系统日常巡检达标率", en: "Daily inspection pass rate" },
};

const TEXT = {
  "zh-CN": {
    headers: ["指标", "目标值", "实际值", "是否达标"],
    met: "达标",
    notMet: "未达标",
    pending: "待定 (n/a)",
    period: "统计周期",
    computed: "计算时间",
    coverage: "覆盖率",
    lowCoverage: "覆盖率低",
    excluded: "维护排除",
    outages: "中断",
    samples: "抽样失败率",
    worstWeek: "最差7天",
    veto: "否决",
    ops: "次操作",
    within: "达标操作占比",
    faults: (r: Rate) => `达标 ${r.met}，超时 ${r.missed}，未到期 ${r.pending}`,
    mean: "平均响应 MTTA",
    meanResolve: "平均处理 MTTR",
    notReported: "服务器未提供该指标",
    noTargets: "未配置目标",
    inspections: (r: InspectionRate) =>
      `计划 ${r.scheduled}，合格 ${r.compliant}，不合格 ${r.nonCompliant}，未判定 ${r.pending}; 检查项通过率 ${formatPercent(r.items.share)} (${r.items.passed}/${r.items.withResult})`,
  },
  en: {
    headers: ["indicator", "objective", "actual", "met"],
    met: "met",
    notMet: "not met",
    pending: "pending (n/a)",
    period: "period",
    computed: "computed",
    coverage: "coverage",
    lowCoverage: "LOW COVERAGE",
    excluded: "maintenance excluded",
    outages: "outages",
    samples: "failed samples",
    worstWeek: "worst 7 days",
    veto: "VETO",
    ops: "operations",
    within: "within limit",
    faults: (r: Rate) => `met ${r.met}, missed ${r.missed}, pending ${r.pending}`,
    mean: "MTTA",
    meanResolve: "MTTR",
    notReported: "not reported by this server",
    noTargets: "no targets configured",
    inspections: (r: InspectionRate) =>
      `scheduled ${r.scheduled}, compliant ${r.compliant}, non-compliant ${r.nonCompliant}, pending ${r.pending}; items passed ${formatPercent(r.items.share)} (${r.items.passed}/${r.items.withResult})`,
  },
};

type Rate = PeriodFigures["faults"]["response"];
type Text = (typeof TEXT)[Lang];

/** A duration the API may spell "+Inf" (a failed operation), as whole ms rounded up: 3000.2 ms is not ≤ 3000 ms. */
function ms(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return "n/a";
  if (v === "+Inf" || v === Number.POSITIVE_INFINITY) return "∞ (failed)";
  return `${Math.ceil(Number(v))} ms`;
}

function verdict(met: boolean | null, t: Text): string {
  return met === null ? t.pending : met ? t.met : t.notMet;
}

function objective(ind: IndicatorFigures): string {
  return ind.id === "response_time" ? `p95 ≤ ${ind.objective} ms` : `≥ ${formatPercent(ind.objective)}`;
}

function actual(ind: IndicatorFigures): string {
  return ind.id === "response_time" ? `p95 ${ms(ind.value)}` : formatPercent(ind.value);
}

/** One line per target under its indicator. */
function targetLine(ind: IndicatorFigures, f: TargetFigures, t: Text): string {
  const a = f.availability;
  const parts: string[] = [];
  if (ind.id === "response_time" && f.responseTime) {
    const r = f.responseTime;
    parts.push(
      `p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, p99 ${ms(r.p99)}, max ${ms(r.max)}`,
      `${r.n} ${t.ops}, ${t.within} ${formatPercent(r.shareWithinLimit)}`,
    );
  } else {
    parts.push(formatPercent(a.ratio));
  }
  parts.push(`${t.coverage} ${formatPercent(a.coverage)}${f.lowCoverage ? ` ${t.lowCoverage}` : ""}`);
  if (a.excluded > 0) parts.push(`${t.excluded} ${fmtDuration(a.excluded)}`);
  if (a.outages.length > 0 && ind.id !== "response_time") parts.push(`${t.outages} ${a.outages.length}`);
  if (f.website) {
    const w = f.website;
    parts.push(`${t.samples} ${formatPercent(w.samples.share)} (${w.samples.failed}/${w.samples.total})`);
    if (w.worstWeek)
      parts.push(`${t.worstWeek} ${formatPercent(w.worstWeek.share)}${w.worstWeek.veto ? ` ${t.veto}` : ""}`);
  }
  return `    · ${f.name} (${f.target}): ${parts.join("; ")} — ${verdict(f.met, t)}`;
}

export function indicatorsText(p: PeriodFigures, lang: Lang, tz: string): string {
  const t = TEXT[lang];
  const byId = new Map(p.indicators.map((i) => [i.id, i]));
  const ids = [...ORDER, ...p.indicators.map((i) => i.id).filter((id) => !ORDER.includes(id))];
  const name = (id: string) => (NAMES[id] ? `${NAMES[id][lang]} ${id}` : id);
  const rows = ids.map((id) => {
    const ind = byId.get(id);
    if (!ind) return [name(id), "—", "n/a", `${t.pending} *`];
    return [name(id), objective(ind), actual(ind), verdict(ind.met, t)];
  });
  const out = [
    `${t.period}: ${fmtTime(p.period.start, tz)} — ${fmtTime(p.period.end, tz)} (${tz}); ${t.computed} ${fmtTime(p.computedAt, tz, true)}`,
    "",
    table(t.headers, rows),
  ];
  if (ids.some((id) => !byId.has(id))) out.push(`* ${t.notReported}`);
  for (const id of ids) {
    const ind = byId.get(id);
    if (!ind) continue;
    if (id === "fault_response_rate" || id === "fault_completion_rate") {
      const r = id === "fault_response_rate" ? p.faults.response : p.faults.completion;
      const mean =
        id === "fault_response_rate" ? [t.mean, p.faults.mttaMs] : [t.meanResolve, p.faults.mttrMs];
      out.push(
        "",
        name(id),
        `    · ${t.faults(r)}; ${mean[0]} ${mean[1] === null ? "n/a" : fmtDuration(Number(mean[1]))}`,
      );
      continue;
    }
    // A server without inspections (older) sends no `inspections`.
    const inspections = (p as { inspections?: InspectionRate }).inspections;
    if (id === "inspection_pass_rate" && inspections) {
      out.push("", name(id), `    · ${t.inspections(inspections)}`);
      continue;
    }
    if (ORDER.slice(0, 5).includes(id)) {
      out.push("", name(id));
      out.push(
        ...(ind.targets.length ? ind.targets.map((f) => targetLine(ind, f, t)) : [`    · ${t.noTargets}`]),
      );
    }
  }
  return out.join("\n");
}

/** --month / --from / --to → the query, checked here so each mistake names its option. */
export function periodQuery(
  o: { month?: string; from?: string; to?: string },
  tz: string,
): Record<string, string> {
  if (o.month !== undefined) {
    if (o.from !== undefined || o.to !== undefined)
      throw new CliError("give --month or --from/--to, not both");
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(o.month))
      throw new CliError(`--month: "${o.month}" is not a month YYYY-MM`);
    return { month: o.month };
  }
  if (o.from === undefined) {
    if (o.to !== undefined) throw new CliError("--to needs --from");
    return {};
  }
  const from = parseOptionTime("--from", o.from, tz);
  const q: Record<string, string> = { from: String(from) };
  if (o.to !== undefined) {
    const to = parseOptionTime("--to", o.to, tz);
    if (to <= from) throw new CliError("--to must be after --from");
    q.to = String(to);
  }
  return q;
}

export function registerIndicatorsCommand(program: Command): void {
  clientOptions(
    program
      .command("indicators")
      .description(
        "the service indicators of a period: objective, actual, met or not, per target (default: this month)",
      ),
  )
    .option("--month <YYYY-MM>", "a calendar month in the site's time zone")
    .option("--from <time>", "period start, ISO 8601 with offset, e.g. 2025-03-01T00:00+08:00")
    .option("--to <time>", "period end (default now), ISO 8601 with offset")
    .addOption(new Option("--lang <lang>", "language of the table").choices(["zh-CN", "en"]).default("zh-CN"))
    .addOption(new Option("--tz <zone>", "time zone for the times shown").default(SITE_TZ))
    .option("--json", "print the server's JSON")
    .action(
      action(
        async (
          o: ClientOptions & {
            month?: string;
            from?: string;
            to?: string;
            lang: Lang;
            tz: string;
            json?: boolean;
          },
        ) => {
          const tz = checkTz(o.tz);
          const query = periodQuery(o, tz);
          const client = new Client(o);
          const p = await client.get<PeriodFigures>("/api/v1/indicators", query);
          process.stdout.write(
            o.json ? `${JSON.stringify(p, null, 2)}\n` : `${indicatorsText(p, o.lang, tz)}\n`,
          );
        },
      ),
    );
}
