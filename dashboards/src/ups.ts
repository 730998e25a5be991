// UPS 与机房动力: live UPS values (SNMP, normalized to the NUT vocabulary whatever the vendor MIB),
// their trends, and the two power indicators. Typed metrics (opswatch_ups_*) where they exist;
// enumerations and counts without one from opswatch_probe_value.
import {
  atLeast,
  below,
  boolMap,
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

/** A typed UPS metric of the selected targets, one series per target and agent. */
const metric = (name: string, legend = "{{target}} ({{agent}})") => q(`${name}{target=~"$target"}`, legend);

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
      "UPS and machine-room power: live UPS values polled over SNMP (opswatch_ups_* in base units, NUT status " +
      "flags; enumerations from opswatch_probe_value), their trends, and the indicators ups_power_stability " +
      "(UPS供电稳定性) and room_power_stability (机房用电稳定性).",
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
            title: "负载供电",
            description:
              "opswatch_ups_load_powered: 供电 powered, 失电 unpowered — the ups_power_stability rule (output source " +
              "none, or alarm UpsOutputOff / UpsSystemOff / ShutdownImminent present).",
            queries: [metric("opswatch_ups_load_powered")],
            w: 4,
            h: 5,
            mappings: [boolMap("供电", "失电")],
            colorBackground: true,
          }),
          statPanel({
            title: "市电",
            description:
              "opswatch_ups_mains_normal: 正常 normal, 异常 abnormal — the room_power_stability rule (on battery, " +
              "alarm InputBad or OnBattery, or input voltage outside nominal ± tolerance).",
            queries: [metric("opswatch_ups_mains_normal")],
            w: 4,
            h: 5,
            mappings: [boolMap("正常", "异常")],
            colorBackground: true,
          }),
          statPanel({
            title: "输出来源",
            description:
              "upsOutputSource: 正常 normal(3), 电池 battery(5), 旁路 bypass(4), 无输出 none(2) — none means the load " +
              "is unpowered (ups_power_stability), battery means mains is abnormal (room_power_stability).",
            queries: [value("ups.output_source")],
            w: 4,
            h: 5,
            mappings: [outputSource],
            colorBackground: true,
          }),
          statPanel({
            title: "电池状态",
            description:
              "upsBatteryStatus: 未知 unknown(1), 正常 normal(2), 电量低 low(3), 耗尽 depleted(4).",
            queries: [value("battery.status")],
            w: 3,
            h: 5,
            mappings: [batteryStatus],
            colorBackground: true,
          }),
          statPanel({
            title: "电池电量",
            description:
              "opswatch_ups_battery_charge_ratio (battery.charge). The daily inspection requires ≥ 90 %: green from 90 %.",
            queries: [metric("opswatch_ups_battery_charge_ratio")],
            w: 3,
            h: 5,
            unit: "percentunit",
            min: 0,
            max: 1,
            thresholds: [
              { value: null, color: RED },
              { value: 0.5, color: ORANGE },
              { value: 0.9, color: GREEN },
            ],
          }),
          statPanel({
            title: "电池剩余时间",
            description:
              "opswatch_ups_battery_runtime_seconds (battery.runtime): runtime on battery at the present load; red " +
              "under 10 min, orange under 30 min.",
            queries: [metric("opswatch_ups_battery_runtime_seconds")],
            w: 3,
            h: 5,
            unit: "s",
            thresholds: [
              { value: null, color: RED },
              { value: 600, color: ORANGE },
              { value: 1800, color: GREEN },
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
            w: 4,
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
            title: "输入 / 输出电压",
            description:
              "opswatch_ups_input_voltage_volts and opswatch_ups_output_voltage_volts (input.voltage, output.voltage, " +
              "V RMS). Dashed lines: the default nominal 220 V ± 15 % (187–253 V); outside it mains counts as " +
              "abnormal (the tolerance is configurable).",
            queries: [
              metric("opswatch_ups_input_voltage_volts", "{{target}} 输入 in ({{agent}})"),
              metric("opswatch_ups_output_voltage_volts", "{{target}} 输出 out ({{agent}})"),
            ],
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
              "opswatch_ups_load_ratio (ups.load, share of the rated output). The daily inspection requires < 80 % " +
              "(dashed line).",
            queries: [metric("opswatch_ups_load_ratio")],
            w: 12,
            h: 8,
            unit: "percentunit",
            min: 0,
            softMax: 1,
            thresholds: below(0.8),
          }),
          timeseriesPanel({
            title: "电池电量走势",
            description:
              "opswatch_ups_battery_charge_ratio (battery.charge) over time; dashed line at the 90 % inspection limit.",
            queries: [metric("opswatch_ups_battery_charge_ratio")],
            w: 8,
            h: 8,
            unit: "percentunit",
            min: 0,
            max: 1,
            thresholds: atLeast(0.9),
          }),
          timeseriesPanel({
            title: "电池剩余时间走势",
            description: "opswatch_ups_battery_runtime_seconds (battery.runtime) over time.",
            queries: [metric("opswatch_ups_battery_runtime_seconds")],
            w: 8,
            h: 8,
            unit: "s",
            min: 0,
          }),
          timeseriesPanel({
            title: "输入异常次数",
            description:
              "New upsInputLineBads events per interval: increase of opswatch_ups_input_line_bads_total, the UPS's own " +
              "count of input out-of-tolerance events (input.line_bads); each one is reported as an event.",
            queries: [
              q(
                'increase(opswatch_ups_input_line_bads_total{target=~"$target"}[$__rate_interval])',
                "{{target}} ({{agent}})",
              ),
            ],
            w: 8,
            h: 8,
            unit: "short",
            min: 0,
            bars: true,
          }),
          timeseriesPanel({
            title: "输入频率",
            description: "opswatch_ups_input_frequency_hertz (input.frequency, first input line).",
            queries: [metric("opswatch_ups_input_frequency_hertz")],
            w: 8,
            h: 8,
            unit: "hertz",
          }),
          timeseriesPanel({
            title: "电池电压",
            description: "opswatch_ups_battery_voltage_volts (battery.voltage, V DC).",
            queries: [metric("opswatch_ups_battery_voltage_volts")],
            w: 8,
            h: 8,
            unit: "volt",
          }),
          timeseriesPanel({
            title: "SNMP 轮询耗时 p95",
            description:
              "95th percentile of opswatch_snmp_poll_duration_seconds per UPS: how long a whole poll takes (retries " +
              "included); a climb towards the check's timeout comes before polls fail.",
            queries: [
              q(
                'histogram_quantile(0.95, sum by (target, le) (rate(opswatch_snmp_poll_duration_seconds_bucket{target=~"$target"}[$__rate_interval])))',
                "{{target}}",
              ),
            ],
            w: 8,
            h: 8,
            unit: "s",
            min: 0,
          }),
          timelinePanel({
            title: "供电与市电时间线",
            description:
              "opswatch_ups_load_powered (负载 load: 供电 / 失电) and opswatch_ups_mains_normal (市电 mains: 正常 / 异常) " +
              "over time: the per-poll state behind the two power indicators. Gaps: no fresh poll.",
            queries: [
              metric("opswatch_ups_load_powered", "{{target}} 负载 load ({{agent}})"),
              metric("opswatch_ups_mains_normal", "{{target}} 市电 mains ({{agent}})"),
            ],
            w: 24,
            h: 6,
            mappings: [boolMap("正常", "异常")],
          }),
          timelinePanel({
            title: "UPS 状态标志",
            description:
              "NUT status flags (opswatch_ups_status, from ups.status) present over time: OL on line, OB on battery, " +
              "LB battery low, BYPASS, OFF output off, OVER overload, TRIM / BOOST voltage regulation, RB replace " +
              "battery. Only flags that were present show.",
            queries: [q('opswatch_ups_status{target=~"$target"} == 1', "{{target}} {{flag}} ({{agent}})")],
            w: 24,
            h: 6,
            mappings: [
              valueMap({
                "1": { text: "有 present", color: "blue" },
              }),
            ],
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
