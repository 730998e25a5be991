// 边界防火墙: the firewall_stability indicator and the probes of the firewall targets. SNMP interface,
// CPU / memory and HA metrics come with a later issue; a text panel says so.
import {
  boolMap,
  buildDashboard,
  type DashboardJson,
  indicatorMetStat,
  indicatorValueStat,
  labelVariable,
  q,
  statPanel,
  targetIndicatorTable,
  textPanel,
  timelinePanel,
  timeseriesPanel,
  windowVariable,
  zeroIsGood,
} from "./common.js";

const COMING = `**即将推出 Coming with a later issue**

opswatch does not poll the firewalls' SNMP tables yet. These panels will be added when it does:

- 接口状态 — designated interfaces' \`ifOperStatus\` (IF-MIB; not up(1) makes the firewall unstable), with \`ifName\` / \`ifAlias\`
- 接口流量 — \`ifHCInOctets\` / \`ifHCOutOctets\` per interface
- CPU / 内存 — \`hrProcessorLoad\`, Huawei \`hwEntityCpuUsage\` / \`hwEntityMemUsage\`, H3C \`hh3cEntityExtCpuUsage\` (≥ 90 % for 5 min is a warning; the daily inspection wants < 80 %)
- 运行时间与重启 — \`sysUpTime\` and unplanned reboots (uptime going backwards)
- 双机热备 HA — VRRP \`vrrpOperState\` (master / backup) of each member

Until then the firewall is judged from the probes below (SNMP \`sysUpTime.0\` and ICMP/TCP answers).`;

export function firewall(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-firewall",
    title: "边界防火墙",
    description:
      "Cloud boundary firewalls: the firewall_stability indicator (云平台边界防火墙运行稳定性) and probe_success / " +
      "probe_duration_seconds of the checks of every target that counts toward it.",
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
              "A firewall is unstable only when no check answers (SNMP and ICMP/TCP), confirmed 3 times.",
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
        title: "即将推出 Coming",
        panels: [
          textPanel(
            "接口、CPU 与双机状态（即将推出）",
            "SNMP interface, CPU / memory, uptime and HA metrics of the firewalls will come with a later issue.",
            COMING,
            24,
            8,
          ),
        ],
      },
    ],
  });
}
