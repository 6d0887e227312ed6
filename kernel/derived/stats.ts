// Summary statistics of premium samples for /api/stats: min, max and percentiles by linear interpolation between
// the closest ranks (p of n sorted values sits at index p/100 × (n − 1)).

export interface Summary {
  count: number;
  min: number;
  max: number;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

export function percentile(sorted: number[], p: number): number {
  const at = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** undefined for no values */
export function summarize(values: number[]): Summary | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
    p5: percentile(s, 5),
    p25: percentile(s, 25),
    p50: percentile(s, 50),
    p75: percentile(s, 75),
    p95: percentile(s, 95),
  };
}
