// 故障与巡检: open and overdue faults, time to acknowledge / resolve, daily inspections.
import {
  buildDashboard,
  type DashboardJson,
  GREEN,
  GREY,
  indicatorMetStat,
  indicatorValueStat,
  ORANGE,
  q,
  statPanel,
  timeseriesPanel,
  windowVariable,
  zeroIsGood,
} from "./common.js";

/**
 * Mean and p90 of a fault duration histogram over the dashboard's time range; nothing (not NaN) when
 * no fault was acknowledged / resolved in it.
 */
function durationStat(metric: string, title: string, what: string) {
  const count = `sum(increase(${metric}_count[$__range]))`;
  const some = `and on () ${count} > 0`;
  return statPanel({
    title,
    description:
      `${what} of the faults acknowledged / resolved in the dashboard's time range, from the ${metric} ` +
      "histogram: mean (sum ÷ count) and p90 (bucket estimate). Deadlines: P1 15 min / 4 h, P2 30 min / 8 h, " +
      "P3 2 h / 24 h (respond / resolve).",
    queries: [
      q(`sum(increase(${metric}_sum[$__range])) / ${count} ${some}`, "平均 mean"),
      q(`histogram_quantile(0.9, sum by (le) (increase(${metric}_bucket[$__range]))) ${some}`, "p90"),
    ],
    w: 6,
    h: 6,
    unit: "s",
    noValue: "无 none",
  });
}

export function faults(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-faults",
    title: "故障与巡检",
    description:
      "Faults and daily inspections: open and overdue faults, time to acknowledge (MTTA) and resolve (MTTR), " +
      "fault_response_rate / fault_completion_rate, inspection runs and inspection_pass_rate.",
    tags: ["faults", "inspections"],
    variables: [windowVariable()],
    rows: [
      {
        title: "故障 Faults",
        panels: [
          statPanel({
            title: "未关闭故障",
            description: "Open faults by severity P1–P4 (opswatch_faults_open).",
            queries: [q("sum by (severity) (opswatch_faults_open)", "{{severity}}")],
            w: 8,
            h: 5,
            thresholds: zeroIsGood,
            colorBackground: true,
          }),
          statPanel({
            title: "超时故障",
            description:
              "Open faults past a deadline (opswatch_faults_overdue): 响应超时 = no acknowledgement by the response " +
              "deadline, 处理超时 = not resolved by the resolution deadline.",
            queries: [q("sum by (stage) (opswatch_faults_overdue)", "{{stage}}")],
            w: 6,
            h: 5,
            thresholds: zeroIsGood,
            names: { response: "响应超时", resolution: "处理超时" },
            colorBackground: true,
          }),
          indicatorMetStat(["fault_response_rate", "fault_completion_rate"], { w: 10, h: 5 }),
          indicatorValueStat(["fault_response_rate", "fault_completion_rate"], 1, { w: 6, h: 6 }),
          durationStat(
            "opswatch_fault_response_seconds",
            "响应时间 MTTA",
            "Time from opening to the first acknowledgement",
          ),
          durationStat(
            "opswatch_fault_resolution_seconds",
            "处理时间 MTTR",
            "Time from opening to resolution",
          ),
          timeseriesPanel({
            title: "未关闭故障走势",
            description: "Open faults by severity over time (opswatch_faults_open), stacked.",
            queries: [q("sum by (severity) (opswatch_faults_open)", "{{severity}}")],
            w: 6,
            h: 6,
            unit: "short",
            min: 0,
            stacked: true,
          }),
        ],
      },
      {
        title: "巡检 Inspections",
        panels: [
          statPanel({
            title: "巡检次数",
            description:
              "Inspection runs scheduled in the selected window (missed ones included) by judgement " +
              "(opswatch_inspection_runs): 达标 compliant, 未达标 non-compliant, 待判定 pending (a run is judged " +
              "after its day has ended).",
            queries: [q('sum by (result) (opswatch_inspection_runs{window="$window"})', "{{result}}")],
            w: 8,
            h: 6,
            names: { compliant: "达标", non_compliant: "未达标", pending: "待判定" },
            overrides: {
              compliant: [{ id: "color", value: { mode: "fixed", fixedColor: GREEN } }],
              non_compliant: [{ id: "thresholds", value: { mode: "absolute", steps: zeroIsGood } }],
              pending: [{ id: "color", value: { mode: "fixed", fixedColor: GREY } }],
            },
          }),
          indicatorValueStat(["inspection_pass_rate"], 1, { w: 5, h: 6 }),
          indicatorMetStat(["inspection_pass_rate"], { w: 4, h: 6 }),
          statPanel({
            title: "巡检项目通过率",
            description:
              "Passed ÷ items with a result over the judged inspection runs (opswatch_inspection_item_pass_ratio), " +
              "month to date and rolling 30 days side by side: early in a month nothing is judged yet and the " +
              "month figure is n/a.",
            queries: [q("max by (window) (opswatch_inspection_item_pass_ratio)", "{{window}}")],
            w: 7,
            h: 6,
            unit: "percentunit",
            decimals: 2,
            thresholds: [
              { value: null, color: ORANGE },
              { value: 1, color: GREEN },
            ],
            names: { month: "本月至今", "30d": "近30天" },
          }),
        ],
      },
    ],
  });
}
