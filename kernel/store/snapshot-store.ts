// The latest record of every stream key, kept in memory, replayed to clients with st:"SNAPSHOT".

import type { RecordBatch } from '../../boundary/batch.ts';
import { recordAt } from '../../boundary/batch.ts';
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
  /** the live record as encoded by its worker */
  bytes: Uint8Array;
  /** the same record marked st:"SNAPSHOT", built on first use */
  snapshot?: { record: MarketRecord; msgpack?: Uint8Array; json?: string };
}

export class SnapshotStore {
  private readonly entries = new Map<string, StoreEntry>();

  /** keeps the newest record of each key of the batch (copied: the batch buffer is not retained) */
  putBatch(batch: RecordBatch): void {
    for (let i = 0; i < batch.keys.length; i++) this.put(batch.keys[i]!, recordAt(batch, i));
  }

  put(key: string, bytes: Uint8Array): void {
    const e = this.entries.get(key);
    if (e) {
      e.bytes = bytes.slice();
      e.snapshot = undefined;
    } else {
      this.entries.set(key, { key, ...splitStreamKey(key), bytes: bytes.slice() });
    }
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
