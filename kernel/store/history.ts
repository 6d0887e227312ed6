// The bounded per-key history every node keeps of the stream it serves (SPEC §4a), for resume: per key at most
// `records` records and none older than `maxAgeMs`; all keys together within `maxBytes` (record bytes plus a fixed
// overhead per entry), the oldest entries going first. Records are copied into a chunked byte log and described by
// typed-array columns (byte-log.ts, history-columns.ts): no JS object per record for the GC to mark, and no copy of
// a whole batch kept alive by one of its records.

import type { RecordBatch } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import { ByteLog } from './byte-log.ts';
import { EntryColumns, KeyRing } from './history-columns.ts';

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

/**
 * what an entry costs beyond its bytes, counted against maxBytes: its columns (history-columns.ts COLUMN_BYTES, up
 * to twice that while the columns have doubled and not filled), its slot in its key's ring (8, up to twice that),
 * and a share of the per-key state; rounded up
 */
export const ENTRY_OVERHEAD = 96;

/** the byte log's chunk: 1 MiB, smaller for small budgets (at most 1/64 of maxBytes, at least 4 KiB) */
export function chunkSizeFor(maxBytes: number): number {
  let size = 1 << 20;
  while (size > 4096 && size * 64 > maxBytes) size >>= 1;
  return size;
}

export class History {
  private readonly keys = new Map<string, KeyRing>();
  /** key rings by id (the id is what the columns hold), and the ids free for reuse */
  private readonly byId: (KeyRing | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private cols = new EntryColumns();
  readonly log: ByteLog;
  /** the oldest entry still in the log (entries [head, nextG) are; some of them no longer in their key's ring) */
  private head = 1;
  private nextG = 1;
  /** entries in the keys' rings */
  private live = 0;
  /** bytes and overhead of every entry in the log, dropped ones too: their bytes are held until the log passes them */
  private bytes = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly limits: HistoryLimits) {
    this.log = new ByteLog(chunkSizeFor(limits.maxBytes));
  }

  /** the arrival number the next record will get */
  get position(): number {
    return this.nextG;
  }

  get size(): { keys: number; entries: number; bytes: number } {
    return { keys: this.keys.size, entries: this.live, bytes: this.bytes };
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.expire(Date.now());
      for (const [key, ring] of this.keys) if (ring.size === 0) this.dropKey(key, ring);
    }, 1000);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** keeps every record of the batch (copied into the log: the batch buffer is not retained) */
  ingest(batch: RecordBatch, now = Date.now()): void {
    const { keys, ends, buf } = batch;
    const n = keys.length;
    const log = this.log;
    if (this.limits.records < 1) {
      // nothing is kept: the arrival numbers still move on
      this.head = this.nextG += n;
      return;
    }
    // runs of records that fit the log's current chunk, each copied at once
    for (let i = 0; i < n; ) {
      const start = i === 0 ? 0 : ends[i - 1]!;
      if (ends[i]! - start > log.room || log.current < 0) log.open(ends[i]! - start);
      const room = log.room;
      let j = i + 1;
      while (j < n && ends[j]! - start <= room) j++;
      const base = log.write(buf, start, ends[j - 1]!);
      const chunk = log.current;
      for (let k = i; k < j; k++) {
        const from = k === 0 ? 0 : ends[k - 1]!;
        this.add(keys[k]!, chunk, base + from - start, ends[k]! - from, now);
      }
      i = j;
    }
    while (this.bytes > this.limits.maxBytes && this.evictOldest());
    this.expire(now);
  }

  private add(key: string, chunk: number, offset: number, length: number, now: number): void {
    let ring = this.keys.get(key);
    if (!ring) {
      const id = this.freeIds.pop() ?? this.byId.length;
      this.keys.set(key, (ring = new KeyRing(id, this.limits.records)));
      this.byId[id] = ring;
    }
    if (this.nextG - this.head === this.cols.cap) this.cols.grow(this.head, this.nextG);
    const c = this.cols;
    const g = this.nextG++;
    const s = c.slot(g);
    c.chunk[s] = chunk;
    c.offset[s] = offset;
    c.length[s] = length;
    c.at[s] = now;
    c.key[s] = ring.id;
    this.bytes += length + ENTRY_OVERHEAD;
    // by count: the oldest leaves its key's ring but stays in the log (and counted) until the log passes it
    if (ring.full) {
      c.alive[c.slot(ring.shift())] = 0;
      this.live--;
    }
    c.alive[s] = 1;
    ring.push(g);
    this.live++;
  }

  private evictOldest(): boolean {
    if (this.head === this.nextG) return false;
    const c = this.cols;
    const s = c.slot(this.head);
    if (c.alive[s]) {
      this.byId[c.key[s]!]!.shift();
      c.alive[s] = 0;
      this.live--;
    }
    this.bytes -= c.length[s]! + ENTRY_OVERHEAD;
    this.head++;
    if (this.head === this.nextG) this.log.clear();
    else this.log.releaseBefore(c.chunk[c.slot(this.head)]!);
    return true;
  }

  /** drops what is older than maxAgeMs */
  expire(now: number): void {
    const oldest = now - this.limits.maxAgeMs;
    while (this.head < this.nextG && this.cols.at[this.cols.slot(this.head)]! < oldest) this.evictOldest();
  }

  private entry(g: number): HistoryEntry {
    const c = this.cols;
    const s = c.slot(g);
    return { bytes: this.log.view(c.chunk[s]!, c.offset[s]!, c.length[s]!), at: c.at[s]!, g };
  }

  /** the key's entries, oldest first (made on demand: views of the log, valid for as long as they are held) */
  entries(key: string): HistoryEntry[] {
    const r = this.keys.get(key);
    const out: HistoryEntry[] = [];
    if (r) for (let i = 0; i < r.size; i++) out.push(this.entry(r.at(i)));
    return out;
  }

  /** the newest entry of the key */
  newest(key: string): HistoryEntry | undefined {
    const g = this.keys.get(key)?.newest();
    return g === undefined ? undefined : this.entry(g);
  }

  /** keeps only the keys `keep` accepts (after subscriptions shrank); their bytes are held until the log passes them */
  retain(keep: (key: string) => boolean): void {
    for (const [key, ring] of this.keys) if (!keep(key)) this.dropKey(key, ring);
  }

  private dropKey(key: string, ring: KeyRing): void {
    this.live -= ring.size;
    while (ring.size) this.cols.alive[this.cols.slot(ring.shift())] = 0;
    this.keys.delete(key);
    this.byId[ring.id] = undefined;
    this.freeIds.push(ring.id);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** the entry's (ep, sq), read once */
export function position(e: HistoryEntry): { ep: number; sq: number } {
  if (e.ep === undefined) {
    const r = decode<{ ep?: unknown; sq?: unknown }>(e.bytes);
    e.ep = typeof r.ep === 'number' ? r.ep : 0;
    e.sq = typeof r.sq === 'number' ? r.sq : 0;
  }
  return { ep: e.ep, sq: e.sq! };
}
