// The report's words in zh-CN and en: the same keys in both tables (a unit test enumerates them).
// Placeholders are written {name} and filled by t().
import { formatPercent } from "../../engine/availability.js";
import type { ReportModel } from "./model.js";

export const LANGS = ["zh-CN", "en"] as const;
export type Lang = (typeof LANGS)[number];

const zh = {
  title: "《{unit}数据中心运维服务月度报告（{when}）》",
  titleMonth: "{year}年{month}月",
  titleRange: "{from} 至 {to}",
  period: "统计周期",
  generated: "生成时间",
  timezone: "时区",
  monthToDate: "（月度累计，截至 {to}）",
  noData: "无数据",
  noDataNote: "本周期没有任何监控数据、故障或巡检记录：各项指标无法计算（不是 100%）。",
  "section.1": "1. 关键指标",
  "section.2": "2. 系统可用率",
  "section.3": "3. 故障统计",
  "section.4": "4. 巡检情况",
  "section.5": "5. 机房动力与网络安全设备",
  "section.6": "6. 计划维护",
  "section.7": "7. 数据覆盖",
  "section.8": "8. 计算方法",
  "ind.website_uptime": "网站正常运行率",
  "ind.response_time": "系统对用户操作的响应时间",
  "ind.ups_power_stability": "UPS供电稳定性",
  "ind.room_power_stability": "机房用电稳定性",
  "ind.firewall_stability": "云平台边界防火墙运行稳定性",
  "ind.fault_response_rate": "系统故障响应率",
  "ind.fault_completion_rate": "系统故障处理完成率",
  "ind.inspection_pass_rate": "系统日常巡检达标率",
  "col.indicator": "指标",
  "col.objective": "目标值",
  "col.actual": "实际值",
  "col.met": "是否达标",
  "col.coverage": "覆盖率",
  "col.target": "对象",
  "col.ast": "约定服务时间",
  "col.excluded": "维护排除",
  "col.downtime": "中断时长",
  "col.unknown": "无数据时长",
  "col.outages": "中断次数",
  "col.longest": "最长中断",
  "col.flaps": "抖动次数",
  "col.severity": "级别",
  "col.opened": "发生数",
  "col.response": "响应（达标/超时/未到期）",
  "col.completion": "处理（达标/超时/未到期）",
  "col.id": "编号",
  "col.title": "故障",
  "col.openedAt": "发生时间",
  "col.status": "状态",
  "col.time": "时间",
  "col.event": "事件",
  "col.actor": "人员",
  "col.note": "说明",
  "col.kind": "类型",
  "col.start": "开始",
  "col.end": "结束",
  "col.duration": "时长",
  "col.window": "维护窗口",
  "col.reason": "原因",
  "col.approvedBy": "批准人",
  "col.recordedAt": "登记时间",
  "col.planned": "计划内",
  "col.plan": "巡检计划",
  "col.scheduledAt": "计划时间",
  "col.failedItems": "未通过项",
  "col.parameter": "参数",
  "col.value": "取值",
  met: "达标",
  notMet: "未达标",
  pending: "待定",
  yes: "是",
  no: "否",
  late: "事后登记（不排除）",
  cancelled: "已取消",
  lowCoverage: "覆盖率低于 {threshold}",
  none: "无",
  outages: "中断",
  response: "响应",
  completion: "处理",
  "status.open": "处理中",
  "status.resolved": "已解决",
  "status.compliant": "达标",
  "status.non_compliant": "不达标",
  "status.pending": "待判定",
  "outcome.met": "按时",
  "outcome.missed": "超时",
  "outcome.pending": "未到期",
  "outcome.unknown": "无法计算",
  "event.opened": "发生",
  "event.attached": "再次检测",
  "event.acknowledged": "响应",
  "event.escalated": "升级",
  "event.resolved": "解决",
  "event.reopened": "重新打开",
  "event.recovered": "自动恢复",
  "kind.load_unpowered": "UPS 输出断电",
  "kind.mains_abnormal": "市电异常（电池供电）",
  "kind.firewall_unstable": "防火墙不稳定",
  faultSummary: "本期发生故障 {opened} 起；平均响应时间 MTTA {mtta}，平均处理时间 MTTR {mttr}。",
  inspectionSummary:
    "计划巡检 {scheduled} 次：达标 {compliant}，不达标 {nonCompliant}（其中未执行 {missed}），待判定 {pending}；检查项通过率 {share}（{passed}/{withResult}）。",
  websiteSamples: "{name}：抽样失败率 {share}（{failed}/{total}）；最差连续 7 天 {worst}{veto}",
  veto: "，达到 {share} 否决线",
  responseLine: "{name}：{n} 次操作，p50 {p50}，p95 {p95}，p99 {p99}，最大 {max}；{limit} 内占比 {share}",
  failedOp: "∞（失败）",
  "chart.daily": "每日可用率",
  "chart.responseTime": "响应时间分位数",
  "chart.faults": "各级别故障",
  "chart.limit": "限值 {limit}",
  "chart.objective": "目标 {objective}",
  "chart.noDay": "灰色：当日无数据",
  "chart.opened": "发生 {n}",
  "method.intro":
    "各项指标按 docs/indicators.md 的定义计算；下表列出本报告使用的参数，可据此由原始监控结果复核每一项数字。百分比截断（不四舍五入）到两位小数，是否达标按精确值判断。audit.* 行为本期审计日志中各类写操作（确认、处理、维护、巡检签核、用户与令牌变更等）的条数，明细见 GET /api/v1/audit。",
} as const;

export type Key = keyof typeof zh;

const en: Record<Key, string> = {
  title: "{unit} Data Center Operations Monthly Report ({when})",
  titleMonth: "{monthName} {year}",
  titleRange: "{from} to {to}",
  period: "Period",
  generated: "Generated",
  timezone: "Time zone",
  monthToDate: " (month to date, up to {to})",
  noData: "no data",
  noDataNote:
    "There is no monitoring data, fault or inspection in this period: no indicator can be computed (this is not 100 %).",
  "section.1": "1. Key indicators",
  "section.2": "2. System availability",
  "section.3": "3. Faults",
  "section.4": "4. Inspections",
  "section.5": "5. Room power and network security devices",
  "section.6": "6. Planned maintenance",
  "section.7": "7. Data coverage",
  "section.8": "8. Method and parameters",
  "ind.website_uptime": "Website uptime",
  "ind.response_time": "Response time to user operations",
  "ind.ups_power_stability": "UPS power stability",
  "ind.room_power_stability": "Machine-room power stability",
  "ind.firewall_stability": "Cloud boundary firewall stability",
  "ind.fault_response_rate": "Fault response rate",
  "ind.fault_completion_rate": "Fault completion rate",
  "ind.inspection_pass_rate": "Daily inspection pass rate",
  "col.indicator": "Indicator",
  "col.objective": "Objective",
  "col.actual": "Actual",
  "col.met": "Met",
  "col.coverage": "Coverage",
  "col.target": "Target",
  "col.ast": "Agreed service time",
  "col.excluded": "Maintenance excluded",
  "col.downtime": "Downtime",
  "col.unknown": "No data",
  "col.outages": "Outages",
  "col.longest": "Longest outage",
  "col.flaps": "Flaps",
  "col.severity": "Severity",
  "col.opened": "Opened",
  "col.response": "Response (met/missed/pending)",
  "col.completion": "Completion (met/missed/pending)",
  "col.id": "ID",
  "col.title": "Fault",
  "col.openedAt": "Opened at",
  "col.status": "Status",
  "col.time": "Time",
  "col.event": "Event",
  "col.actor": "By",
  "col.note": "Note",
  "col.kind": "Kind",
  "col.start": "Start",
  "col.end": "End",
  "col.duration": "Duration",
  "col.window": "Window",
  "col.reason": "Reason",
  "col.approvedBy": "Approved by",
  "col.recordedAt": "Recorded at",
  "col.planned": "Planned",
  "col.plan": "Plan",
  "col.scheduledAt": "Scheduled at",
  "col.failedItems": "Failed items",
  "col.parameter": "Parameter",
  "col.value": "Value",
  met: "met",
  notMet: "not met",
  pending: "pending",
  yes: "yes",
  no: "no",
  late: "recorded late (excludes nothing)",
  cancelled: "cancelled",
  lowCoverage: "coverage below {threshold}",
  none: "none",
  outages: "outages",
  response: "response",
  completion: "completion",
  "status.open": "open",
  "status.resolved": "resolved",
  "status.compliant": "compliant",
  "status.non_compliant": "non-compliant",
  "status.pending": "pending",
  "outcome.met": "in time",
  "outcome.missed": "missed",
  "outcome.pending": "not yet due",
  "outcome.unknown": "cannot compute",
  "event.opened": "opened",
  "event.attached": "detected again",
  "event.acknowledged": "acknowledged",
  "event.escalated": "escalated",
  "event.resolved": "resolved",
  "event.reopened": "reopened",
  "event.recovered": "recovered",
  "kind.load_unpowered": "UPS load unpowered",
  "kind.mains_abnormal": "Mains abnormal (on battery)",
  "kind.firewall_unstable": "Firewall unstable",
  faultSummary: "{opened} fault(s) opened in the period; MTTA {mtta}, MTTR {mttr}.",
  inspectionSummary:
    "{scheduled} inspection(s) scheduled: {compliant} compliant, {nonCompliant} non-compliant ({missed} never started), {pending} pending; items passed {share} ({passed}/{withResult}).",
  websiteSamples: "{name}: failed samples {share} ({failed}/{total}); worst 7 days {worst}{veto}",
  veto: ", at or above the {share} veto line",
  responseLine: "{name}: {n} operations, p50 {p50}, p95 {p95}, p99 {p99}, max {max}; within {limit} {share}",
  failedOp: "∞ (failed)",
  "chart.daily": "Daily availability",
  "chart.responseTime": "Response-time percentiles",
  "chart.faults": "Faults by severity",
  "chart.limit": "limit {limit}",
  "chart.objective": "objective {objective}",
  "chart.noDay": "grey: no data that day",
  "chart.opened": "{n} opened",
  "method.intro":
    "Every indicator is computed as docs/indicators.md defines it; the table lists the parameters this report used, so each figure can be recomputed from the raw monitoring results. Percentages are truncated (not rounded) to two decimals; met or not is decided on the exact value. The audit.* rows count this period's audit log entries per action (acknowledgements, resolutions, maintenance, inspection sign-offs, user and token changes, …); the entries themselves are in GET /api/v1/audit.",
};

export const STRINGS: Record<Lang, Record<Key, string>> = { "zh-CN": zh, en };

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The string for key in lang with {placeholders} filled; a missing key or placeholder throws. */
export function t(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  const s = STRINGS[lang][key];
  if (s === undefined) throw new Error(`report i18n: no "${key}" in ${lang}`);
  return s.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`report i18n: "${key}" needs {${name}}`);
    return String(v);
  });
}

/** 达标 / 未达标 / 待定. */
export function verdict(lang: Lang, met: boolean | null): string {
  return t(lang, met === null ? "pending" : met ? "met" : "notMet");
}

/** A ratio as printed (truncated two decimals), or "无数据" / "no data" for n/a. */
export function pct(lang: Lang, r: number | null): string {
  return r === null ? t(lang, "noData") : formatPercent(r);
}

/** Milliseconds, "+Inf" (a failed operation) or null. Whole ms rounded up: 3000.2 ms is not ≤ 3000 ms. */
export function millis(lang: Lang, v: number | "+Inf" | null): string {
  if (v === null) return t(lang, "noData");
  if (v === "+Inf") return t(lang, "failedOp");
  return `${Math.ceil(v)} ms`;
}

/** Seconds as 1h01m00s-style text (exact seconds kept in the JSON and CSV). */
export function duration(seconds: number): string {
  let s = Math.round(seconds);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d ? `${d}d` : ""}${d || h ? `${d ? p(h) : h}h` : ""}${d || h || m ? `${d || h ? p(m) : m}m` : ""}${d || h || m ? p(s) : s}s`;
}

/** 《单位数据中心运维服务月度报告（2026年11月）》 or its English form. */
export function title(lang: Lang, m: ReportModel): string {
  const when =
    m.title.month === null
      ? t(lang, "titleRange", { from: m.period.from.slice(0, 10), to: m.period.to.slice(0, 10) })
      : t(lang, "titleMonth", {
          year: m.title.year,
          month: m.title.month,
          monthName: MONTHS[m.title.month - 1] ?? String(m.title.month),
        });
  return t(lang, "title", { unit: m.title.unit, when });
}

/** Objective as printed: ≥ 98.00% or p95 ≤ 3000 ms. */
export function objective(
  lang: Lang,
  i: { unit: "ratio" | "ms"; objective: number },
  percentile = 0.95,
): string {
  void lang;
  return i.unit === "ms"
    ? `p${Math.round(percentile * 100)} ≤ ${i.objective} ms`
    : `≥ ${formatPercent(i.objective)}`;
}

/** The group figure as printed. */
export function actual(lang: Lang, i: { unit: "ratio" | "ms"; value: number | "+Inf" | null }): string {
  if (i.unit === "ms") return millis(lang, i.value);
  return pct(lang, i.value === "+Inf" ? null : i.value);
}
