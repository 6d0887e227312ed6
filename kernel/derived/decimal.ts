// Exact decimal arithmetic for candle volumes: numbers become scaled integers (BigInt) from their shortest decimal
// form, so sums of many trades carry no floating-point drift; the result is the double nearest the exact sum.

/** a decimal value: `int / 10^scale` */
export interface Decimal {
  int: bigint;
  scale: number;
}

export const ZERO: Decimal = { int: 0n, scale: 0 };

/** The exact decimal written by `String(n)` (the shortest form that reads back as n), exponents included. */
export function toDecimal(n: number): Decimal {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  let s = String(n);
  let exp = 0;
  const e = s.indexOf('e');
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const neg = s.startsWith('-');
  if (neg) s = s.slice(1);
  const dot = s.indexOf('.');
  let digits = dot >= 0 ? s.slice(0, dot) + s.slice(dot + 1) : s;
  let scale = (dot >= 0 ? s.length - dot - 1 : 0) - exp;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const int = BigInt(digits);
  return { int: neg ? -int : int, scale };
}

function rescale(d: Decimal, scale: number): bigint {
  return d.scale === scale ? d.int : d.int * 10n ** BigInt(scale - d.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { int: rescale(a, scale) + rescale(b, scale), scale };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { int: a.int * b.int, scale: a.scale + b.scale };
}

/** the decimal as text, e.g. "12.345" */
export function format(d: Decimal): string {
  const neg = d.int < 0n;
  let s = (neg ? -d.int : d.int).toString();
  if (d.scale > 0) {
    s = s.padStart(d.scale + 1, '0');
    s = `${s.slice(0, -d.scale)}.${s.slice(-d.scale)}`.replace(/\.?0+$/, '');
  }
  return neg ? `-${s}` : s;
}

/** the double nearest the exact value */
export function toNumber(d: Decimal): number {
  return Number(format(d));
}
