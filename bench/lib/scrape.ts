// Reads a gateway's own Prometheus counters over HTTP (`/metrics`), for benchmarks that report what the gateway counted.

/** a counter's total over all its label sets */
export async function counterTotal(http: string, name: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) n += Number(m[1]);
  return n;
}

/** gateway_records_total per exchange */
export async function recordsTotal(http: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^gateway_records_total\{exchange="([^"]+)"\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** a histogram's cumulative bucket counts (upper bound in s → count) summed over the label sets matching `labels` */
export async function histogramBuckets(http: string, name: string, labels: Record<string, string> = {}): Promise<Map<number, number>> {
  const text = await (await fetch(`${http}/metrics`)).text();
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

/** a histogram's `_sum` over all its label sets */
export const histogramSum = (http: string, name: string): Promise<number> => counterTotal(http, `${name}_sum`);
