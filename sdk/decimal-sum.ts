// Exact sums of decimal quantities: order-book sizes (`tas`/`tbs`, exactSum) and candle volumes (`catv` = Σ tv,
// `catp` = Σ tp × tv, DecimalSum). The sum of the decimals the numbers stand for, not of their binary
// approximations, so 0.1 + 0.2 gives 0.3 and nothing is rounded to a fixed number of digits.
//
// Each number is a double parsed from the exchange's decimal text; the shortest decimal that reads back as the same
// double is that text (less trailing zeros). A number x with d decimals is the integer round(x × 10^d) at scale d:
// found with doubles alone while x × 10^d stays below 2^51 (the float error of the product is then under 0.5, so the
// rounding lands on the exact integer). The running sum is an integer at the largest scale seen, kept in a double
// while it stays below 2^53 and moved into a BigInt when it would not; the result is one correctly rounded division
// (or, past 2^53, the BigInt's decimal text read back). Numbers that do not fit (more than 15 decimals, huge values)
// go the slow way, from their shortest string as BigInt: equally exact.

const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** 10^n for n ≤ 22 is exact as a double */
const MAX_EXACT_POW = 22;
const MAX_DECIMALS = 15;
/** x × 10^d below this gives the exact integer after Math.round */
const SCALED_LIMIT = 2 ** 51;
/** integers below this are exact doubles */
const INT_LIMIT = 2 ** 53;

const bigPow10 = (n: number): bigint => 10n ** BigInt(n);

/** round(x × 10^d) when that is x's decimal exactly at scale d (x finite, d ≤ 15), else NaN */
function scaledAt(x: number, d: number): number {
  const p = POW10[d]!;
  const y = x * p;
  if (!(y < SCALED_LIMIT && y > -SCALED_LIMIT)) return NaN;
  const r = Math.round(y);
  return r / p === x ? r : NaN;
}

/** the fewest decimals d ≥ from at which x scales exactly, or -1 (more than 15 decimals, too large, not finite) */
function decimalsOf(x: number, from = 0): number {
  for (let d = from; d <= MAX_DECIMALS; d++) {
    const p = POW10[d]!;
    const y = x * p;
    if (!(y < SCALED_LIMIT && y > -SCALED_LIMIT)) return -1;
    if (Math.round(y) / p === x) return d;
  }
  return -1;
}

/** a finite number's shortest decimal as an integer and a power of ten: 1.25e-7 → [125n, -9] */
function bigDecimal(x: number): [bigint, number] {
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

/** A running exact decimal sum of numbers and of products of two numbers. */
export class DecimalSum {
  /** the sum is (big + small) / 10^scale */
  private scale = 0;
  private small = 0;
  private big = 0n;
  private nan = false;
  /** the scales the last product's factors were read at: tried first (prices and sizes keep their decimals) */
  private da = 0;
  private db = 0;

  reset(): void {
    this.scale = 0;
    this.small = 0;
    this.big = 0n;
    this.nan = false;
    this.da = 0;
    this.db = 0;
  }

  /** adds x (a non-finite x makes the sum NaN) */
  add(x: number): void {
    // the common case inline: x fits the sum's own scale, and the sum stays below 2^53
    const scale = this.scale;
    if (scale <= MAX_DECIMALS) {
      const p = POW10[scale]!;
      const y = x * p;
      if (y < SCALED_LIMIT && y > -SCALED_LIMIT) {
        const r = Math.round(y);
        const sum = this.small + r;
        if (r / p === x && sum < INT_LIMIT && sum > -INT_LIMIT) return void (this.small = sum);
      }
    }
    // x has more decimals than the sum so far, or the sum outgrew 2^53 (then x fits the sum's scale)
    const d = decimalsOf(x, scale <= MAX_DECIMALS ? scale : 0);
    if (d >= 0) return this.addScaled(Math.round(x * POW10[d]!), d);
    if (!Number.isFinite(x)) return void (this.nan = true);
    const [m, exp] = bigDecimal(x);
    this.addBig(m, exp);
  }

  /** adds a × b, the exact product of the two decimals */
  addProduct(a: number, b: number): void {
    let ra = scaledAt(a, this.da);
    if (ra !== ra) {
      const d = decimalsOf(a);
      if (d >= 0) ra = scaledAt(a, (this.da = d));
    }
    let rb = scaledAt(b, this.db);
    if (rb !== rb) {
      const d = decimalsOf(b);
      if (d >= 0) rb = scaledAt(b, (this.db = d));
    }
    // any scale at which a factor reads exactly gives the exact product
    if (ra === ra && rb === rb) {
      const p = ra * rb;
      if (p < INT_LIMIT && p > -INT_LIMIT) return this.addScaled(p, this.da + this.db);
      return this.addBig(BigInt(ra) * BigInt(rb), -(this.da + this.db));
    }
    if (!Number.isFinite(a) || !Number.isFinite(b)) return void (this.nan = true);
    const [ma, ea] = bigDecimal(a);
    const [mb, eb] = bigDecimal(b);
    this.addBig(ma * mb, ea + eb);
  }

  /** the double nearest the exact sum; 0, never -0, for a zero sum */
  value(): number {
    if (this.nan) return NaN;
    if (this.big === 0n && this.scale <= MAX_EXACT_POW) return this.small / POW10[this.scale]! + 0;
    const total = this.big + BigInt(this.small);
    return Number(`${total}e-${this.scale}`) + 0;
  }

  /** adds the exact integer n (|n| < 2^53) at scale s */
  private addScaled(n: number, s: number): void {
    if (s > this.scale) this.rescale(s);
    else if (s < this.scale) {
      const k = this.scale - s;
      const m = k <= MAX_EXACT_POW ? n * POW10[k]! : Infinity;
      if (m >= INT_LIMIT || m <= -INT_LIMIT) return void (this.big += BigInt(n) * bigPow10(k));
      n = m;
    }
    const sum = this.small + n;
    if (sum < INT_LIMIT && sum > -INT_LIMIT) this.small = sum;
    else {
      this.big += BigInt(this.small) + BigInt(n);
      this.small = 0;
    }
  }

  /** adds m × 10^exp */
  private addBig(m: bigint, exp: number): void {
    if (exp > 0) {
      m *= bigPow10(exp);
      exp = 0;
    }
    if (-exp > this.scale) this.rescale(-exp);
    this.big += m * bigPow10(this.scale + exp);
  }

  /** moves the sum to a larger scale s */
  private rescale(s: number): void {
    const k = s - this.scale;
    if (this.big !== 0n) this.big *= bigPow10(k);
    const m = k <= MAX_EXACT_POW ? this.small * POW10[k]! : Infinity;
    if (m < INT_LIMIT && m > -INT_LIMIT) this.small = m;
    else {
      this.big += BigInt(this.small) * bigPow10(k);
      this.small = 0;
    }
    this.scale = s;
  }
}

/** one sum reused by exactSum (no allocation per book) */
const shared = new DecimalSum();

/**
 * The exact decimal sum of `values` (finite numbers), as the nearest double. `-0` never comes out (0 does).
 * Reads values[i][key] for i in [0, n), skipping those where it is undefined, so a book's sides are summed in place.
 */
export function exactSum<K extends string>(values: ArrayLike<Partial<Record<K, number>>>, key: K, n = values.length): number {
  shared.reset();
  for (let i = 0; i < n; i++) {
    const x = values[i]![key];
    if (x !== undefined) shared.add(x);
  }
  return shared.value();
}
