// Reads the few fields the derived computations use (ty ex cd mc tms tp tv) straight from a msgpack record, skipping
// the rest without building it: a full decode was the stage's largest cost in its profile. One reader serves a whole
// batch's buffer, and reads into a record object the stage keeps per input key: a string field equal to what that
// object holds already is not built again, so a record costs no allocation. Any shape it does not expect (not a map,
// a key that is not a string) falls back to the full decoder.

import { decode } from '../../boundary/codec.ts';
import type { InputRecord } from './types.ts';

const utf8 = new TextDecoder();

/** bytes taken by fixed-size msgpack values (numbers, fixext), by type byte */
const FIXED_SIZE = new Uint8Array(256);
for (const [t, n] of [[0xcc, 2], [0xcd, 3], [0xce, 5], [0xcf, 9], [0xd0, 2], [0xd1, 3], [0xd2, 5], [0xd3, 9], [0xca, 5], [0xcb, 9], [0xd4, 3], [0xd5, 4], [0xd6, 6], [0xd7, 10], [0xd8, 18]]) FIXED_SIZE[t!] = n!;

/** Reads the input records of one buffer of back-to-back msgpack records. */
export class InputReader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** length of a string at pos (and moves past its header), or -1 when the value is not a string */
  strLen(): number {
    const t = this.b[this.pos]!;
    if (t >= 0xa0 && t <= 0xbf) {
      this.pos++;
      return t & 0x1f;
    }
    if (t === 0xd9) {
      this.pos += 2;
      return this.b[this.pos - 1]!;
    }
    if (t === 0xda) {
      this.pos += 3;
      return this.view.getUint16(this.pos - 2);
    }
    if (t === 0xdb) {
      this.pos += 5;
      return this.view.getUint32(this.pos - 4);
    }
    return -1;
  }

  /** the string at pos, or undefined (and the value skipped); `prev` itself when the bytes are its ASCII text */
  str(prev?: string): string | undefined {
    const n = this.strLen();
    if (n < 0) return void this.skip();
    const start = this.pos;
    this.pos += n;
    if (prev !== undefined && prev.length === n) {
      let same = true;
      for (let i = 0; i < n && same; i++) {
        const c = this.b[start + i]!;
        same = c < 0x80 && c === prev.charCodeAt(i);
      }
      if (same) return prev;
    }
    let ascii = true;
    for (let i = start; i < this.pos; i++) if (this.b[i]! > 0x7f) ascii = false;
    if (!ascii) return utf8.decode(this.b.subarray(start, this.pos));
    let s = '';
    for (let i = start; i < this.pos; i++) s += String.fromCharCode(this.b[i]!);
    return s;
  }

  /** a number at pos, or undefined (and the value skipped) for anything else */
  num(): number | undefined {
    const t = this.b[this.pos]!;
    const v = this.view;
    const p = this.pos + 1;
    if (t <= 0x7f) return this.pos++, t;
    if (t >= 0xe0) return this.pos++, t - 0x100;
    switch (t) {
      case 0xcb: return (this.pos += 9), v.getFloat64(p);
      case 0xca: return (this.pos += 5), v.getFloat32(p);
      case 0xcc: return (this.pos += 2), v.getUint8(p);
      case 0xcd: return (this.pos += 3), v.getUint16(p);
      case 0xce: return (this.pos += 5), v.getUint32(p);
      case 0xcf: return (this.pos += 9), Number(v.getBigUint64(p));
      case 0xd0: return (this.pos += 2), v.getInt8(p);
      case 0xd1: return (this.pos += 3), v.getInt16(p);
      case 0xd2: return (this.pos += 5), v.getInt32(p);
      case 0xd3: return (this.pos += 9), Number(v.getBigInt64(p));
    }
    this.skip();
    return undefined;
  }

  /** moves past one value of any type */
  skip(): void {
    const t = this.b[this.pos]!;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return void this.pos++;
    const sl = this.strLen();
    if (sl >= 0) return void (this.pos += sl);
    let items = -1;
    let pairs = false;
    if (t >= 0x90 && t <= 0x9f) (items = t & 0x0f), this.pos++;
    else if (t >= 0x80 && t <= 0x8f) (items = t & 0x0f), (pairs = true), this.pos++;
    else if (t === 0xdc || t === 0xde) (items = this.view.getUint16(this.pos + 1)), (pairs = t === 0xde), (this.pos += 3);
    else if (t === 0xdd || t === 0xdf) (items = this.view.getUint32(this.pos + 1)), (pairs = t === 0xdf), (this.pos += 5);
    if (items >= 0) {
      for (let i = 0; i < (pairs ? 2 * items : items); i++) this.skip();
      return;
    }
    const size = FIXED_SIZE[t]!;
    if (size) return void (this.pos += size);
    throw new Error(`msgpack type 0x${t?.toString(16)} not handled`);
  }

  /**
   * Reads the input fields of the record at [start, end) into `into`: the fields the record has are set, the others
   * left as they were. Throws on bytes that are not a record.
   */
  read(start: number, end: number, into: InputRecord): void {
    const b = this.b;
    const t = b[start]!;
    let n: number;
    if (t === 0xde) (n = (b[start + 1]! << 8) | b[start + 2]!), (this.pos = start + 3);
    else if (t >= 0x80 && t <= 0x8f) (n = t & 0x0f), (this.pos = start + 1);
    else return decodeInto(b.subarray(start, end), into);
    for (let i = 0; i < n; i++) {
      const kl = this.strLen();
      if (kl < 0 || kl > 8) return decodeInto(b.subarray(start, end), into);
      const p = this.pos;
      const k0 = b[p]!;
      const k1 = kl > 1 ? b[p + 1]! : 0;
      const k2 = kl > 2 ? b[p + 2]! : 0;
      this.pos += kl;
      // ty ex cd mc tms tp tv: told apart by length and letters
      if (kl === 2 && k0 === 0x74 && k1 === 0x79) into.ty = this.str(into.ty)!;
      else if (kl === 2 && k0 === 0x65 && k1 === 0x78) into.ex = this.str(into.ex)!;
      else if (kl === 2 && k0 === 0x63 && k1 === 0x64) into.cd = this.str(into.cd)!;
      else if (kl === 2 && k0 === 0x6d && k1 === 0x63) into.mc = this.str(into.mc)!;
      else if (kl === 3 && k0 === 0x74 && k1 === 0x6d && k2 === 0x73) into.tms = this.num()!;
      else if (kl === 2 && k0 === 0x74 && k1 === 0x70) into.tp = this.num();
      else if (kl === 2 && k0 === 0x74 && k1 === 0x76) into.tv = this.num();
      else this.skip();
    }
    if (this.pos > end) throw new Error('record shorter than its fields');
  }
}

const FIELDS = ['ty', 'ex', 'cd', 'mc', 'tms', 'tp', 'tv'] as const;

function decodeInto(bytes: Uint8Array, into: InputRecord): void {
  const r = decode<Record<string, unknown>>(bytes);
  if (typeof r !== 'object' || r === null) throw new Error('record is not a map');
  for (const k of FIELDS) if (r[k] !== undefined) (into as unknown as Record<string, unknown>)[k] = r[k];
}

/** the input fields of one encoded exchange record (a fresh object with the fields it has) */
export function readInput(bytes: Uint8Array): InputRecord {
  const out = {} as InputRecord;
  new InputReader(bytes).read(0, bytes.length, out);
  return out;
}
