// 故障与巡检: open and overdue faults, time to acknowledge / resolve, the working-day calendar behind the
// deadlines, daily inspections, and the built-in fault notifications.
import {
  atLeast,
  boolMap,
  buildDashboard,
  colouredCell,
  type DashboardJson,
  GREEN,
  GREY,
  indicatorMetStat,
  indicatorValueStat,
  mergedColumns,
  ORANGE,
  q,
  type Steps,
  statPanel,
  tablePanel,
  timeseriesPanel,
  valueMap,
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

/**
 * opswatch_calendar_covered of this year (0) or the next (1). The server labels them in the site's time
 * zone; the official calendar is China's, so the year is taken at UTC+8 (as in deploy/prometheus alerts).
 */
const calendarYear = (next: 0 | 1) =>
  "min by (year) (opswatch_calendar_covered and on (year) " +
  `count_values("year", year(vector(time() + 8 * 3600)) + ${next}))`;
/** A series' display name followed by its year label (Grafana field label syntax). */
const withYear = (name: string) => `${name} \${__field.labels.year}`;

/** One column of the notifications table: per channel, in the dashboard's time range. */
const perChannel = (metric: string, result: string) =>
  q(`sum by (channel) (increase(${metric}{result="${result}"}[$__range]))`, undefined, { table: true });
const colouredCount = (steps: Steps) => [
  { id: "thresholds", value: { mode: "absolute", steps } },
  colouredCell(),
];

/** Delivery attempts per minute of one result, per channel. */
const deliveries = (result: string, legend: string) =>
  q(
    `60 * sum by (channel) (rate(opswatch_notification_messages_total{result="${result}"}[$__rate_interval]))`,
    legend,
  );

export function faults(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-faults",
    title: "故障与巡检",
    description:
      "Faults and daily inspections: open and overdue faults, time to acknowledge (MTTA) and resolve (MTTR), " +
      "fault_response_rate / fault_completion_rate, the working-day calendar behind the deadlines, inspection " +
      "runs and inspection_pass_rate, and the built-in fault notifications per channel.",
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
            w: 6,
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
            w: 5,
            h: 5,
            thresholds: zeroIsGood,
            names: { response: "响应超时", resolution: "处理超时" },
            colorBackground: true,
          }),
          indicatorMetStat(["fault_response_rate", "fault_completion_rate"], { w: 8, h: 5 }),
          statPanel({
            title: "工作日历",
            description:
              "Whether the official working-day calendar (chinese-days, or calendar.override_file) covers this " +
              "year and next (opswatch_calendar_covered). Without it, working-day (P4) deadlines and working-day " +
              "service hours of that year cannot be computed. Next year is normally missing until its holidays " +
              "are published (around November): orange, and from December 1 the alert OpswatchCalendarMissing " +
              "(warning); this year missing is red and OpswatchCalendarMissingThisYear (critical).",
            queries: [q(calendarYear(0), "今年"), q(calendarYear(1), "明年")],
            w: 5,
            h: 5,
            mappings: [boolMap("已覆盖", "缺失")],
            thresholds: atLeast(1),
            names: { 今年: withYear("今年"), 明年: withYear("明年") },
            overrides: {
              明年: [
                {
                  id: "mappings",
                  value: [
                    valueMap({
                      "1": { text: "已覆盖", color: GREEN },
                      "0": { text: "缺失", color: ORANGE },
                    }),
                  ],
                },
              ],
            },
            colorBackground: true,
          }),
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
      {
        title: "通知 Notifications",
        panels: [
          tablePanel({
            title: "故障通知（所选时段）",
            description:
              "Built-in fault notifications per configured channel in the dashboard's time range " +
              "(opswatch_notifications_total, docs/notifications.md): 已发送 sent, 失败 failed (a permanent error " +
              "or retries exhausted: the notification was lost; red), 去重 deduplicated. 投递出错 counts delivery " +
              'attempts that failed, retried ones included (opswatch_notification_messages_total{result="error"}; ' +
              "orange: a retry may still have got through).",
            queries: [
              perChannel("opswatch_notifications_total", "sent"),
              perChannel("opswatch_notifications_total", "failed"),
              perChannel("opswatch_notifications_total", "deduplicated"),
              perChannel("opswatch_notification_messages_total", "error"),
            ],
            w: 10,
            h: 7,
            decimals: 0,
            transformations: mergedColumns({ channel: "渠道" }, ["已发送", "失败", "去重", "投递出错"]),
            overrides: {
              失败: colouredCount(zeroIsGood),
              投递出错: colouredCount([
                { value: null, color: GREEN },
                { value: 1, color: ORANGE },
              ]),
            },
          }),
          timeseriesPanel({
            title: "通知投递（每分钟）",
            description:
              "Delivery attempts per minute and channel (opswatch_notification_messages_total; one message carries " +
              "one or more notifications): 成功 sent, 出错 error. Errors followed by a success are retries that got " +
              "through; errors alone mean the channel is broken (OpswatchNotificationsFailing: failed attempts and " +
              "no success in 10 minutes).",
            queries: [deliveries("sent", "{{channel}} 成功"), deliveries("error", "{{channel}} 出错")],
            w: 14,
            h: 7,
            unit: "opm",
            min: 0,
          }),
        ],
      },
    ],
  });
}
