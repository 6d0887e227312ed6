// Counters, gauges and histograms with labels, rendered in the Prometheus text format for GET /metrics.

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: Map<string, { labels: Labels; value: number }>;
  /** gauges computed at scrape time */
  collect?: () => { labels: Labels; value: number }[];
  /** histograms: upper bounds (ascending, without +Inf) and, per label set, cumulative-free bucket counts */
  buckets?: number[];
  series?: Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>;
}

/** seconds: from a millisecond to a minute, for latencies */
export const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { help, type, values: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  /** declares a counter; `inc` adds to it */
  counter(name: string, help: string) {
    const f = this.family(name, 'counter', help);
    return {
      inc: (labels: Labels = {}, by = 1) => {
        const k = labelKey(labels);
        const v = f.values.get(k);
        if (v) v.value += by;
        else f.values.set(k, { labels, value: by });
      },
    };
  }

  /** declares a gauge whose values are read at scrape time */
  gauge(name: string, help: string, collect: () => { labels: Labels; value: number }[]): void {
    this.family(name, 'gauge', help).collect = collect;
  }

  /** declares a counter kept elsewhere (e.g. by a worker) and read at scrape time */
  collectedCounter(name: string, help: string, collect: () => { labels: Labels; value: number }[]): void {
    this.family(name, 'counter', help).collect = collect;
  }

  /** declares a histogram; `observe` counts one value into its bucket (values are in the unit the name says) */
  histogram(name: string, help: string, buckets: number[] = LATENCY_BUCKETS_S) {
    const f = this.family(name, 'histogram', help);
    f.buckets ??= [...buckets].sort((a, b) => a - b);
    const series = (f.series ??= new Map());
    const bounds = f.buckets;
    return {
      observe: (value: number, labels: Labels = {}) => {
        if (!Number.isFinite(value)) return;
        const k = labelKey(labels);
        let s = series.get(k);
        if (!s) {
          s = { labels, counts: new Array(bounds.length + 1).fill(0), sum: 0, count: 0 };
          series.set(k, s);
        }
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        s.counts[i]++;
        s.sum += value;
        s.count++;
      },
    };
  }

  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      if (f.type === 'histogram') {
        for (const s of f.series?.values() ?? []) {
          const k = labelKey(s.labels);
          let cumulative = 0;
          const bounds = [...f.buckets!, Infinity];
          for (let i = 0; i < bounds.length; i++) {
            cumulative += s.counts[i]!;
            const le = bounds[i] === Infinity ? '+Inf' : String(bounds[i]);
            out.push(`${name}_bucket{${k ? `${k},` : ''}le="${le}"} ${cumulative}`);
          }
          out.push(`${name}_sum${k ? `{${k}}` : ''} ${s.sum}`, `${name}_count${k ? `{${k}}` : ''} ${s.count}`);
        }
        continue;
      }
      const rows = f.collect ? f.collect() : [...f.values.values()];
      for (const { labels, value } of rows) {
        const k = labelKey(labels);
        out.push(`${name}${k ? `{${k}}` : ''} ${value}`);
      }
    }
    return out.join('\n') + '\n';
  }
}
