// 总览 Overview: the eight service indicators against their objectives, open faults, agents, targets.
import {
  below,
  boolMap,
  buildDashboard,
  colouredCell,
  type DashboardJson,
  GREEN,
  GREY,
  INDICATORS,
  type IndicatorId,
  indicatorDisplayNames,
  indicatorNames,
  mergedColumns,
  metMap,
  metOrPending,
  ORANGE,
  q,
  RED,
  type Steps,
  statPanel,
  tablePanel,
  timelinePanel,
  timeseriesPanel,
  truncatedPercent,
  windowVariable,
  zeroIsGood,
} from "./common.js";

const ALL = Object.keys(INDICATORS) as IndicatorId[];
const RATIOS = ALL.filter((id) => id !== "response_time");
const ratioSel = 'indicator!="response_time"';
const fixed = (color: string) => [{ id: "color", value: { mode: "fixed", fixedColor: color } }];
const thresholds = (steps: Steps) => [{ id: "thresholds", value: { mode: "absolute", steps } }];

export function overview(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-overview",
    title: "总览",
    description:
      "Overview: the eight service indicators (month to date or rolling 30 days) against their objectives, " +
      "open and overdue faults, agents and target states.",
    tags: ["overview"],
    variables: [windowVariable()],
    rows: [
      {
        title: "服务指标 Service indicators",
        panels: [
          statPanel({
            title: "八项指标达标情况",
            description:
              "Met / not met of each of the eight indicators in the selected window (opswatch_indicator_met). " +
              "待定 n/a: nothing decided yet or no known time (the metric is absent; shown from " +
              "opswatch_indicator_objective_ratio).",
            queries: [q(metOrPending(ALL), "{{indicator}}")],
            w: 24,
            h: 5,
            mappings: [metMap()],
            thresholds: [
              { value: null, color: GREY },
              { value: 0, color: RED },
              { value: 1, color: GREEN },
            ],
            names: indicatorDisplayNames(ALL),
            colorBackground: true,
          }),
          tablePanel({
            title: "指标实际值与目标",
            description:
              "Actual figure (opswatch_indicator_value, truncated to two decimals like the report), configured " +
              "objective (opswatch_indicator_objective_ratio) and met / not met of the seven ratio indicators. " +
              "Response time is in seconds, on the right.",
            queries: [
              q(
                truncatedPercent(
                  `max by (indicator) (opswatch_indicator_value{${ratioSel}, window="$window"})`,
                ),
                undefined,
                {
                  table: true,
                },
              ),
              q(`max by (indicator) (opswatch_indicator_objective_ratio{${ratioSel}})`, undefined, {
                table: true,
              }),
              q(`max by (indicator) (opswatch_indicator_met{${ratioSel}, window="$window"})`, undefined, {
                table: true,
              }),
            ],
            w: 16,
            h: 9,
            transformations: mergedColumns({ indicator: "指标" }, ["实际值", "目标值", "是否达标"]),
            overrides: {
              指标: [{ id: "mappings", value: indicatorNames() }],
              实际值: [
                { id: "unit", value: "percentunit" },
                { id: "decimals", value: 2 },
                { id: "noValue", value: "n/a" },
              ],
              目标值: [
                { id: "unit", value: "percentunit" },
                { id: "decimals", value: 2 },
              ],
              是否达标: [
                { id: "mappings", value: [metMap()] },
                colouredCell(),
                { id: "noValue", value: "待定 n/a" },
              ],
            },
          }),
          statPanel({
            title: "响应时间 p95",
            description:
              "response_time: worst p95 of the synthetic operations over the targets in the selected window " +
              "(opswatch_indicator_value, seconds; failed operations count as +Inf) and its limit " +
              "(opswatch_indicator_objective_ratio, default 3 s). Red from the default 3 s on.",
            queries: [
              q('max(opswatch_indicator_value{indicator="response_time", window="$window"})', "p95"),
              q('max(opswatch_indicator_objective_ratio{indicator="response_time"})', "目标 limit"),
            ],
            w: 8,
            h: 9,
            unit: "s",
            decimals: 2,
            thresholds: below(3),
            overrides: { "目标 limit": fixed(GREY) },
            noValue: "n/a",
          }),
          timeseriesPanel({
            title: "比例类指标走势",
            description:
              "The ratio indicators' group figures over time in the selected window (opswatch_indicator_value). " +
              "A month-to-date figure restarts at each month start.",
            queries: [q(`opswatch_indicator_value{${ratioSel}, window="$window"}`, "{{indicator}}")],
            w: 24,
            h: 8,
            unit: "percentunit",
            decimals: 2,
            max: 1,
            names: indicatorDisplayNames(RATIOS),
          }),
        ],
      },
      {
        title: "故障、目标与代理 Faults, targets, agents",
        panels: [
          statPanel({
            title: "未关闭故障",
            description: "Open faults by severity P1–P4 (opswatch_faults_open).",
            queries: [q("sum by (severity) (opswatch_faults_open)", "{{severity}}")],
            w: 6,
            h: 5,
            thresholds: zeroIsGood,
            colorBackground: true,
          }),
          statPanel({
            title: "超时故障",
            description:
              "Open faults past a deadline (opswatch_faults_overdue): 响应超时 = not acknowledged in time, " +
              "处理超时 = not resolved in time.",
            queries: [q("sum by (stage) (opswatch_faults_overdue)", "{{stage}}")],
            w: 6,
            h: 5,
            thresholds: zeroIsGood,
            names: { response: "响应超时", resolution: "处理超时" },
            colorBackground: true,
          }),
          statPanel({
            title: "代理连接",
            description:
              "Agents holding an authenticated connection (opswatch_agent_connected) of the agents configured on " +
              "the server; 离线 = configured but not connected.",
            queries: [
              q("sum(opswatch_agent_connected)", "在线"),
              q("sum(1 - opswatch_agent_connected)", "离线"),
            ],
            w: 6,
            h: 5,
            overrides: { 离线: thresholds(zeroIsGood) },
          }),
          statPanel({
            title: "目标状态",
            description:
              "Live target states (opswatch_target_up, opswatch_target_known): 正常 up, 故障 down, 未知 = no fresh " +
              "result for some check (a monitoring gap, not an outage).",
            queries: [
              q("sum(opswatch_target_up)", "正常"),
              q("sum(1 - opswatch_target_up)", "故障"),
              q("sum(1 - opswatch_target_known)", "未知"),
            ],
            w: 6,
            h: 5,
            overrides: {
              故障: thresholds(zeroIsGood),
              未知: thresholds([
                { value: null, color: GREEN },
                { value: 1, color: ORANGE },
              ]),
            },
          }),
          timelinePanel({
            title: "目标状态时间线",
            description: "Live state of each target over time (opswatch_target_up); gaps are unknown.",
            queries: [q("max by (target) (opswatch_target_up)", "{{target}}")],
            w: 24,
            h: 8,
            mappings: [boolMap("正常", "故障")],
          }),
        ],
      },
    ],
  });
}
