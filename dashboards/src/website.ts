// 网站与响应时间: website_uptime and response_time, the HTTP probes behind them and their status codes.
// (No certificate-expiry panel: the HTTP prober reports no tls.days_left value yet.)
import {
  atLeast,
  below,
  boolMap,
  buildDashboard,
  type DashboardJson,
  GREEN,
  indicatorMetStat,
  indicatorValueStat,
  labelVariable,
  ORANGE,
  q,
  RED,
  rangeMap,
  statPanel,
  targetIndicatorTable,
  timelinePanel,
  timeseriesPanel,
  windowVariable,
} from "./common.js";

const http = 'kind="http", group=~"$group", target=~"$target"';
/** website_uptime results of a verdict per target over `range` (opswatch_indicator_samples_total). */
const samples = (verdict: string, range = "$__range") =>
  `sum by (target) (increase(opswatch_indicator_samples_total{indicator="website_uptime", ${verdict}, target=~"$target"}[${range}]))`;
/** The error budget of the 98 % objective, as in deploy/prometheus/rules/alerts.yml. */
const BUDGET = 0.02;

export function website(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-website",
    title: "网站与响应时间",
    description:
      "Websites: website_uptime (网站正常运行率, default ≥ 98 %) and response_time (系统对用户操作的响应时间, p95 ≤ 3 s), " +
      "the HTTP probes behind them (probe_success, probe_duration_seconds) and the final HTTP status.",
    tags: ["website"],
    variables: [
      windowVariable(),
      labelVariable("group", "分组", 'probe_success{kind="http"}', "Target groups with HTTP checks"),
      labelVariable(
        "target",
        "网站",
        'probe_success{kind="http", group=~"$group"}',
        "Targets with HTTP checks in the selected groups",
      ),
    ],
    rows: [
      {
        title: "指标 网站正常运行率 / 响应时间",
        panels: [
          indicatorValueStat(["website_uptime"], 0.98, { w: 5, h: 6 }),
          indicatorMetStat(["website_uptime", "response_time"], { w: 7, h: 6 }),
          statPanel({
            title: "响应时间 p95",
            description:
              "p95 of the synthetic operations per target in the selected window (opswatch_response_time_p95_seconds; " +
              "failed operations count as +Inf). Red from the default 3 s limit on.",
            queries: [
              q(
                'max by (target) (opswatch_response_time_p95_seconds{target=~"$target", window="$window"})',
                "{{target}}",
              ),
            ],
            w: 6,
            h: 6,
            unit: "s",
            decimals: 2,
            thresholds: below(3),
          }),
          statPanel({
            title: "探测成功率（所选时段）",
            description:
              "Sample-based success share of the website checks over the dashboard's time range: ok ÷ (ok + " +
              "fail) results (opswatch_indicator_samples_total). The national check vetoes a site with ≥ 5 % failures " +
              "over 7 days: choose a 7-day range to compare; red below 95 %.",
            queries: [q(`${samples('verdict="ok"')} / ${samples('verdict!="none"')}`, "{{target}}")],
            w: 6,
            h: 6,
            unit: "percentunit",
            decimals: 2,
            thresholds: atLeast(0.95),
          }),
          targetIndicatorTable(["website_uptime"], 0.98, { w: 24, h: 6 }),
        ],
      },
      {
        title: "响应时间 Response time",
        panels: [
          timeseriesPanel({
            title: "响应时间 p95 与 3 秒线",
            description:
              "p95 per target in the selected window (opswatch_response_time_p95_seconds) against the configured " +
              "limit (opswatch_indicator_objective_ratio for response_time, default 3 s; red dashed).",
            queries: [
              q(
                'max by (target) (opswatch_response_time_p95_seconds{target=~"$target", window="$window"})',
                "{{target}} p95",
              ),
              q('max(opswatch_indicator_objective_ratio{indicator="response_time"})', "目标 limit"),
            ],
            w: 12,
            h: 8,
            unit: "s",
            min: 0,
            overrides: {
              "目标 limit": [
                { id: "color", value: { mode: "fixed", fixedColor: RED } },
                { id: "custom.lineStyle", value: { fill: "dash", dash: [10, 10] } },
                { id: "custom.fillOpacity", value: 0 },
              ],
            },
          }),
          timeseriesPanel({
            title: "探测耗时",
            description:
              "probe_duration_seconds of the HTTP checks (whole body received). Dashed lines: 3 s response limit and " +
              "the national 15 s timeout (a page not open after 15 s is a failure).",
            queries: [q(`probe_duration_seconds{${http}}`, "{{target}} {{check}} ({{agent}})")],
            w: 12,
            h: 8,
            unit: "s",
            min: 0,
            thresholds: below(15, 3),
          }),
        ],
      },
      {
        title: "可用性 Availability",
        panels: [
          timelinePanel({
            title: "探测结果时间线",
            description:
              "probe_success of the HTTP checks over time: 正常 = 2xx/3xx after ≤ 5 redirects, body within 15 s and " +
              "keyword present; 失败 otherwise.",
            queries: [q(`probe_success{${http}}`, "{{target}} {{check}} ({{agent}})")],
            w: 12,
            h: 8,
            mappings: [boolMap("正常", "失败")],
          }),
          timelinePanel({
            title: "HTTP 状态码",
            description:
              "Final HTTP status of each check over time (http.status): 2xx/3xx green, 4xx orange, 5xx red.",
            queries: [
              q(
                'opswatch_probe_value{name="http.status", target=~"$target"}',
                "{{target}} {{check}} ({{agent}})",
              ),
            ],
            w: 12,
            h: 8,
            mappings: [rangeMap(200, 399, GREEN), rangeMap(400, 499, ORANGE), rangeMap(500, 599, RED)],
          }),
          timeseriesPanel({
            title: "样本失败率（近1小时）与错误预算",
            description:
              "Sample-based failure share per target over a sliding hour: fail ÷ (ok + fail) website_uptime " +
              "results (opswatch_indicator_samples_total, all agents pooled) — the SLI of the burn-rate alerts " +
              "(recording rule target:opswatch_indicator_errors:ratio_rate1h). Dashed: 2 % = the error budget of " +
              "the 98 % objective (burn rate 1: the budget lasts the month); 28.8 % = 14.4 × budget, where " +
              "WebsiteErrorBudgetBurn1h pages once the last 5 minutes are above it too.",
            queries: [
              q(`${samples('verdict="fail"', "1h")} / ${samples('verdict!="none"', "1h")}`, "{{target}}"),
            ],
            w: 24,
            h: 8,
            unit: "percentunit",
            decimals: 2,
            min: 0,
            softMax: 0.3,
            thresholds: below(14.4 * BUDGET, BUDGET),
          }),
        ],
      },
    ],
  });
}
