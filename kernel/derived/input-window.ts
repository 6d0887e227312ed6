// The input records of one window, as the main thread hands them to the stage (in its thread, or inline): the
// records' bytes back to back, each with the index of its stream key in the stage's input list (inputKeys in
// stage.ts). No key string crosses the thread boundary, and a run of input records in an exchange batch is copied in
// one piece.

import type { RecordBatch } from '../../boundary/batch.ts';

/** record i is buf[ends[i-1] .. ends[i]) and has the input key of index ids[i] */
export interface InputBatch {
  ids: Uint32Array;
  ends: Uint32Array;
  buf: Uint8Array;
}

const KEEP_BYTES = 4 << 20;

export class InputWindow {
  private ids = new Uint32Array(1024);
  private ends = new Uint32Array(1024);
  private buf = new Uint8Array(64 * 1024);
  private n = 0;
  private bytes = 0;

  /** `idOf`: input key → its index */
  constructor(private readonly idOf: ReadonlyMap<string, number>) {}

  get length(): number {
    return this.n;
  }

  /** adds the records of `batch` whose keys are inputs */
  add(batch: RecordBatch): void {
    const { keys, ends, buf } = batch;
    this.reserve(keys.length, buf.length);
    let runFrom = -1; // byte offset in `batch` where the current run of input records starts
    let runTo = 0;
    for (let i = 0; i < keys.length; i++) {
      const id = this.idOf.get(keys[i]!);
      if (id === undefined) {
        if (runFrom >= 0) this.copy(buf, runFrom, runTo);
        runFrom = -1;
        continue;
      }
      const start = i === 0 ? 0 : ends[i - 1]!;
      if (runFrom < 0) runFrom = start;
      runTo = ends[i]!;
      this.ids[this.n] = id;
      // where this record ends once the run is copied after what the window holds
      this.ends[this.n++] = this.bytes + (runTo - runFrom);
    }
    if (runFrom >= 0) this.copy(buf, runFrom, runTo);
  }

  /** the window so far as views of its own buffers, valid until the next add() or clear() (a stage in this thread) */
  view(): InputBatch {
    return { ids: this.ids.subarray(0, this.n), ends: this.ends.subarray(0, this.n), buf: this.buf.subarray(0, this.bytes) };
  }

  /** the window so far (fresh buffers, for transfer), and an empty window */
  take(): InputBatch {
    const out = { ids: this.ids.slice(0, this.n), ends: this.ends.slice(0, this.n), buf: this.buf.slice(0, this.bytes) };
    this.clear();
    // a burst's buffer is let go rather than kept
    if (this.buf.length > KEEP_BYTES) this.buf = new Uint8Array(64 * 1024);
    return out;
  }

  /** drops what the window holds */
  clear(): void {
    this.n = 0;
    this.bytes = 0;
  }

  private copy(from: Uint8Array, start: number, end: number): void {
    this.buf.set(from.subarray(start, end), this.bytes);
    this.bytes += end - start;
  }

  private reserve(records: number, bytes: number): void {
    if (this.n + records > this.ids.length) {
      const size = Math.max(2 * this.ids.length, this.n + records);
      this.ids = grow(this.ids, new Uint32Array(size));
      this.ends = grow(this.ends, new Uint32Array(size));
    }
    if (this.bytes + bytes > this.buf.length) this.buf = grow(this.buf, new Uint8Array(Math.max(2 * this.buf.length, this.bytes + bytes)));
  }
}

function grow<T extends Uint8Array | Uint32Array>(old: T, fresh: T): T {
  fresh.set(old as never);
  return fresh;
}
