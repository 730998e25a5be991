// UPS 与机房动力: live UPS values (UPS-MIB via SNMP), their trends, and the two power indicators.
import {
  atLeast,
  below,
  buildDashboard,
  type DashboardJson,
  GREEN,
  GREY,
  type IndicatorId,
  indicatorMetStat,
  indicatorValueStat,
  labelVariable,
  ORANGE,
  q,
  RED,
  statPanel,
  targetIndicatorTable,
  timelinePanel,
  timeseriesPanel,
  valueMap,
  windowVariable,
  YELLOW,
  zeroIsGood,
} from "./common.js";

const POWER: IndicatorId[] = ["ups_power_stability", "room_power_stability"];

/** A numeric probe value of the selected UPS targets, one series per target and agent. */
const value = (name: string) =>
  q(`opswatch_probe_value{name="${name}", target=~"$target"}`, "{{target}} ({{agent}})");

/** upsOutputSource (RFC 1628 object-definition values). */
const outputSource = valueMap({
  "1": { text: "其他", color: GREY },
  "2": { text: "无输出", color: RED },
  "3": { text: "正常", color: GREEN },
  "4": { text: "旁路", color: YELLOW },
  "5": { text: "电池", color: ORANGE },
  "6": { text: "升压", color: YELLOW },
  "7": { text: "降压", color: YELLOW },
});

/** upsBatteryStatus. */
const batteryStatus = valueMap({
  "1": { text: "未知", color: GREY },
  "2": { text: "正常", color: GREEN },
  "3": { text: "电量低", color: ORANGE },
  "4": { text: "耗尽", color: RED },
});

export function ups(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-ups",
    title: "UPS 与机房动力",
    description:
      "UPS and machine-room power: live UPS-MIB values polled over SNMP (opswatch_probe_value), their trends, " +
      "and the indicators ups_power_stability (UPS供电稳定性) and room_power_stability (机房用电稳定性).",
    tags: ["ups", "power"],
    variables: [
      windowVariable(),
      labelVariable(
        "target",
        "UPS",
        `opswatch_indicator_downtime_seconds{indicator=~"${POWER.join("|")}"}`,
        "Targets that count toward the UPS or room power indicators",
      ),
    ],
    rows: [
      {
        title: "实时状态 Live status",
        panels: [
          statPanel({
            title: "输出来源",
            description:
              "upsOutputSource: 正常 normal(3), 电池 battery(5), 旁路 bypass(4), 无输出 none(2) — none means the load " +
              "is unpowered (ups_power_stability), battery means mains is abnormal (room_power_stability).",
            queries: [value("ups.output_source")],
            w: 6,
            h: 5,
            mappings: [outputSource],
            colorBackground: true,
          }),
          statPanel({
            title: "电池状态",
            description:
              "upsBatteryStatus: 未知 unknown(1), 正常 normal(2), 电量低 low(3), 耗尽 depleted(4).",
            queries: [value("battery.status")],
            w: 4,
            h: 5,
            mappings: [batteryStatus],
            colorBackground: true,
          }),
          statPanel({
            title: "电池电量",
            description:
              "upsEstimatedChargeRemaining (battery.charge, %). The daily inspection requires ≥ 90 %: green from 90 %.",
            queries: [value("battery.charge")],
            w: 4,
            h: 5,
            unit: "percent",
            min: 0,
            max: 100,
            thresholds: [
              { value: null, color: RED },
              { value: 50, color: ORANGE },
              { value: 90, color: GREEN },
            ],
          }),
          statPanel({
            title: "电池剩余时间",
            description:
              "upsEstimatedMinutesRemaining (battery.runtime_minutes): runtime on battery at the present load.",
            queries: [value("battery.runtime_minutes")],
            w: 4,
            h: 5,
            unit: "m",
            thresholds: [
              { value: null, color: RED },
              { value: 10, color: ORANGE },
              { value: 30, color: GREEN },
            ],
          }),
          statPanel({
            title: "当前告警数",
            description: "upsAlarmsPresent (ups.alarms_present): active UPS alarms.",
            queries: [value("ups.alarms_present")],
            w: 3,
            h: 5,
            thresholds: zeroIsGood,
          }),
          statPanel({
            title: "电池供电时长",
            description: "upsSecondsOnBattery (battery.seconds_on_battery): 0 while on mains.",
            queries: [value("battery.seconds_on_battery")],
            w: 3,
            h: 5,
            unit: "s",
            thresholds: [
              { value: null, color: GREEN },
              { value: 1, color: ORANGE },
            ],
          }),
        ],
      },
      {
        title: "趋势 Trends",
        panels: [
          timeseriesPanel({
            title: "输入电压",
            description:
              "upsInputVoltage (input.voltage, V RMS). Dashed lines: the default nominal 220 V ± 15 % " +
              "(187–253 V); outside it mains counts as abnormal (the tolerance is configurable).",
            queries: [value("input.voltage")],
            w: 12,
            h: 8,
            unit: "volt",
            thresholds: [
              { value: null, color: RED },
              { value: 187, color: GREEN },
              { value: 253, color: RED },
            ],
          }),
          timeseriesPanel({
            title: "负载",
            description:
              "upsOutputPercentLoad (ups.load, %). The daily inspection requires < 80 % (dashed line).",
            queries: [value("ups.load")],
            w: 12,
            h: 8,
            unit: "percent",
            min: 0,
            softMax: 100,
            thresholds: below(80),
          }),
          timeseriesPanel({
            title: "电池电量走势",
            description:
              "upsEstimatedChargeRemaining (battery.charge, %) over time; dashed line at the 90 % inspection limit.",
            queries: [value("battery.charge")],
            w: 8,
            h: 8,
            unit: "percent",
            min: 0,
            max: 100,
            thresholds: atLeast(90),
          }),
          timeseriesPanel({
            title: "电池剩余时间走势",
            description: "upsEstimatedMinutesRemaining (battery.runtime_minutes) over time.",
            queries: [value("battery.runtime_minutes")],
            w: 8,
            h: 8,
            unit: "m",
            min: 0,
          }),
          timeseriesPanel({
            title: "输入异常次数",
            description:
              "New upsInputLineBads events (input.line_bads: the UPS counts input out-of-tolerance events) per " +
              "interval; each one is reported as an event.",
            queries: [
              q(
                'increase(opswatch_probe_value{name="input.line_bads", target=~"$target"}[$__rate_interval])',
                "{{target}} ({{agent}})",
              ),
            ],
            w: 8,
            h: 8,
            unit: "short",
            min: 0,
            bars: true,
          }),
          timelinePanel({
            title: "输出来源时间线",
            description:
              "upsOutputSource over time: battery (电池) and bypass (旁路) spells are events to report, none (无输出) is " +
              "instability. Gaps: no fresh poll.",
            queries: [value("ups.output_source")],
            w: 24,
            h: 6,
            mappings: [outputSource],
          }),
        ],
      },
      {
        title: "指标 UPS供电稳定性 / 机房用电稳定性",
        panels: [
          indicatorValueStat(POWER, 1, { w: 7, h: 7 }),
          indicatorMetStat(POWER, { w: 5, h: 7 }),
          targetIndicatorTable(POWER, 1, { w: 12, h: 7 }),
        ],
      },
    ],
  });
}
