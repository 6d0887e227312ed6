// Small statistics for benchmark figures: medians and percentiles of samples, and number formatting.

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** the q-quantile (0..1) of `xs` by the nearest-rank method; NaN for no samples */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i]!;
}

/** percentiles from a histogram of integer values (index = value, e.g. latency in ms) */
export function histQuantile(hist: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) return i;
  }
  return hist.length - 1;
}

export function histMax(hist: ArrayLike<number>): number {
  for (let i = hist.length - 1; i >= 0; i--) if (hist[i]! > 0) return i;
  return NaN;
}

/** 12345678 → "12.3 M", 12345 → "12.3 k" */
export function si(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toPrecision(digits)} G`;
  if (a >= 1e6) return `${(n / 1e6).toPrecision(digits)} M`;
  if (a >= 1e3) return `${(n / 1e3).toPrecision(digits)} k`;
  return n.toPrecision(digits);
}

export function fixed(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

/** "1.23×" */
export function ratio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : '–';
}

/** a ratio beside its target, with a third decimal where two would hide which side of the target it is on */
export function judged(n: number, target: number): string {
  if (!Number.isFinite(n)) return '–';
  const text = n.toFixed(2) === target.toFixed(2) && n !== target ? n.toFixed(3) : n.toFixed(2);
  return `${text}×${n >= target ? ' ✓' : ' ✗'}`;
}
