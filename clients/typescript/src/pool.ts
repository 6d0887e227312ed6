// The latest-value pool (the seeds' DataPool): the newest record of every stream key, read without waiting.

import { keyString } from './keys.ts';
import type { GatewayRecord, RecordByType, RecordType } from './records.ts';

/** Narrows premium keys by reference exchange and candle keys by interval. */
export interface LatestSelector {
  rex?: string;
  iv?: string;
}

export class LatestPool {
  private readonly byKey = new Map<string, GatewayRecord>();
  /** (ex|ty|cd) → full keys, for premium/candle keys that differ only by rex/iv */
  private readonly byMarket = new Map<string, Set<string>>();
  /** book keys invalidated by a `resync` event, until their next record */
  private readonly invalid = new Set<string>();

  put(r: GatewayRecord): void {
    const k = keyString(r);
    const prev = this.byKey.get(k);
    this.invalid.delete(k);
    // a snapshot never replaces a newer record already held
    if (prev && r.st === 'SNAPSHOT' && typeof prev.ep === 'number' && typeof r.ep === 'number' &&
        (prev.ep > r.ep || (prev.ep === r.ep && (prev.sq ?? 0) > (r.sq ?? 0)))) return;
    this.byKey.set(k, r);
    const m = `${r.ex}|${r.ty}|${r.cd}`;
    let set = this.byMarket.get(m);
    if (!set) this.byMarket.set(m, (set = new Set()));
    set.add(k);
  }

  latest<T extends RecordType>(exchange: string, symbol: string, type: T, sel: LatestSelector = {}): RecordByType[T] | undefined {
    const keys = this.byMarket.get(`${exchange}|${type}|${symbol}`);
    if (!keys) return undefined;
    let best: GatewayRecord | undefined;
    for (const k of keys) {
      const r = this.byKey.get(k) as GatewayRecord & { rex?: string; iv?: string };
      if (sel.rex !== undefined && r.rex !== sel.rex) continue;
      if (sel.iv !== undefined && r.iv !== sel.iv) continue;
      if (!best || (r.rtms ?? r.tms) > (best.rtms ?? best.tms)) best = r;
    }
    return best as RecordByType[T] | undefined;
  }

  /** every record held, optionally of one type */
  all<T extends RecordType>(type?: T): RecordByType[T][] {
    const out: GatewayRecord[] = [];
    for (const r of this.byKey.values()) if (!type || r.ty === type) out.push(r);
    return out as RecordByType[T][];
  }

  invalidate(exchange: string, symbol: string, type: string): void {
    for (const k of this.byMarket.get(`${exchange}|${type}|${symbol}`) ?? [`${exchange}|${type}|${symbol}`]) this.invalid.add(k);
  }

  /** false while a `resync` for the key is unanswered */
  valid(exchange: string, symbol: string, type: string): boolean {
    for (const k of this.byMarket.get(`${exchange}|${type}|${symbol}`) ?? []) if (this.invalid.has(k)) return false;
    return !this.invalid.has(`${exchange}|${type}|${symbol}`);
  }

  get size(): number {
    return this.byKey.size;
  }
}
