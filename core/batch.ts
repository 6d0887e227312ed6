// A batch of encoded records: one buffer, record i = buf[ends[i-1] .. ends[i]), keyed by stream key.
// This is how records cross the worker boundary (the buffer is transferred, not copied) and travel the bus.

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

/** Collects encoded records and packs them into one transferable buffer. */
export class BatchBuilder {
  private keys: string[] = [];
  private parts: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.keys.length;
  }

  get bytes(): number {
    return this.size;
  }

  add(key: string, bytes: Uint8Array): void {
    this.keys.push(key);
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  /** the batch so far (its buffer is fresh and owned by the caller), and a reset builder */
  take(): RecordBatch {
    const buf = new Uint8Array(this.size);
    const ends = new Array<number>(this.parts.length);
    let at = 0;
    for (let i = 0; i < this.parts.length; i++) {
      const p = this.parts[i]!;
      buf.set(p, at);
      at += p.length;
      ends[i] = at;
    }
    const batch = { keys: this.keys, ends, buf };
    this.keys = [];
    this.parts = [];
    this.size = 0;
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
