// One record's encodings per shape (format × depth), built lazily while a record is routed, so each is made once
// whatever the number of groups and clients that get it; and the same for snapshots of the latest-value store.

import { decode, encode } from '../../boundary/codec.ts';
import type { OrderbookRecord } from '../../sdk/model.ts';
import type { SnapshotStore, StoreEntry } from '../store/snapshot-store.ts';
import type { Format } from './client-protocol.ts';
import { BINARY, TEXT, wsFrame } from './peer.ts';
import { cutBook } from './shape.ts';

/** One record ready to send in one shape: the payload, and the whole WebSocket frame around it. */
export interface Out {
  payload: string | Uint8Array;
  frame: Buffer;
}

export function out(payload: string | Uint8Array): Out {
  return { payload, frame: wsFrame(payload, typeof payload === 'string' ? TEXT : BINARY) };
}

/** the encodings of the record being routed; reset for each record */
export class RecordOuts {
  private bytes: Uint8Array = EMPTY;
  private decoded: unknown;
  private json: Out | undefined;
  private pack: Out | undefined;
  private cuts: Map<string, Out> | undefined;

  reset(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.decoded = undefined;
    this.json = undefined;
    this.pack = undefined;
    this.cuts = undefined;
  }

  /** `depth`: cut an orderbook record to this many units (null = as published) */
  get(format: Format, depth: number | null): Out {
    if (depth !== null) {
      const id = `${format}${depth}`;
      const have = this.cuts?.get(id);
      if (have) return have;
      const record = this.record() as OrderbookRecord;
      if (record.obu.length > depth) {
        const cut = cutBook(record, depth);
        const o = out(format === 'json' ? JSON.stringify(cut) : encode(cut));
        (this.cuts ??= new Map()).set(id, o);
        return o;
      }
    }
    if (format === 'json') return (this.json ??= out(JSON.stringify(this.record())));
    // the frame is a copy: the batch's buffer belongs to the bus, the frame may wait in socket buffers
    return (this.pack ??= out(this.bytes));
  }

  private record(): unknown {
    return (this.decoded ??= decode(this.bytes));
  }
}

const EMPTY = new Uint8Array(0);

/** snapshot payloads cut to a depth, cached per snapshot record (a new record replaces its snapshot object) */
const cutSnapshots = new WeakMap<object, Map<string, string | Uint8Array>>();

export function snapshotPayload(store: SnapshotStore, e: StoreEntry, format: Format, depth: number | null): string | Uint8Array {
  if (depth === null || e.ty !== 'orderbook') return store.snapshotFrame(e, format);
  const record = store.snapshotRecord(e) as OrderbookRecord;
  if (!Array.isArray(record.obu) || record.obu.length <= depth) return store.snapshotFrame(e, format);
  let cache = cutSnapshots.get(record);
  if (!cache) cutSnapshots.set(record, (cache = new Map()));
  const id = `${format}${depth}`;
  let p = cache.get(id);
  if (p === undefined) {
    const cut = cutBook(record, depth);
    p = format === 'json' ? JSON.stringify(cut) : encode(cut);
    cache.set(id, p);
  }
  return p;
}

/** a replayed history record in one format and depth (sent to one client: not cached) */
export function replayPayload(bytes: Uint8Array, ty: string, format: Format, depth: number | null): string | Uint8Array {
  if (format === 'msgpack' && (depth === null || ty !== 'orderbook')) return bytes;
  let record = decode<Record<string, unknown>>(bytes);
  if (depth !== null && ty === 'orderbook' && Array.isArray(record.obu)) record = cutBook(record as unknown as OrderbookRecord, depth) as unknown as Record<string, unknown>;
  return format === 'json' ? JSON.stringify(record) : encode(record);
}
