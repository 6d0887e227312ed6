// The load client's WebSocket reader: complete RFC 6455 frames found in a connection's TCP chunks (a partial frame is
// kept for the next chunk), and a record's time field read from its JSON or msgpack bytes without decoding it.

/** called per complete frame: opcode, the buffer holding it, where its payload starts and how long it is */
export type OnFrame = (op: number, data: Buffer, start: number, length: number) => void;

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
      const b0 = data[i]!;
      let n = data[i + 1]! & 0x7f;
      let h = 2;
      if (n === 126) {
        if (i + 4 > len) break;
        n = data.readUInt16BE(i + 2);
        h = 4;
      } else if (n === 127) {
        if (i + 10 > len) break;
        n = data.readUInt32BE(i + 2) * 2 ** 32 + data.readUInt32BE(i + 6);
        h = 10;
      }
      if (i + h + n > len) break;
      this.onFrame(b0 & 0x0f, data, i + h, n);
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
