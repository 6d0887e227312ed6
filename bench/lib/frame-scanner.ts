// The load client's WebSocket reader: complete RFC 6455 frames found in a connection's TCP chunks (a partial frame is
// kept for the next chunk), and a record's time field read from its JSON or msgpack bytes without decoding it.

/** called per complete frame: opcode, the buffer holding it, where its payload starts and how long it is */
export type OnFrame = (op: number, data: Buffer, start: number, length: number) => void;

/** the size of a server frame's header (2, 4 or 10 bytes: frames from the server are never masked), from its second byte */
export function headerSize(b1: number): number {
  const n = b1 & 0x7f;
  return n === 126 ? 4 : n === 127 ? 10 : 2;
}

/** the payload length in the frame header at data[i] (all its headerSize bytes there) */
export function payloadLength(data: Uint8Array, i: number): number {
  const n = data[i + 1]! & 0x7f;
  const u32 = (at: number) => data[at]! * 2 ** 24 + ((data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!);
  if (n === 126) return (data[i + 2]! << 8) | data[i + 3]!;
  if (n === 127) return u32(i + 2) * 2 ** 32 + u32(i + 6);
  return n;
}

export class FrameScanner {
  private rest: Buffer | null = null;

  constructor(private readonly onFrame: OnFrame) {}

  /** scans what arrived; frames from the server are never masked */
  push(chunk: Buffer): void {
    let data = chunk;
    if (this.rest) {
      data = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    const len = data.length;
    let i = 0;
    while (i + 2 <= len) {
      const h = headerSize(data[i + 1]!);
      if (i + h > len) break;
      const n = payloadLength(data, i);
      if (i + h + n > len) break;
      this.onFrame(data[i]! & 0x0f, data, i + h, n);
      i += h + n;
    }
    if (i < len) this.rest = Buffer.from(data.subarray(i));
  }
}

/** the bytes that precede a field's value: `"name":` in JSON, the fixstr key in msgpack */
export const jsonKey = (f: string): Buffer => Buffer.from(`"${f}":`);
export const packKey = (f: string): Buffer => Buffer.from([0xa0 | f.length, ...Buffer.from(f)]);

/** a record's time field (ms) read from its JSON or msgpack bytes; NaN when absent */
export function timeField(data: Buffer, start: number, end: number, key: Buffer, binary: boolean): number {
  // searched in the record alone: Buffer.indexOf would go on through the rest of the chunk when the key is absent
  const found = data.subarray(start, end).indexOf(key);
  if (found < 0) return NaN;
  const at = start + found + key.length;
  if (binary) {
    const tag = data[at]!;
    if (tag === 0xcb) return data.readDoubleBE(at + 1);
    if (tag === 0xcf) return Number(data.readBigUInt64BE(at + 1));
    // the gateway's codec (boundary/codec.ts) writes integers beyond 32 bits, ms times among them, as int64
    if (tag === 0xd3) return Number(data.readBigInt64BE(at + 1));
    if (tag === 0xce) return data.readUInt32BE(at + 1);
    return NaN;
  }
  let t = 0;
  for (let p = at; p < end; p++) {
    const c = data[p]!;
    if (c < 48 || c > 57) break;
    t = t * 10 + (c - 48);
  }
  return t;
}

/** called per complete frame by FrameCounter: opcode, payload length, and a close frame's code (0 otherwise) */
export type OnCounted = (op: number, length: number, closeCode: number) => void;

/**
 * Frames counted without their payloads: a header split by TCP is collected byte by byte, the payload skipped, so
 * nothing is copied or kept (FrameScanner joins a frame split across chunks). For connections that only count what
 * they receive; a close frame's code (its first two payload bytes) is read on the way.
 */
export class FrameCounter {
  private readonly head = new Uint8Array(10);
  /** header bytes collected, and how many the header has (2 until the length byte is seen) */
  private h = 0;
  private need = 2;
  private op = 0;
  private length = 0;
  /** payload bytes still to skip */
  private skip = 0;
  private closeCode = 0;

  constructor(private readonly onFrame: OnCounted) {}

  /** counts the frames that end in data[from, to) */
  push(data: Uint8Array, from = 0, to = data.length): void {
    let i = from;
    while (i < to) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, to - i);
        if (this.op === 8) {
          // the close code: payload bytes 0 and 1
          const at = this.length - this.skip;
          for (let j = 0; j < k && at + j < 2; j++) this.closeCode = (this.closeCode << 8) | data[i + j]!;
        }
        this.skip -= k;
        i += k;
        if (this.skip === 0) this.done();
        continue;
      }
      this.head[this.h++] = data[i++]!;
      if (this.h === 2) this.need = headerSize(this.head[1]!);
      if (this.h < 2 || this.h < this.need) continue;
      this.length = payloadLength(this.head, 0);
      this.op = this.head[0]! & 0x0f;
      this.h = 0;
      this.need = 2;
      this.closeCode = 0;
      this.skip = this.length;
      if (this.length === 0) this.done();
    }
  }

  private done(): void {
    const code = this.op === 8 ? (this.length >= 2 ? this.closeCode : 1005) : 0;
    this.onFrame(this.op, this.length, code);
  }
}
