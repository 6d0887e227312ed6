// The resume history's record bytes: an append-only log of large chunks (no JS object per record), each record
// contiguous in one chunk; the oldest chunks are released as their last records leave, and a released chunk that
// nobody was lent a view of is kept for reuse rather than left to the GC.

/** where a record lies: the chunk's sequence number and the offset inside it */
export interface LogPosition {
  chunk: number;
  offset: number;
}

interface Chunk {
  readonly buf: Uint8Array;
  /** a view of it left the log (entries handed to resume): never reused, left to the GC */
  lent: boolean;
}

/** spare chunks kept for reuse at most */
const SPARES = 2;

export class ByteLog {
  /** chunks still holding records, oldest first; chunks[i] has sequence number first + i */
  private chunks: Chunk[] = [];
  private first = 0;
  private readonly spares: Chunk[] = [];
  /** write offset in the newest chunk */
  private used = 0;
  /** chunks allocated over the log's life, and reused from the spares (for tests and metrics) */
  readonly stats = { allocated: 0, reused: 0, released: 0 };

  constructor(readonly chunkSize: number) {}

  /** the newest chunk's sequence number (the chunk being written), -1 before the first write */
  get current(): number {
    return this.first + this.chunks.length - 1;
  }

  /** bytes free in the newest chunk */
  get room(): number {
    const c = this.chunks[this.chunks.length - 1];
    return c ? c.buf.length - this.used : 0;
  }

  /** bytes of the chunks held (written or not) */
  get heldBytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.buf.length;
    return n;
  }

  get heldChunks(): number {
    return this.chunks.length;
  }

  /** starts a new chunk with room for at least `bytes` (a record larger than a chunk gets a chunk of its own size) */
  open(bytes: number): void {
    let c: Chunk | undefined;
    if (bytes <= this.chunkSize && (c = this.spares.pop())) this.stats.reused++;
    else {
      c = { buf: new Uint8Array(Math.max(bytes, this.chunkSize)), lent: false };
      this.stats.allocated++;
    }
    this.chunks.push(c);
    this.used = 0;
  }

  /** copies src[from, to) into the newest chunk (which must have the room); returns its offset there */
  write(src: Uint8Array, from: number, to: number): number {
    const c = this.chunks[this.chunks.length - 1]!;
    const at = this.used;
    c.buf.set(from === 0 && to === src.length ? src : src.subarray(from, to), at);
    this.used += to - from;
    return at;
  }

  /** the record's bytes, a view into the log: the chunk is then never reused */
  view(chunk: number, offset: number, length: number): Uint8Array {
    const c = this.chunks[chunk - this.first];
    if (!c) throw new Error(`history log: chunk ${chunk} already released`);
    c.lent = true;
    return c.buf.subarray(offset, offset + length);
  }

  /** the record's bytes, read without lending (callers that decode and drop it at once) */
  peek(chunk: number, offset: number, length: number): Uint8Array {
    return this.chunks[chunk - this.first]!.buf.subarray(offset, offset + length);
  }

  /** releases every chunk before `chunk` (the oldest record still needed lies in it) */
  releaseBefore(chunk: number): void {
    let n = 0;
    while (n < this.chunks.length - 1 && this.first + n < chunk) n++;
    if (n === 0) return;
    for (const c of this.chunks.splice(0, n)) {
      this.stats.released++;
      if (!c.lent && c.buf.length === this.chunkSize && this.spares.length < SPARES) this.spares.push(c);
    }
    this.first += n;
  }

  /** releases every chunk but the newest (nothing left in the history), which is written again from its start
   * unless a view of it was lent */
  clear(): void {
    this.releaseBefore(this.current + 1);
    const c = this.chunks[0];
    if (c) this.used = c.lent ? c.buf.length : 0;
  }
}
