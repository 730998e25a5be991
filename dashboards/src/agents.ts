// Agents: connection, last contact, spool backlog, and the server's ingest (throughput, rejects, commits).
import {
  atLeast,
  below,
  boolMap,
  buildDashboard,
  type DashboardJson,
  labelVariable,
  q,
  statPanel,
  timeseriesPanel,
} from "./common.js";

const agent = 'agent=~"$agent"';
const commitQuantile = (quantile: number) =>
  q(
    `histogram_quantile(${quantile}, sum by (le) (rate(opswatch_ingest_commit_seconds_bucket[$__rate_interval])))`,
    `p${quantile * 100}`,
  );

export function agents(): DashboardJson {
  return buildDashboard({
    uid: "opswatch-agents",
    title: "Agents 采集代理",
    description:
      "Agents and ingest: which agents are connected, how long since each last sent a frame, how many results " +
      "wait in their on-disk spools, and the server's ingest rate, rejected frames and commit latency.",
    tags: ["agents"],
    time: { from: "now-6h", to: "now" },
    variables: [
      labelVariable("agent", "代理", "opswatch_agent_connected", "Agents configured on the server"),
    ],
    rows: [
      {
        title: "代理 Agents",
        panels: [
          statPanel({
            title: "连接状态",
            description: "Whether each agent holds an authenticated connection (opswatch_agent_connected).",
            queries: [q(`opswatch_agent_connected{${agent}}`, "{{agent}}")],
            w: 8,
            h: 5,
            mappings: [boolMap("在线", "离线")],
            thresholds: atLeast(1),
            colorBackground: true,
          }),
          statPanel({
            title: "距上次上报",
            description:
              "Seconds since each agent last sent a frame (time() − opswatch_agent_last_seen_timestamp_seconds). " +
              "Orange after 1 min, red after 5 min.",
            queries: [q(`time() - opswatch_agent_last_seen_timestamp_seconds{${agent}}`, "{{agent}}")],
            w: 8,
            h: 5,
            unit: "s",
            decimals: 0,
            thresholds: below(300, 60),
          }),
          statPanel({
            title: "离线积压",
            description:
              "Results waiting in each agent's on-disk spool, as last reported (opswatch_agent_spool_depth). A growing " +
              "spool means results are not being acknowledged by the server.",
            queries: [q(`opswatch_agent_spool_depth{${agent}}`, "{{agent}}")],
            w: 8,
            h: 5,
            thresholds: below(1000, 100),
          }),
          timeseriesPanel({
            title: "写入速率",
            description:
              "Results committed to the store per second, per agent (rate of opswatch_results_ingested_total).",
            queries: [
              q(
                `sum by (agent) (rate(opswatch_results_ingested_total{${agent}}[$__rate_interval]))`,
                "{{agent}}",
              ),
            ],
            w: 12,
            h: 8,
            unit: "ops",
            min: 0,
          }),
          timeseriesPanel({
            title: "离线积压走势",
            description: "Spool depth per agent over time (opswatch_agent_spool_depth).",
            queries: [q(`opswatch_agent_spool_depth{${agent}}`, "{{agent}}")],
            w: 12,
            h: 8,
            unit: "short",
            min: 0,
          }),
        ],
      },
      {
        title: "服务器接收 Server ingest",
        panels: [
          timeseriesPanel({
            title: "拒绝（按原因）",
            description:
              "Frames or results refused by the server per second, by reason (opswatch_ingest_rejected_total): " +
              "bad_json, bad_message, not_authenticated, bad_token, too_large, bad_result, agent_mismatch.",
            queries: [
              q("sum by (reason) (rate(opswatch_ingest_rejected_total[$__rate_interval]))", "{{reason}}"),
            ],
            w: 9,
            h: 8,
            unit: "ops",
            min: 0,
          }),
          timeseriesPanel({
            title: "提交延迟",
            description:
              "Time to commit one group of batches to the store (opswatch_ingest_commit_seconds histogram): p50 and " +
              "p99. An agent's results are acknowledged only after the commit.",
            queries: [commitQuantile(0.5), commitQuantile(0.99)],
            w: 9,
            h: 8,
            unit: "s",
            min: 0,
          }),
          statPanel({
            title: "指标计算距今",
            description:
              "Seconds since the server last recomputed the indicator figures " +
              "(time() − opswatch_indicator_computed_timestamp_seconds; every server.indicator_refresh, default 60 s).",
            queries: [q("time() - max(opswatch_indicator_computed_timestamp_seconds)", "距今 age")],
            w: 6,
            h: 8,
            unit: "s",
            decimals: 0,
            thresholds: below(600, 180),
          }),
        ],
      },
    ],
  });
}
