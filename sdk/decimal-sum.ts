// Exact sums of decimal quantities (order-book sizes → `tas`/`tbs`): the sum of the decimals the numbers stand for,
// not of their binary approximations, so 0.1 + 0.2 gives 0.3 and nothing is rounded to a fixed number of digits.
//
// Each size is a double parsed from the exchange's decimal text; the shortest decimal that reads back as the same
// double is that text (less trailing zeros). The sizes are scaled to integers by the largest number of decimals
// among them, added as integers (exact below 2^53) and scaled back with one division, which rounds once, to the
// double nearest the exact decimal sum. Where that does not fit (more than 15 decimals, or huge values), the
// decimals are added as BigInt from each number's shortest string: slower, equally exact.

const POW10: number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
const MAX_DECIMALS = 15;
/** products below this are exact after Math.round (float error of x × 10^d stays under 0.5) */
const SCALED_LIMIT = 2 ** 51;

/** the number of decimals of the shortest decimal that reads back as x (x ≥ 0, finite), or -1 beyond 15 */
function decimalsFrom(x: number, start: number): number {
  for (let d = start; d <= MAX_DECIMALS; d++) {
    const p = POW10[d]!;
    const scaled = x * p;
    if (scaled >= SCALED_LIMIT) return -1;
    if (Math.round(scaled) / p === x) return d;
  }
  return -1;
}

/**
 * The exact decimal sum of `values` (finite numbers), as the nearest double. `-0` never comes out (0 does).
 * Reads values[i][key] for i in [0, n), skipping those where it is undefined, so a book's sides are summed in place.
 */
export function exactSum<K extends string>(values: ArrayLike<Partial<Record<K, number>>>, key: K, n = values.length): number {
  // one pass: the running sum is kept scaled by 10^decimals, and rescaled (exactly) when a value needs more decimals
  let decimals = 0;
  let p = 1;
  let scaled = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]![key];
    if (x === undefined) continue;
    if (!(x >= 0)) return slowSum(values, key, n); // negative or NaN: not a size; the general path handles it
    let y = x * p;
    let r = Math.round(y);
    if (y >= SCALED_LIMIT || r / p !== x) {
      const d = decimalsFrom(x, decimals + 1);
      if (d < 0) return slowSum(values, key, n);
      scaled *= POW10[d - decimals]!;
      decimals = d;
      p = POW10[d]!;
      y = x * p;
      r = Math.round(y);
    }
    scaled += r;
    if (scaled >= SCALED_LIMIT) return slowSum(values, key, n);
  }
  return scaled / p + 0;
}

/** a finite number's shortest decimal as an integer and a power of ten: 1.25e-7 → [125n, -9] */
function toDecimal(x: number): [bigint, number] {
  const s = String(x);
  const e = s.indexOf('e');
  const mantissa = e < 0 ? s : s.slice(0, e);
  let exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  let digits = mantissa;
  if (dot >= 0) {
    digits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    exp -= mantissa.length - dot - 1;
  }
  return [BigInt(digits), exp];
}

function slowSum<K extends string>(values: ArrayLike<Partial<Record<K, number>>>, key: K, n: number): number {
  const parts: [bigint, number][] = [];
  let minExp = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]![key];
    if (x === undefined) continue;
    if (!Number.isFinite(x)) return NaN;
    const d = toDecimal(x);
    parts.push(d);
    if (d[1] < minExp) minExp = d[1];
  }
  let total = 0n;
  for (const [m, exp] of parts) total += m * 10n ** BigInt(exp - minExp);
  return Number(`${total}e${minExp}`) + 0;
}
