// Counters and gauges with labels, rendered in the Prometheus text format for GET /metrics.

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
  /** gauges computed at scrape time */
  collect?: () => { labels: Labels; value: number }[];
}

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

  render(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      const rows = f.collect ? f.collect() : [...f.values.values()];
      for (const { labels, value } of rows) {
        const k = labelKey(labels);
        out.push(`${name}${k ? `{${k}}` : ''} ${value}`);
      }
    }
    return out.join('\n') + '\n';
  }
}
