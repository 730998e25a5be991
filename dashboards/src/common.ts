// Shared pieces of the opswatch dashboards: the data source (an import input and a template variable),
// common template variables, typed panel helpers on top of @grafana/grafana-foundation-sdk, and the
// final assembly into importable JSON (__inputs, __requires, stable panel ids and refIds).
//
// Titles are Chinese (the operators' language), descriptions English (with the Chinese term where it
// helps). Units, thresholds and value mappings are set here so every dashboard renders them alike.
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as statetimeline from "@grafana/grafana-foundation-sdk/statetimeline";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as text from "@grafana/grafana-foundation-sdk/text";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

/** The import input: Grafana's import dialog asks for a Prometheus data source and fills it in. */
export const DS_INPUT = "DS_PROMETHEUS";
/** Every panel and query variable uses the `datasource` template variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
export const DS: common.DataSourceRef = { type: "prometheus", uid: "${datasource}" };

// ---------------------------------------------------------------------------------------------------
// Indicators (names as in docs/indicators.md and `opswatch indicators`)

export const INDICATORS = {
  website_uptime: { zh: "网站正常运行率", en: "Website uptime" },
  response_time: { zh: "系统对用户操作的响应时间", en: "Response time to user operations" },
  ups_power_stability: { zh: "UPS供电稳定性", en: "UPS power stability" },
  room_power_stability: { zh: "机房用电稳定性", en: "Machine-room power stability" },
  firewall_stability: { zh: "云平台边界防火墙运行稳定性", en: "Cloud boundary firewall stability" },
  fault_response_rate: { zh: "系统故障响应率", en: "Fault response rate" },
  fault_completion_rate: { zh: "系统故障处理完成率", en: "Fault completion rate" },
  inspection_pass_rate: { zh: "系统日常巡检达标率", en: "Daily inspection pass rate" },
} as const;
export type IndicatorId = keyof typeof INDICATORS;

/** Value mapping indicator id → Chinese name, for label columns of tables. */
export const indicatorNames = (): dashboard.ValueMapping[] => [
  {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(
      Object.entries(INDICATORS).map(([id, n], index) => [id, { text: n.zh, index }]),
    ),
  },
];

/** Series named by indicator id (legend `{{indicator}}`) shown with their Chinese names. */
export const indicatorDisplayNames = (
  ids: readonly IndicatorId[] = Object.keys(INDICATORS) as IndicatorId[],
) => Object.fromEntries(ids.map((id) => [id, INDICATORS[id].zh]));

/**
 * A ratio truncated (not rounded) to the two decimals of a percentage, as the official report prints
 * it (indicators.md rule 9: 99.995 % shows as 99.99 %). The epsilon absorbs binary floating point
 * (0.29 × 10000 = 2899.9999…).
 */
export const truncatedPercent = (expr: string) => `floor(${expr} * 10000 + 1e-6) / 10000`;

// ---------------------------------------------------------------------------------------------------
// Colours, thresholds, value mappings

export const GREEN = "green";
export const RED = "red";
export const ORANGE = "orange";
export const YELLOW = "yellow";
export const GREY = "text";

export type Steps = dashboard.Threshold[];

/** Red below the objective, green from it on (ratios: higher is better). */
export const atLeast = (objective: number): Steps => [
  { value: null, color: RED },
  { value: objective, color: GREEN },
];
/** Green below the limit, red from it on (latencies, counts: lower is better). */
export const below = (limit: number, warn?: number): Steps => [
  { value: null, color: GREEN },
  ...(warn === undefined ? [] : [{ value: warn, color: ORANGE }]),
  { value: limit, color: RED },
];
/** Anything above zero is red (open faults, overdue, alarms). */
export const zeroIsGood: Steps = [
  { value: null, color: GREEN },
  { value: 1, color: RED },
];

/** Exact values → text and colour (enumerations such as upsOutputSource). */
export function valueMap(entries: Record<string, { text: string; color: string }>): dashboard.ValueMapping {
  return {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(Object.entries(entries).map(([v, r], index) => [v, { ...r, index }])),
  };
}

/** Numeric ranges → colour (and optional text), e.g. HTTP status classes. */
export function rangeMap(from: number, to: number, color: string, text?: string): dashboard.ValueMapping {
  return {
    type: dashboard.MappingType.RangeToText,
    options: { from, to, result: text === undefined ? { color } : { text, color } },
  };
}

/** 1 / 0 series: good / bad texts. */
export const boolMap = (good: string, bad: string) =>
  valueMap({ "1": { text: good, color: GREEN }, "0": { text: bad, color: RED } });

/** opswatch_indicator_met: 1 达标, 0 未达标, -1 (n/a: absent met, see overview) 待定. */
export const metMap = () =>
  valueMap({
    "1": { text: "达标", color: GREEN },
    "0": { text: "未达标", color: RED },
    "-1": { text: "待定 n/a", color: GREY },
  });

// ---------------------------------------------------------------------------------------------------
// Template variables

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder("datasource")
    .label("数据源")
    .description("Prometheus data source that scrapes the opswatch server's /metrics")
    .type("prometheus")
    .current({ text: "Prometheus", value: `\${${DS_INPUT}}` });
}

/** The indicator window: month to date (the official figure) or the rolling 30 days. */
export function windowVariable(): dashboard.CustomVariableBuilder {
  const options = [
    { text: "本月至今", value: "month" },
    { text: "近30天", value: "30d" },
  ];
  return new dashboard.CustomVariableBuilder("window")
    .label("统计窗口")
    .description("Indicator window: month to date (official, 本月至今) or rolling 30 days (近30天)")
    .values(options.map((o) => `${o.text} : ${o.value}`).join(","))
    .current({ ...options[0], selected: true } as dashboard.VariableOption)
    .options(options.map((o, i) => ({ ...o, selected: i === 0 })))
    .multi(false)
    .includeAll(false);
}

/**
 * A multi-value variable filled from Prometheus with `label_values(selector, label)`, all selected
 * by default. Queries use it as `label=~"$name"`. No custom "All" value: Grafana then expands All
 * to the alternation of the values found, so a selector never widens beyond them.
 */
export function labelVariable(
  name: string,
  label: string,
  selector: string,
  description: string,
): dashboard.QueryVariableBuilder {
  const query = `label_values(${selector}, ${name})`;
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DS)
    .query({ qryType: 1, query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .current({ text: ["All"], value: ["$__all"] });
}

// ---------------------------------------------------------------------------------------------------
// Queries

export interface Query {
  expr: string;
  /** Legend; Grafana's `{{label}}` syntax. */
  legend?: string;
  /** Table format (for merged tables); default time series. */
  table?: boolean;
}

/** A query: an expression with an optional legend. */
export const q = (expr: string, legend?: string, opts: { table?: boolean } = {}): Query => ({
  expr,
  ...(legend === undefined ? {} : { legend }),
  ...opts,
});

function dataquery(query: Query, index: number, instant: boolean): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder()
    .datasource(DS)
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend ?? "__auto")
    .editorMode(prometheus.QueryEditorMode.Code);
  if (query.table) b.format(prometheus.PromQueryFormat.Table);
  return instant ? b.instant() : b.range();
}

// ---------------------------------------------------------------------------------------------------
// Panels

/** What every panel helper takes. */
export interface PanelOptions {
  /** Chinese title. */
  title: string;
  /** English description (what it shows, from which metric, what the colours mean). */
  description: string;
  queries: Query[];
  /** Grid width (of 24) and height. */
  w: number;
  h: number;
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: Steps;
  mappings?: dashboard.ValueMapping[];
  /** Display names of series by their legend name (e.g. indicator id → Chinese name). */
  names?: Record<string, string>;
  /** Extra per-field overrides by field name. */
  overrides?: Record<string, dashboard.DynamicConfigValue[]>;
  noValue?: string;
  transformations?: dashboard.DataTransformerConfig[];
}

/** The builder methods all panel kinds share (each SDK panel builder has them, with `this` results). */
interface AnyPanel extends cog.Builder<dashboard.Panel> {
  title(t: string): unknown;
  description(d: string): unknown;
  datasource(d: common.DataSourceRef): unknown;
  withTarget(t: cog.Builder<cog.Dataquery>): unknown;
  span(w: number): unknown;
  height(h: number): unknown;
  unit(u: string): unknown;
  decimals(d: number): unknown;
  min(m: number): unknown;
  max(m: number): unknown;
  thresholds(t: cog.Builder<dashboard.ThresholdsConfig>): unknown;
  mappings(m: dashboard.ValueMapping[]): unknown;
  overrideByName(name: string, properties: dashboard.DynamicConfigValue[]): unknown;
  noValue(v: string): unknown;
  withTransformation(t: dashboard.DataTransformerConfig): unknown;
}

function apply<P extends AnyPanel>(p: P, o: PanelOptions, instant: boolean): P {
  p.title(o.title);
  p.description(o.description);
  p.datasource(DS);
  o.queries.forEach((query, i) => {
    p.withTarget(dataquery(query, i, instant));
  });
  p.span(o.w);
  p.height(o.h);
  if (o.unit !== undefined) p.unit(o.unit);
  if (o.decimals !== undefined) p.decimals(o.decimals);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  p.thresholds(
    new dashboard.ThresholdsConfigBuilder()
      .mode(dashboard.ThresholdsMode.Absolute)
      .steps(o.thresholds ?? [{ value: null, color: GREEN }]),
  );
  if (o.mappings) p.mappings(o.mappings);
  // One override per field name: display name first, then the extra properties.
  const byName = new Map<string, dashboard.DynamicConfigValue[]>();
  for (const [name, displayName] of Object.entries(o.names ?? {}))
    byName.set(name, [{ id: "displayName", value: displayName }]);
  for (const [name, properties] of Object.entries(o.overrides ?? {}))
    byName.set(name, [...(byName.get(name) ?? []), ...properties]);
  for (const [name, properties] of byName) p.overrideByName(name, properties);
  if (o.noValue !== undefined) p.noValue(o.noValue);
  for (const t of o.transformations ?? []) p.withTransformation(t);
  return p;
}

const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false);

/** Big numbers, one per series: the current value (instant queries). */
export function statPanel(
  o: PanelOptions & { colorBackground?: boolean; sparkline?: boolean },
): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .reduceOptions(lastValue())
    .colorMode(o.colorBackground ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .graphMode(o.sparkline ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .wideLayout(true)
    .showPercentChange(false);
  // A sparkline needs the history: range queries then.
  return apply(p, o, !o.sparkline);
}

/** Lines over time; thresholds drawn as dashed lines (objectives, limits) when given. */
export function timeseriesPanel(
  o: PanelOptions & { bars?: boolean; stacked?: boolean; softMax?: number },
): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .drawStyle(o.bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(o.bars || o.stacked ? 80 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.None),
    )
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(
        o.thresholds ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off,
      ),
    )
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic));
  if (o.stacked) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.softMax !== undefined) p.axisSoftMax(o.softMax);
  return apply(p, o, false);
}

/** Discrete states over time (up/down, output source), coloured by the value mappings. */
export function timelinePanel(o: PanelOptions): statetimeline.PanelBuilder {
  const p = new statetimeline.PanelBuilder()
    .showValue(common.VisibilityMode.Auto)
    .mergeValues(true)
    .rowHeight(0.9)
    .alignValue(common.TimelineValueAlignment.Left)
    .fillOpacity(80)
    .lineWidth(0)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Single)
        .sort(common.SortOrder.None),
    )
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds));
  return apply(p, o, false);
}

/** A table of instant results, several queries merged on their labels (give every query `table`). */
export function tablePanel(o: PanelOptions): table.PanelBuilder {
  const p = new table.PanelBuilder().showHeader(true).cellHeight(common.TableCellHeight.Sm);
  return apply(p, o, true);
}

/** Markdown text (no query). */
export function textPanel(title: string, description: string, markdown: string, w: number, h: number) {
  return new text.PanelBuilder()
    .title(title)
    .description(description)
    .mode(text.TextMode.Markdown)
    .content(markdown)
    .span(w)
    .height(h);
}

/** A table cell coloured by its value (mappings / thresholds), e.g. 达标 / 未达标. */
export const colouredCell = (): dashboard.DynamicConfigValue => ({
  id: "custom.cellOptions",
  value: { type: common.TableCellDisplayMode.ColorBackground, mode: "basic" },
});

// ---------------------------------------------------------------------------------------------------
// Dashboards

export interface Row {
  /** Chinese title (English after it is fine: rows have no description). */
  title: string;
  panels: cog.Builder<dashboard.Panel>[];
}

export interface DashboardSpec {
  /** Stable uid (links and provisioning rely on it). */
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: cog.Builder<dashboard.VariableModel>[];
  rows: Row[];
  time?: { from: string; to: string };
}

/** The JSON Grafana imports: the SDK's dashboard plus the import inputs and requirements. */
export type DashboardJson = {
  __inputs: object[];
  __elements: object;
  __requires: object[];
} & dashboard.Dashboard;

/** Builds the dashboard: data source variable first, rows in order, ids and refIds assigned. */
export function buildDashboard(spec: DashboardSpec): DashboardJson {
  const b = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(["opswatch", ...spec.tags])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time(spec.time ?? { from: "now-24h", to: "now" })
    .timezone("browser")
    .refresh("1m")
    .link(
      new dashboard.DashboardLinkBuilder("opswatch 仪表盘")
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(["opswatch"])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true)
        .targetBlank(false)
        .tooltip("All opswatch dashboards"),
    )
    .withVariable(datasourceVariable());
  for (const v of spec.variables) b.withVariable(v);
  for (const row of spec.rows) {
    b.withRow(new dashboard.RowBuilder(row.title));
    for (const p of row.panels) b.withPanel(p);
  }
  const d = b.build();
  // The SDK defaults links into the controls menu (Grafana 12); keep them visible in the header.
  for (const link of d.links ?? []) delete link.placement;
  const types = new Set<string>();
  (d.panels ?? []).forEach((p, i) => {
    p.id = i + 1;
    if (p.type !== "row") types.add(p.type);
  });
  return {
    __inputs: [
      {
        name: DS_INPUT,
        label: "Prometheus",
        description: "Prometheus that scrapes the opswatch server (/metrics)",
        type: "datasource",
        pluginId: "prometheus",
        pluginName: "Prometheus",
      },
    ],
    __elements: {},
    __requires: [
      { type: "grafana", id: "grafana", name: "Grafana", version: "10.4.0" },
      { type: "datasource", id: "prometheus", name: "Prometheus", version: "1.0.0" },
      ...[...types].sort().map((id) => ({ type: "panel", id, name: id, version: "" })),
    ],
    ...d,
  };
}

/** Pretty-printed, newline-terminated JSON: what is committed. */
export const toJson = (d: DashboardJson) => `${JSON.stringify(d, null, 2)}\n`;

// ---------------------------------------------------------------------------------------------------
// Indicator panels shared by the overview and the domain dashboards

const oneOf = (ids: readonly string[]) => ids.join("|");

/**
 * opswatch_indicator_met is absent while an indicator is n/a (nothing decided, no known time); the
 * objective gauge always exists, so `or` fills those in as -1, which metMap shows as 待定 n/a.
 */
export const metOrPending = (ids: readonly IndicatorId[]) =>
  `max by (indicator) (opswatch_indicator_met{indicator=~"${oneOf(ids)}", window="$window"})` +
  ` or on (indicator) (max by (indicator) (opswatch_indicator_objective_ratio{indicator=~"${oneOf(ids)}"}) * 0 - 1)`;

/** The group figure of ratio indicators (truncated like the report), coloured against the objective. */
export function indicatorValueStat(
  ids: readonly IndicatorId[],
  objective: number,
  size: { w: number; h: number },
): stat.PanelBuilder {
  return statPanel({
    title: ids.map((id) => INDICATORS[id].zh).join(" / "),
    description:
      `Group figure of ${ids.map((id) => `${id} (${INDICATORS[id].en})`).join(", ")} in the selected ` +
      `window (opswatch_indicator_value), truncated to two decimals like the official report. Green from ` +
      `the default objective ${objective * 100} % on; the configured objective is in opswatch_indicator_objective_ratio.`,
    queries: [
      q(
        truncatedPercent(
          `max by (indicator) (opswatch_indicator_value{indicator=~"${oneOf(ids)}", window="$window"})`,
        ),
        "{{indicator}}",
      ),
    ],
    ...size,
    unit: "percentunit",
    decimals: 2,
    thresholds: atLeast(objective),
    names: indicatorDisplayNames(ids),
    noValue: "n/a",
  });
}

/** 达标 / 未达标 / 待定 of indicators in the selected window. */
export function indicatorMetStat(
  ids: readonly IndicatorId[],
  size: { w: number; h: number },
): stat.PanelBuilder {
  return statPanel({
    title: "是否达标",
    description:
      "Met / not met (opswatch_indicator_met) in the selected window; 待定 n/a while nothing is decided " +
      "or no time is known yet.",
    queries: [q(metOrPending(ids), "{{indicator}}")],
    ...size,
    mappings: [metMap()],
    thresholds: [
      { value: null, color: GREY },
      { value: 0, color: RED },
      { value: 1, color: GREEN },
    ],
    names: indicatorDisplayNames(ids),
    colorBackground: true,
  });
}

/**
 * Merges instant table queries (A, B, …) on their labels into one table: `labels` renames the label
 * columns, `values` names the value columns in query order. Overrides then address the new names.
 */
export function mergedColumns(
  labels: Record<string, string>,
  values: string[],
): dashboard.DataTransformerConfig[] {
  const valueNames = Object.fromEntries(
    values.map((name, i) => [`Value #${String.fromCharCode(65 + i)}`, name]),
  );
  const order = [...Object.keys(labels), ...Object.keys(valueNames)];
  return [
    { id: "merge", options: {} },
    {
      id: "organize",
      options: {
        excludeByName: { Time: true },
        indexByName: Object.fromEntries(order.map((name, i) => [name, i])),
        renameByName: { ...labels, ...valueNames },
      },
    },
  ];
}

/** Per target: ratio, coverage and downtime of time-based indicators in the selected window. */
export function targetIndicatorTable(
  ids: readonly IndicatorId[],
  objective: number,
  size: { w: number; h: number },
): table.PanelBuilder {
  const sel = `{indicator=~"${oneOf(ids)}", target=~"$target", window="$window"}`;
  const by = "max by (indicator, target)";
  return tablePanel({
    title: "各目标比例、覆盖率与停机时长",
    description:
      "Per target in the selected window: ratio (opswatch_indicator_ratio, truncated), coverage = known " +
      "time ÷ agreed service time (opswatch_indicator_coverage_ratio; below 99 % the figure is flagged) and " +
      "unplanned downtime (opswatch_indicator_downtime_seconds).",
    queries: [
      q(truncatedPercent(`${by} (opswatch_indicator_ratio${sel})`), undefined, { table: true }),
      q(truncatedPercent(`${by} (opswatch_indicator_coverage_ratio${sel})`), undefined, { table: true }),
      q(`${by} (opswatch_indicator_downtime_seconds${sel})`, undefined, { table: true }),
    ],
    ...size,
    transformations: mergedColumns({ indicator: "指标", target: "目标" }, ["比例", "覆盖率", "停机时长"]),
    overrides: {
      指标: [{ id: "mappings", value: indicatorNames() }],
      比例: [
        { id: "unit", value: "percentunit" },
        { id: "decimals", value: 2 },
        { id: "thresholds", value: { mode: "absolute", steps: atLeast(objective) } },
        { id: "custom.cellOptions", value: { type: "color-text" } },
        { id: "noValue", value: "n/a" },
      ],
      覆盖率: [
        { id: "unit", value: "percentunit" },
        { id: "decimals", value: 2 },
        {
          id: "thresholds",
          value: {
            mode: "absolute",
            steps: atLeast(0.99).map((s) => (s.color === RED ? { ...s, color: ORANGE } : s)),
          },
        },
        { id: "custom.cellOptions", value: { type: "color-text" } },
      ],
      停机时长: [
        { id: "unit", value: "s" },
        { id: "thresholds", value: { mode: "absolute", steps: zeroIsGood } },
        { id: "custom.cellOptions", value: { type: "color-text" } },
      ],
    },
  });
}
