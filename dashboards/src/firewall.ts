// 边界防火墙: the firewall_stability indicator, the probes of the firewall targets, and the typed
// device metrics from SNMP (designated interfaces, traffic, CPU / memory, uptime and reboots, HA role).
import {
  below,
  boolMap,
  buildDashboard,
  type DashboardJson,
  GREEN,
  indicatorMetStat,
  indicatorValueStat,
  labelVariable,
  q,
  statPanel,
  targetIndicatorTable,
  timelinePanel,
  timeseriesPanel,
  valueMap,
  windowVariable,
  YELLOW,
  zeroIsGood,
} from "./common.js";

/** A device metric of the selected firewalls. */
const metric = (name: string, legend: string) => q(`${name}{target=~"$target"}`, legend);

export function firewall(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-firewall",
    title: "边界防火墙",
    description:
      "Cloud boundary firewalls: the firewall_stability indicator (云平台边界防火墙运行稳定性), probe_success / " +
      "probe_duration_seconds of the checks of every target that counts toward it, and their SNMP device " +
      "metrics: designated interfaces, traffic, CPU / memory, uptime and reboots, HA role.",
    tags: ["firewall"],
    variables: [
      windowVariable(),
      labelVariable(
        "target",
        "防火墙",
        'opswatch_indicator_downtime_seconds{indicator="firewall_stability"}',
        "Targets that count toward firewall_stability",
      ),
    ],
    rows: [
      {
        title: "指标 云平台边界防火墙运行稳定性",
        panels: [
          indicatorValueStat(["firewall_stability"], 1, { w: 7, h: 7 }),
          indicatorMetStat(["firewall_stability"], { w: 5, h: 7 }),
          targetIndicatorTable(["firewall_stability"], 1, { w: 12, h: 7 }),
        ],
      },
      {
        title: "探测 Probes",
        panels: [
          timelinePanel({
            title: "探测结果",
            description:
              "probe_success of each check (target, check, kind, agent) over time: 成功 answered, 失败 no answer. " +
              "A device is unreachable only when none of its checks answers (SNMP and ICMP/TCP), each confirmed; an HA pair " +
              "is unstable only when no member is up and master (docs/indicators.md §2.5).",
            queries: [q('probe_success{target=~"$target"}', "{{target}} {{check}} ({{kind}}, {{agent}})")],
            w: 24,
            h: 7,
            mappings: [boolMap("成功", "失败")],
          }),
          timeseriesPanel({
            title: "探测耗时",
            description: "probe_duration_seconds of each check: how long the newest probe took.",
            queries: [q('probe_duration_seconds{target=~"$target"}', "{{target}} {{check}} ({{agent}})")],
            w: 16,
            h: 8,
            unit: "s",
            min: 0,
          }),
          statPanel({
            title: "失败的检查",
            description: "Checks whose newest probe failed, per target (1 − probe_success, summed).",
            queries: [q('sum by (target) (1 - probe_success{target=~"$target"})', "{{target}}")],
            w: 8,
            h: 8,
            thresholds: zeroIsGood,
            colorBackground: true,
          }),
        ],
      },
      {
        title: "设备 Device (SNMP)",
        panels: [
          timelinePanel({
            title: "指定接口状态",
            description:
              "opswatch_interface_up of each designated interface (the check's interfaces[].name, matched by ifName / " +
              "ifAlias): up when ifOperStatus is up(1). A designated interface down makes the firewall unstable.",
            queries: [metric("opswatch_interface_up", "{{target}} {{interface}} ({{agent}})")],
            w: 12,
            h: 7,
            mappings: [boolMap("up", "down")],
          }),
          timelinePanel({
            title: "HA 角色",
            description:
              'opswatch_ha_role{role="master"} of each member (VRRP vrrpOperState): 主 master, 非主 backup or ' +
              "initialize. An HA pair is unstable only while no member is up and master.",
            queries: [
              q('opswatch_ha_role{target=~"$target", role="master"}', "{{target}} {{member}} ({{agent}})"),
            ],
            w: 12,
            h: 7,
            mappings: [
              valueMap({
                "1": { text: "主 master", color: GREEN },
                "0": { text: "非主 backup", color: YELLOW },
              }),
            ],
          }),
          timeseriesPanel({
            title: "接口流量",
            description:
              "opswatch_interface_traffic_bytes_per_second × 8 of the designated interfaces, from ifHCInOctets / " +
              "ifHCOutOctets between two polls (none on the first poll and after a counter reset).",
            queries: [
              q(
                'opswatch_interface_traffic_bytes_per_second{target=~"$target"} * 8',
                "{{target}} {{interface}} {{direction}} ({{agent}})",
              ),
            ],
            w: 12,
            h: 8,
            unit: "bps",
            min: 0,
          }),
          timeseriesPanel({
            title: "CPU / 内存",
            description:
              "opswatch_device_cpu_ratio and opswatch_device_memory_ratio (vendor MIB or HOST-RESOURCES). The daily " +
              "inspection wants < 80 % (orange line); ≥ 90 % for 5 min is a warning (red line), not instability.",
            queries: [
              metric("opswatch_device_cpu_ratio", "{{target}} CPU ({{agent}})"),
              metric("opswatch_device_memory_ratio", "{{target}} 内存 mem ({{agent}})"),
            ],
            w: 12,
            h: 8,
            unit: "percentunit",
            min: 0,
            softMax: 1,
            thresholds: below(0.9, 0.8),
          }),
          statPanel({
            title: "运行时间",
            description: "opswatch_device_uptime_seconds: time since the device last started (sysUpTime.0).",
            queries: [metric("opswatch_device_uptime_seconds", "{{target}} ({{agent}})")],
            w: 8,
            h: 6,
            unit: "s",
          }),
          statPanel({
            title: "重启次数",
            description:
              "Reboots in the dashboard's time range: increase of opswatch_device_reboots_total (sysUpTime went " +
              "backwards between two polls, not by the 497-day wrap), the highest count of any agent per target. An " +
              "unplanned reboot counts as downtime.",
            queries: [
              q(
                'max by (target) (round(increase(opswatch_device_reboots_total{target=~"$target"}[$__range])))',
                "{{target}}",
              ),
            ],
            w: 8,
            h: 6,
            thresholds: zeroIsGood,
            colorBackground: true,
          }),
          timeseriesPanel({
            title: "SNMP 轮询耗时 p95",
            description:
              "95th percentile of opswatch_snmp_poll_duration_seconds per firewall: how long a whole poll takes " +
              "(retries included); a climb towards the check's timeout comes before polls fail.",
            queries: [
              q(
                'histogram_quantile(0.95, sum by (target, le) (rate(opswatch_snmp_poll_duration_seconds_bucket{target=~"$target"}[$__rate_interval])))',
                "{{target}}",
              ),
            ],
            w: 8,
            h: 6,
            unit: "s",
            min: 0,
          }),
        ],
      },
    ],
  });
}
