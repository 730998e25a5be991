// A Prometheus histogram in which a failed observation counts as +Inf, as the response_time rule counts
// a failed operation (indicators.md rule 12). prom-client's Histogram only buckets the value observed,
// so a failure that took 5 ms would land in the fastest bucket and make histogram_quantile() lie.
import type { Histogram, Registry } from "prom-client";

interface Series {
  labels: Record<string, string>;
  /** Observations per finite bucket (not cumulative); failures are in none of them. */
  counts: number[];
  sum: number;
  count: number;
}

export class OutcomeHistogram<L extends string> {
  // The shape prom-client's Registry reads from a metric (name, help, type, aggregator, get, reset).
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    /** Finite upper bounds, ascending. */
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    // Not a prom-client class, but what its registry calls is implemented below.
    registry.registerMetric(this as unknown as Histogram);
  }

  /** Makes a series exist at 0, so that its first observation is an increase Prometheus can see. */
  zero(labels: Record<L, string>): void {
    this.seriesOf(labels);
  }

  /**
   * A successful observation goes into the first bucket whose bound is ≥ `seconds`; a failed one only
   * into +Inf. Both add `seconds` to _sum (the measured time) and 1 to _count.
   */
  observe(labels: Record<L, string>, seconds: number, ok: boolean): void {
    const s = this.seriesOf(labels);
    const i = ok ? this.buckets.findIndex((b) => seconds <= b) : -1;
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += seconds;
    s.count += 1;
  }

  reset(): void {
    this.series.clear();
  }

  async get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i] ?? 0;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push(
        { metricName: `${this.name}_bucket`, labels: { ...s.labels, le: "+Inf" }, value: s.count },
        { metricName: `${this.name}_sum`, labels: s.labels, value: s.sum },
        { metricName: `${this.name}_count`, labels: s.labels, value: s.count },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  private seriesOf(labels: Record<L, string>): Series {
    const key = this.labelNames.map((n) => labels[n]).join("\0");
    let s = this.series.get(key);
    if (!s) {
      // Only the declared label names, in their order: a stray key never becomes a label.
      const own = Object.fromEntries(this.labelNames.map((n) => [n, labels[n]]));
      s = { labels: own, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }
}
