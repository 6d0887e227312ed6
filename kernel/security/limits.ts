// Counting limits: open connections per client address and in total, and a token bucket for control messages.

/** Open WebSocket connections per address and in total; `release` is idempotent per lease. */
export class ConnectionLimits {
  private readonly perIp = new Map<string, number>();
  private total = 0;

  constructor(private readonly maxPerIp: number, private readonly maxTotal: number) {}

  get open(): number {
    return this.total;
  }

  /** a lease on one connection slot, or the limit that refused it */
  acquire(address: string): { release: () => void } | 'ip_limit' | 'client_limit' {
    if (this.total >= this.maxTotal) return 'client_limit';
    const n = this.perIp.get(address) ?? 0;
    if (n >= this.maxPerIp) return 'ip_limit';
    this.perIp.set(address, n + 1);
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.perIp.get(address) ?? 1) - 1;
        if (left <= 0) this.perIp.delete(address);
        else this.perIp.set(address, left);
      },
    };
  }
}

/** `ratePerSecond` on average, `burst` at once; `take` is false when the bucket is empty */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly ratePerSecond: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** values listed in the array fields of a control message (exchange, symbol, type, resume, ...) */
export function listedValues(msg: unknown): number {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return 0;
  let n = 0;
  for (const v of Object.values(msg)) if (Array.isArray(v)) n += v.length;
  return n;
}

/** values listed in the filter query parameters of a connect URL (`symbol=a,b,c` counts 3) */
export function listedQueryValues(params: URLSearchParams): number {
  let n = 0;
  for (const [, v] of params) n += v.split(',').length;
  return n;
}

/** true when `value` nests arrays/objects deeper than `limit` (checked without recursion) */
export function nestedDeeper(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return false;
}
