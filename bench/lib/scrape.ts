// Reads a gateway's own Prometheus metrics (`/metrics`), for benchmarks that report what the gateway counted: one
// scrape per reading (each renders every series on the gateway's main thread), the figures parsed from its text.

/** the gateway's metrics text, read once */
export async function scrape(http: string): Promise<string> {
  return (await fetch(`${http}/metrics`)).text();
}

/** a counter's total over all its label sets (also a histogram's `_sum` or `_count`) */
export function counterTotal(text: string, name: string): number {
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) n += Number(m[1]);
  return n;
}

/** gateway_records_total per exchange */
export function recordsTotal(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^gateway_records_total\{exchange="([^"]+)"\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** a histogram's cumulative bucket counts (upper bound in s → count) summed over the label sets matching `labels` */
export function histogramBuckets(text: string, name: string, labels: Record<string, string> = {}): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const set = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).some(([k, v]) => set[k] !== v)) continue;
    const le = set.le === '+Inf' ? Infinity : Number(set.le);
    out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

/** the upper bound (ms) of the bucket holding quantile `q` of what was observed between two bucket readings */
export function bucketQuantileMs(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return NaN;
  for (const le of bounds) if ((after.get(le)! - (before.get(le) ?? 0)) >= q * total) return le * 1000;
  return Infinity;
}
