// The latest record of every stream key, kept in memory, replayed to clients with st:"SNAPSHOT".

import type { RecordBatch } from '../../boundary/batch.ts';
import { decode, encode } from '../../boundary/codec.ts';
import type { Filter } from '../filter.ts';
import { matches } from '../filter.ts';
import type { MarketRecord } from '../../sdk/model.ts';
import { splitStreamKey } from '../../sdk/model.ts';

export interface StoreEntry {
  key: string;
  ex: string;
  ty: string;
  cd: string;
  /** `rex` of a premium, `iv` of a candle (derived keys only) */
  sub?: string;
  /** the live record as encoded by its worker (a view of the entry's own buffer, made when read) */
  readonly bytes: Uint8Array;
  /** the same record marked st:"SNAPSHOT", built on first use */
  snapshot?: { record: MarketRecord; msgpack?: Uint8Array; json?: string };
}

/**
 * A key's latest record in a buffer of its own, overwritten in place by the next one (grown only when a record
 * does not fit): no allocation per record, and no batch buffer kept alive by a view. A view lent out (`bytes`) is
 * never overwritten: the next record then goes to a fresh buffer.
 */
class Latest implements StoreEntry {
  readonly ex: string;
  readonly ty: string;
  readonly cd: string;
  readonly sub?: string;
  snapshot?: StoreEntry['snapshot'];
  private buf: Uint8Array;
  private len = 0;
  private view: Uint8Array | undefined;

  constructor(readonly key: string, size: number) {
    const { ex, ty, cd, sub } = splitStreamKey(key);
    this.ex = ex;
    this.ty = ty;
    this.cd = cd;
    if (sub !== undefined) this.sub = sub;
    this.buf = new Uint8Array(size);
  }

  get bytes(): Uint8Array {
    return (this.view ??= this.buf.subarray(0, this.len));
  }

  /** the record in src[from, to) */
  set(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    // a lent view keeps its bytes: write elsewhere (with room to spare, so that a growing record settles)
    if (this.view || n > this.buf.length) this.buf = new Uint8Array(n > this.buf.length ? Math.max(n, this.buf.length * 2) : this.buf.length);
    this.buf.set(from === 0 && to === src.length ? src : src.subarray(from, to));
    this.len = n;
    this.view = undefined;
    this.snapshot = undefined;
  }
}

export class SnapshotStore {
  private readonly entries = new Map<string, Latest>();

  /** keeps the newest record of each key of the batch (copied: the batch buffer is not retained) */
  putBatch(batch: RecordBatch): void {
    const { keys, ends, buf } = batch;
    for (let i = 0; i < keys.length; i++) this.write(keys[i]!, buf, i === 0 ? 0 : ends[i - 1]!, ends[i]!);
  }

  put(key: string, bytes: Uint8Array): void {
    this.write(key, bytes, 0, bytes.length);
  }

  private write(key: string, src: Uint8Array, from: number, to: number): void {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = new Latest(key, to - from)));
    e.set(src, from, to);
  }

  /** keeps only the entries `keep` accepts (after an exchange's subscriptions shrank) */
  retain(keep: (e: StoreEntry) => boolean): void {
    for (const [key, e] of this.entries) if (!keep(e)) this.entries.delete(key);
  }

  /** the entry of one key */
  get(key: string): StoreEntry | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  select(filter: Filter): StoreEntry[] {
    const out: StoreEntry[] = [];
    for (const e of this.entries.values()) if (matches(filter, e.ex, e.ty, e.cd)) out.push(e);
    return out;
  }

  /** the entry's record with st:"SNAPSHOT" */
  snapshotRecord(e: StoreEntry): MarketRecord {
    e.snapshot ??= { record: { ...decode<MarketRecord>(e.bytes), st: 'SNAPSHOT' } };
    return e.snapshot.record;
  }

  snapshotFrame(e: StoreEntry, format: 'json' | 'msgpack'): string | Uint8Array {
    const record = this.snapshotRecord(e);
    const s = e.snapshot!;
    if (format === 'json') return (s.json ??= JSON.stringify(record));
    return (s.msgpack ??= encode(record));
  }
}
