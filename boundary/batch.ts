// A batch of encoded records: one buffer, record i = buf[ends[i-1] .. ends[i]), keyed by stream key.
// This is how records cross the worker boundary (the buffer is transferred, not copied) and travel the bus.

import { encode, MsgWriter } from './codec.ts';

export interface RecordBatch {
  /** stream key of each record (`ex|ty|cd`) */
  keys: string[];
  /** end offset of each record in `buf` */
  ends: number[];
  /** msgpack records, back to back */
  buf: Uint8Array;
}

export function recordAt(batch: RecordBatch, i: number): Uint8Array {
  const start = i === 0 ? 0 : batch.ends[i - 1]!;
  return batch.buf.subarray(start, batch.ends[i]!);
}

/** a builder's buffer larger than this after a burst is let go rather than kept for reuse */
const KEEP_BYTES = 1 << 20;

/** Collects encoded records in one growing buffer and hands them out as one transferable buffer. */
export class BatchBuilder {
  private keys: string[] = [];
  private ends: number[] = [];
  private w = new MsgWriter(16 * 1024);

  get length(): number {
    return this.keys.length;
  }

  get bytes(): number {
    return this.w.pos;
  }

  /** encodes `record` (msgpack, boundary/codec.ts) straight into the batch */
  addRecord(key: string, record: unknown): void {
    if (!this.w.write(record)) this.w.appendBytes(encode(record));
    this.keys.push(key);
    this.ends.push(this.w.pos);
  }

  /** adds a record already encoded */
  add(key: string, bytes: Uint8Array): void {
    this.w.appendBytes(bytes);
    this.keys.push(key);
    this.ends.push(this.w.pos);
  }

  /** the batch so far (its buffer is fresh and owned by the caller), and a reset builder */
  take(): RecordBatch {
    const batch = { keys: this.keys, ends: this.ends, buf: this.w.buf.slice(0, this.w.pos) };
    this.keys = [];
    this.ends = [];
    if (this.w.buf.length > KEEP_BYTES) this.w = new MsgWriter(16 * 1024);
    else this.w.reset();
    return batch;
  }
}

/** the batch without the records `keep` rejects; the same batch when it keeps them all */
export function filterBatch(batch: RecordBatch, keep: (key: string) => boolean): RecordBatch {
  if (batch.keys.every(keep)) return batch;
  const b = new BatchBuilder();
  batch.keys.forEach((key, i) => keep(key) && b.add(key, recordAt(batch, i)));
  return b.take();
}
