// The one msgpack configuration every part of the gateway uses: plain maps with SIMPLE keys, no extensions.
//
// Records are encoded by a small writer of our own (MsgWriter) that produces exactly the bytes msgpackr's Packr below
// would (test/bench/codec.test.ts compares them), but writes straight into the caller's buffer (a batch being built)
// without msgpackr's per-call set-up: the profile of the worker's path showed packing as its largest cost after
// parsing. Values it does not handle (anything but strings, numbers, booleans, null, undefined, arrays and plain
// objects) go to msgpackr itself.
//
// Integers are msgpack integers at every size (docs/protocol.md): msgpackr writes a number beyond 32 bits as
// float64 (`tms` 1796116379175 would reach a client as 1796116379175.0), so both MsgWriter and encode() write every
// safe integer beyond 32 bits as int64 (0xd3), the bytes msgpackr itself writes for a BigInt of that value.

import { Packr } from 'msgpackr';

// useRecords false: clients in any language decode plain msgpack maps; no msgpackr-specific record extension.
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('value not handled by MsgWriter');

/** room every scalar value may take without a check of its own: a short string is at most 2 + 63 * 3 bytes */
const HEADROOM = 256;

/** An append-only msgpack writer over a growable buffer. */
export class MsgWriter {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;
  /** past this position the next value might not fit: grow first */
  private limit: number;

  constructor(initialBytes = 16 * 1024) {
    this.buf = new Uint8Array(Math.max(initialBytes, 2 * HEADROOM));
    this.view = new DataView(this.buf.buffer);
    this.limit = this.buf.length - HEADROOM;
  }

  /** makes room for `n` more bytes (plus the headroom) */
  private room(n: number): void {
    if (this.pos + n <= this.limit) return;
    let size = this.buf.length * 2;
    while (size - HEADROOM < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.limit = size - HEADROOM;
  }

  /**
   * Appends `value`; returns false (having written nothing) for a value only msgpackr can encode, which the caller
   * then appends with `appendBytes(encode(value))`.
   */
  write(value: unknown): boolean {
    const start = this.pos;
    try {
      this.value(value);
      return true;
    } catch (err) {
      if (err !== UNSUPPORTED) throw err;
      this.pos = start;
      return false;
    }
  }

  appendBytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** forgets everything written (the buffer is kept for reuse) */
  reset(): void {
    this.pos = 0;
  }

  private value(v: unknown): void {
    if (this.pos > this.limit) this.room(HEADROOM);
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.number(v);
      case 'boolean':
        this.buf[this.pos++] = v ? 0xc3 : 0xc2;
        return;
      case 'undefined':
        // msgpackr's choice: fixext 1, type 0, data 0
        this.buf[this.pos++] = 0xd4;
        this.buf[this.pos++] = 0;
        this.buf[this.pos++] = 0;
        return;
      case 'object':
        if (v === null) {
          this.buf[this.pos++] = 0xc0;
          return;
        }
        if (v.constructor === Object) return this.object(v as Record<string, unknown>);
        if (v.constructor === Array) return this.array(v as unknown[]);
    }
    throw UNSUPPORTED;
  }

  /** msgpackr with useRecords:false writes every object as map16, counting own enumerable keys as it goes */
  private object(o: Record<string, unknown>): void {
    this.buf[this.pos] = 0xde;
    const at = this.pos + 1;
    this.pos += 3;
    let size = 0;
    for (const key in o) {
      if (this.pos > this.limit) this.room(HEADROOM);
      this.string(key);
      this.value(o[key]);
      size++;
    }
    if (size > 0xffff) throw UNSUPPORTED;
    this.buf[at] = size >> 8;
    this.buf[at + 1] = size & 0xff;
  }

  private array(a: unknown[]): void {
    const n = a.length;
    if (n < 0x10) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      this.buf[this.pos++] = 0xdc;
      this.buf[this.pos++] = n >> 8;
      this.buf[this.pos++] = n & 0xff;
    } else {
      this.buf[this.pos++] = 0xdd;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
    for (let i = 0; i < n; i++) this.value(a[i]);
  }

  private number(v: number): void {
    const b = this.buf;
    if (v >>> 0 === v) {
      if (v < 0x80) b[this.pos++] = v;
      else if (v < 0x100) {
        b[this.pos++] = 0xcc;
        b[this.pos++] = v;
      } else if (v < 0x10000) {
        b[this.pos++] = 0xcd;
        b[this.pos++] = v >> 8;
        b[this.pos++] = v & 0xff;
      } else {
        b[this.pos++] = 0xce;
        this.view.setUint32(this.pos, v);
        this.pos += 4;
      }
    } else if (v >> 0 === v) {
      if (v >= -0x20) b[this.pos++] = 0x100 + v;
      else if (v >= -0x80) {
        b[this.pos++] = 0xd0;
        b[this.pos++] = v + 0x100;
      } else if (v >= -0x8000) {
        b[this.pos++] = 0xd1;
        this.view.setInt16(this.pos, v);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xd2;
        this.view.setInt32(this.pos, v);
        this.pos += 4;
      }
    } else if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      // int64, big-endian two's complement: high word by division (exact below 2^53), low word the rest
      const hi = Math.floor(v / 0x1_0000_0000);
      b[this.pos++] = 0xd3;
      this.view.setInt32(this.pos, hi);
      this.view.setUint32(this.pos + 4, v - hi * 0x1_0000_0000);
      this.pos += 8;
    } else {
      b[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, v);
      this.pos += 8;
    }
  }

  /** UTF-8 as msgpackr writes it (lone surrogates as three bytes, like its own encoder for short strings) */
  private string(s: string): void {
    const n = s.length;
    if (n >= 0x40) {
      // long strings: msgpackr hands them to the engine's UTF-8 encoder
      const bytes = textEncoder.encode(s);
      this.header(bytes.length);
      this.appendBytes(bytes);
      return;
    }
    const b = this.buf;
    // ASCII first: the header is then known before the bytes
    let i = 0;
    const start = this.pos + 1;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[start + i] = c;
    }
    if (i === n && n < 0x20) {
      b[this.pos] = 0xa0 | n;
      this.pos = start + n;
      return;
    }
    // non-ASCII or 32..63 characters: encode into place after a 2-byte header (enough: at most 63 * 3 bytes)
    let p = this.pos + 2;
    for (i = 0; i < n; i++) {
      let c1 = s.charCodeAt(i);
      let c2: number;
      if (c1 < 0x80) b[p++] = c1;
      else if (c1 < 0x800) {
        b[p++] = (c1 >> 6) | 0xc0;
        b[p++] = (c1 & 0x3f) | 0x80;
      } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
        c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
        i++;
        b[p++] = (c1 >> 18) | 0xf0;
        b[p++] = ((c1 >> 12) & 0x3f) | 0x80;
        b[p++] = ((c1 >> 6) & 0x3f) | 0x80;
        b[p++] = (c1 & 0x3f) | 0x80;
      } else {
        b[p++] = (c1 >> 12) | 0xe0;
        b[p++] = ((c1 >> 6) & 0x3f) | 0x80;
        b[p++] = (c1 & 0x3f) | 0x80;
      }
    }
    const len = p - this.pos - 2;
    if (len < 0x20) {
      b[this.pos] = 0xa0 | len;
      b.copyWithin(this.pos + 1, this.pos + 2, p);
      this.pos = p - 1;
    } else {
      b[this.pos] = 0xd9;
      b[this.pos + 1] = len;
      this.pos = p;
    }
  }

  private header(len: number): void {
    const b = this.buf;
    if (len < 0x20) b[this.pos++] = 0xa0 | len;
    else if (len < 0x100) {
      b[this.pos++] = 0xd9;
      b[this.pos++] = len;
    } else if (len < 0x10000) {
      b[this.pos++] = 0xda;
      b[this.pos++] = len >> 8;
      b[this.pos++] = len & 0xff;
    } else {
      b[this.pos++] = 0xdb;
      this.view.setUint32(this.pos, len);
      this.pos += 4;
    }
  }
}

const textEncoder = new TextEncoder();

const single = new MsgWriter();

/** One value on its own (control messages, snapshot frames); records in bulk go through a MsgWriter. */
export function encode(value: unknown): Uint8Array {
  single.reset();
  if (single.write(value)) return single.buf.slice(0, single.pos);
  return packr.pack(wideIntegersAsBigInt(value));
}

/**
 * For msgpackr: safe integers beyond 32 bits as BigInt (which it writes as int64), inside plain objects and arrays;
 * anything else unchanged.
 */
export function wideIntegersAsBigInt(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >> 0 !== v && v >>> 0 !== v ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(wideIntegersAsBigInt);
  if (typeof v === 'object' && v !== null && v.constructor === Object) {
    const o: Record<string, unknown> = {};
    for (const k in v) o[k] = wideIntegersAsBigInt((v as Record<string, unknown>)[k]);
    return o;
  }
  return v;
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}
