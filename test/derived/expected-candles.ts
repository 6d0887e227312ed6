// Candles computed independently of the gateway, for tests: exact decimal sums with BigInt at a fixed scale.

export interface Trade {
  p: number;
  q: number;
  ts: number;
}

const SCALE = 20;
/** a number's decimal text as an integer scaled by 10^SCALE (exact for values with at most 10 decimals) */
function scaled(n: number): bigint {
  const [int, frac = ''] = n.toFixed(SCALE / 2).split('.');
  return BigInt(int! + frac.padEnd(SCALE / 2, '0')) * 10n ** BigInt(SCALE / 2);
}

function unscale(v: bigint, scale: number): number {
  const s = v.toString().padStart(scale + 1, '0');
  return Number(`${s.slice(0, -scale)}.${s.slice(-scale)}`);
}

export interface ExpectedCandle {
  tms: number;
  op: number;
  hp: number;
  lp: number;
  tp: number;
  catv: number;
  catp: number;
}

/** the candles of `trades` (in arrival order) for an interval of `ms`, oldest first */
export function expectedCandles(trades: Trade[], ms: number): ExpectedCandle[] {
  const groups = new Map<number, Trade[]>();
  for (const t of trades) {
    const start = Math.floor(t.ts / ms) * ms;
    groups.set(start, [...(groups.get(start) ?? []), t]);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([tms, ts]) => {
      const vol = ts.reduce((s, t) => s + scaled(t.q), 0n);
      // price × quantity at scale 2 × SCALE
      const quote = ts.reduce((s, t) => s + scaled(t.p) * scaled(t.q), 0n);
      return {
        tms,
        op: ts[0]!.p,
        hp: Math.max(...ts.map((t) => t.p)),
        lp: Math.min(...ts.map((t) => t.p)),
        tp: ts.at(-1)!.p,
        catv: unscale(vol, SCALE),
        catp: unscale(quote, 2 * SCALE),
      };
    });
}
