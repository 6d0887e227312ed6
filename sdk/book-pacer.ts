// Paces book snapshot requests (REST GETs or WS resubscriptions) so that resynchronizing books stay within an
// exchange's limits: a token bucket per key (a burst, then one request per interval) and an optional cap shared by
// every key of the pacer (at most `count` requests in any `windowMs`).
//
// Plugins are pure and own no timers, so the pacer runs on the times it is given (a frame's receive or event time).
// Time never runs backwards for it: an older time than one already seen counts as that one. A request it refuses
// is not queued here: the book synchronizer asks again on the key's next frame (sdk/book-sync.ts).

export interface SnapshotPacing {
  /** per key: `burst` requests at once, refilled one per `intervalMs`. Default: a burst of 3, one a second. */
  perKey?: { burst: number; intervalMs: number };
  /** for all keys of this pacer together: at most `count` requests in any `windowMs`. Default: no shared cap. */
  global?: { count: number; windowMs: number };
}

export const DEFAULT_PER_KEY = { burst: 3, intervalMs: 1000 } as const;

interface Bucket {
  tokens: number;
  at: number;
}

export class SnapshotPacer {
  private readonly perKey: { burst: number; intervalMs: number };
  private readonly global?: { count: number; windowMs: number };
  private readonly buckets = new Map<string, Bucket>();
  /** times of the recent requests under the shared cap, oldest first */
  private readonly recent: number[] = [];
  private now = -Infinity;

  constructor(pacing: SnapshotPacing = {}) {
    this.perKey = pacing.perKey ?? DEFAULT_PER_KEY;
    this.global = pacing.global;
    if (!(this.perKey.burst >= 1) || !(this.perKey.intervalMs >= 0)) throw new RangeError('perKey needs burst >= 1 and intervalMs >= 0');
    if (this.global && (!(this.global.count >= 1) || !(this.global.windowMs > 0))) {
      throw new RangeError('global needs count >= 1 and windowMs > 0');
    }
  }

  /** true when `key` may send a request at `time` (the request is then counted); false: not yet */
  take(key: string, time: number): boolean {
    if (time > this.now) this.now = time;
    const now = this.now;
    const { burst, intervalMs } = this.perKey;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: burst, at: now };
      this.buckets.set(key, b);
    } else if (intervalMs === 0) {
      b.tokens = burst;
    } else if (now > b.at) {
      const earned = Math.floor((now - b.at) / intervalMs);
      if (earned > 0) {
        b.tokens = Math.min(burst, b.tokens + earned);
        b.at = b.tokens === burst ? now : b.at + earned * intervalMs;
      }
    }
    if (b.tokens < 1) return false;
    const g = this.global;
    if (g) {
      while (this.recent.length > 0 && this.recent[0]! <= now - g.windowMs) this.recent.shift();
      if (this.recent.length >= g.count) return false;
      this.recent.push(now);
    }
    if (b.tokens === burst) b.at = now;
    b.tokens--;
    return true;
  }
}
