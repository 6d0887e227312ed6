// The bounded per-key history every node keeps of the stream it serves (SPEC §4a), for resume: per key at most
// `records` records and none older than `maxAgeMs`; all keys together within `maxBytes` (record bytes plus a fixed
// overhead per entry), the oldest entries going first.

import type { RecordBatch } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';

export interface HistoryLimits {
  records: number;
  maxAgeMs: number;
  maxBytes: number;
}

export interface HistoryEntry {
  /** the record as it travelled (msgpack) */
  readonly bytes: Uint8Array;
  /** arrival time, ms */
  readonly at: number;
  /** arrival order across all keys: a client that joined at `g` has been sent every entry from `g` on */
  readonly g: number;
  /** read from the record when first needed */
  ep?: number;
  sq?: number;
}

/** what an entry costs beyond its bytes (objects, array slots), counted against maxBytes */
export const ENTRY_OVERHEAD = 96;

class Ring<T> {
  items: T[] = [];
  head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  first(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const e = this.items[this.head];
    if (e === undefined) return undefined;
    this.items[this.head++] = undefined!;
    // compact now and then, so the array does not grow without bound
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }
}

export class History {
  private readonly keys = new Map<string, Ring<HistoryEntry>>();
  /** every entry in arrival order, with its key's ring (entries already evicted by count are skipped) */
  private readonly order = new Ring<{ ring: Ring<HistoryEntry>; e: HistoryEntry }>();
  private bytes = 0;
  private nextG = 1;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly limits: HistoryLimits) {}

  /** the arrival number the next record will get */
  get position(): number {
    return this.nextG;
  }

  get size(): { keys: number; entries: number; bytes: number } {
    let entries = 0;
    for (const r of this.keys.values()) entries += r.size;
    return { keys: this.keys.size, entries, bytes: this.bytes };
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.expire(Date.now());
      for (const [key, ring] of this.keys) if (ring.size === 0) this.keys.delete(key);
    }, 1000);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * keeps every record of the batch (copied: the batch buffer is not retained). The records are copied together,
   * each entry a view of that one copy: one buffer per batch rather than per record keeps the GC's work down (a
   * batch's copy lives until its last entry goes; maxBytes counts each entry's own bytes).
   */
  ingest(batch: RecordBatch, now = Date.now()): void {
    const { keys } = batch;
    const max = this.limits.records;
    const copy = keys.length ? batch.buf.slice(0, batch.ends[keys.length - 1]) : EMPTY;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let ring = this.keys.get(key);
      if (!ring) this.keys.set(key, (ring = new Ring()));
      const e: HistoryEntry = { bytes: copy.subarray(i === 0 ? 0 : batch.ends[i - 1]!, batch.ends[i]!), at: now, g: this.nextG++ };
      ring.items.push(e);
      this.order.items.push({ ring, e });
      this.bytes += e.bytes.length + ENTRY_OVERHEAD;
      // by count: the entry stays in the arrival order (and its overhead counted) until it reaches its head
      if (ring.size > max) {
        const old = ring.shift()!;
        this.bytes -= old.bytes.length;
        (old as { bytes: Uint8Array }).bytes = EMPTY;
      }
    }
    while (this.bytes > this.limits.maxBytes && this.evictOldest());
    this.expire(now);
  }

  private evictOldest(): boolean {
    const o = this.order.shift();
    if (!o) return false;
    this.bytes -= ENTRY_OVERHEAD;
    if (o.ring.first() === o.e) {
      o.ring.shift();
      this.bytes -= o.e.bytes.length;
    }
    return true;
  }

  /** drops what is older than maxAgeMs */
  expire(now: number): void {
    const oldest = now - this.limits.maxAgeMs;
    for (let o = this.order.first(); o && o.e.at < oldest; o = this.order.first()) this.evictOldest();
  }

  /** the key's entries, oldest first (a copy) */
  entries(key: string): HistoryEntry[] {
    const r = this.keys.get(key);
    return r ? r.items.slice(r.head) : [];
  }

  /** the newest entry of the key */
  newest(key: string): HistoryEntry | undefined {
    const r = this.keys.get(key);
    return r && r.size ? r.items[r.items.length - 1] : undefined;
  }

  /** keeps only the keys `keep` accepts (after subscriptions shrank) */
  retain(keep: (key: string) => boolean): void {
    for (const [key, ring] of this.keys) {
      if (keep(key)) continue;
      for (let e = ring.shift(); e; e = ring.shift()) this.bytes -= e.bytes.length;
      this.keys.delete(key);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

const EMPTY = new Uint8Array(0);

/** the entry's (ep, sq), read once */
export function position(e: HistoryEntry): { ep: number; sq: number } {
  if (e.ep === undefined) {
    const r = decode<{ ep?: unknown; sq?: unknown }>(e.bytes);
    e.ep = typeof r.ep === 'number' ? r.ep : 0;
    e.sq = typeof r.sq === 'number' ? r.sq : 0;
  }
  return { ep: e.ep, sq: e.sq! };
}
