// 网站与响应时间: website_uptime and response_time, the HTTP probes behind them (phases, status codes,
// certificates, per location) and the operations' p95 against 3 s.
import {
  atLeast,
  below,
  boolMap,
  buildDashboard,
  colouredCell,
  type DashboardJson,
  GREEN,
  indicatorMetStat,
  indicatorValueStat,
  labelVariable,
  mergedColumns,
  ORANGE,
  q,
  RED,
  rangeMap,
  statPanel,
  tablePanel,
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
/** The response_time limit line: the configured limit (default 3 s), red dashed. */
const limitLine = {
  query: q('max(opswatch_indicator_objective_ratio{indicator="response_time"})', "目标 limit"),
  override: {
    "目标 limit": [
      { id: "color", value: { mode: "fixed", fixedColor: RED } },
      { id: "custom.lineStyle", value: { fill: "dash", dash: [10, 10] } },
      { id: "custom.fillOpacity", value: 0 },
    ],
  },
};
/** blackbox_exporter's phase label values → the operators' words. */
const PHASES = {
  resolve: "DNS 解析 resolve",
  connect: "TCP 连接 connect",
  tls: "TLS 握手 tls",
  processing: "服务器处理 processing",
  transfer: "传输 transfer",
};
/** Per (target, check, agent) of the selected targets, for the per-location table. */
const perLocation = (expr: string) =>
  q(`max by (target, check, agent) (${expr})`, undefined, { table: true });

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
              limitLine.query,
            ],
            w: 12,
            h: 8,
            unit: "s",
            min: 0,
            overrides: limitLine.override,
          }),
          timeseriesPanel({
            title: "操作响应时间 p95（近15分钟）与 3 秒线",
            description:
              "Live p95 of the synthetic operations per target over a sliding 15 minutes, checks and agents pooled " +
              "as the response_time indicator pools them: histogram_quantile(0.95) over " +
              "opswatch_operation_duration_seconds (operation checks and the checks counting toward response_time; " +
              "failed operations in the +Inf bucket). 3 s is a bucket edge, so the line is at or under the limit " +
              "exactly when ≥ 95 % of the operations took ≤ 3 s; with over 5 % failed it reads 30. The recording " +
              "rule target:opswatch_operation_duration_seconds:p95_rate15m and the OperationSlow alert compute the same.",
            queries: [
              q(
                'histogram_quantile(0.95, sum by (target, le) (rate(opswatch_operation_duration_seconds_bucket{target=~"$target"}[15m])))',
                "{{target}} p95",
              ),
              limitLine.query,
            ],
            w: 12,
            h: 8,
            unit: "s",
            min: 0,
            overrides: limitLine.override,
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
        title: "探测详情 Probe detail",
        panels: [
          timeseriesPanel({
            title: "HTTP 阶段耗时",
            description:
              "Where the time of an HTTP check goes, stacked (probe_http_duration_seconds{phase}, blackbox_exporter's " +
              "phases, summed over redirects): DNS resolve, TCP connect, TLS handshake, processing (request sent → " +
              "first response byte) and transfer (first → last byte). Averaged over the selected targets' checks " +
              "and agents: select one target to see its own breakdown.",
            queries: [q('avg by (phase) (probe_http_duration_seconds{target=~"$target"})', "{{phase}}")],
            w: 12,
            h: 8,
            unit: "s",
            min: 0,
            stacked: true,
            names: PHASES,
          }),
          statPanel({
            title: "证书剩余天数",
            description:
              "Days until the earliest notAfter of the certificate chain each target presents, the minimum over its " +
              "checks and agents ((probe_ssl_earliest_cert_expiry − now) / 86400; HTTPS and tls checks). Red under " +
              "14 days (the CertificateExpiringSoon alert), orange under 30 (the daily inspection's limit); " +
              "negative = expired.",
            queries: [
              q(
                'min by (target) ((probe_ssl_earliest_cert_expiry{target=~"$target"} - time()) / 86400)',
                "{{target}}",
              ),
            ],
            w: 4,
            h: 8,
            unit: "d",
            decimals: 1,
            thresholds: [
              { value: null, color: RED },
              { value: 14, color: ORANGE },
              { value: 30, color: GREEN },
            ],
          }),
          tablePanel({
            title: "各探测点最新结果",
            description:
              "Per location: the newest fresh result of every check of the selected targets, per agent (probe_success, " +
              "probe_duration_seconds, probe_http_status_code), and the agent's success share over the dashboard's " +
              "time range. A target is DOWN only when a strict majority of its fresh agents fail (a tie is not " +
              "down), so one location's own network problem shows here, not as the target's downtime.",
            queries: [
              perLocation('probe_success{target=~"$target"}'),
              perLocation('avg_over_time(probe_success{target=~"$target"}[$__range])'),
              perLocation('probe_duration_seconds{target=~"$target"}'),
              perLocation('probe_http_status_code{target=~"$target"}'),
            ],
            w: 8,
            h: 8,
            transformations: mergedColumns({ target: "目标", check: "检查", agent: "探测点" }, [
              "结果",
              "成功率",
              "耗时",
              "状态码",
            ]),
            overrides: {
              结果: [{ id: "mappings", value: [boolMap("正常", "失败")] }, colouredCell()],
              成功率: [
                { id: "unit", value: "percentunit" },
                { id: "decimals", value: 2 },
                { id: "thresholds", value: { mode: "absolute", steps: atLeast(0.95) } },
                { id: "custom.cellOptions", value: { type: "color-text" } },
              ],
              耗时: [
                { id: "unit", value: "s" },
                { id: "decimals", value: 3 },
              ],
              状态码: [{ id: "decimals", value: 0 }],
            },
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
              "Final HTTP status of each check and agent over time (probe_http_status_code, from http.status): " +
              "2xx/3xx green, 4xx orange, 5xx red; 0 = no response.",
            queries: [q('probe_http_status_code{target=~"$target"}', "{{target}} {{check}} ({{agent}})")],
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
