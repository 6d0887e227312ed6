// The load client reads what it measures from the bytes: every server frame once however TCP splits it, a record's time
// field (JSON and msgpack) and, for loss, its stream fields and sq.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../../boundary/codec.ts';
import { FrameCounter, FrameScanner, jsonKey, packKey, timeField } from '../../bench/lib/frame-scanner.ts';
import { newWindow, sqFieldsOf, SqTracker } from '../../bench/lib/load-window.ts';

/** an unmasked server frame */
function frame(op: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | op, n]) : n < 65536 ? Buffer.from([0x80 | op, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
  if (n >= 65536) {
    head[0] = 0x80 | op;
    head[1] = 127;
    head.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    head.writeUInt32BE(n >>> 0, 6);
  }
  return Buffer.concat([head, payload]);
}

describe('load client frame scanner', () => {
  it('finds each frame once, with its payload, whatever the chunk boundaries', () => {
    const payloads = [Buffer.from('{"ty":"trade"}'), Buffer.alloc(300, 0x61), Buffer.alloc(70_000, 0x62), Buffer.from([3, 232])];
    const ops = [1, 2, 1, 8];
    const stream = Buffer.concat(payloads.map((p, i) => frame(ops[i]!, p)));
    for (const size of [1, 2, 3, 7, 125, 4096, stream.length]) {
      const seen: [number, string][] = [];
      const scanner = new FrameScanner((op, data, start, n) => seen.push([op, data.subarray(start, start + n).toString('latin1')]));
      for (let i = 0; i < stream.length; i += size) scanner.push(stream.subarray(i, i + size));
      assert.deepEqual(seen, payloads.map((p, i) => [ops[i]!, p.toString('latin1')]), `chunks of ${size}`);
    }
  });

  it('counts each frame once with its length and a close frame\'s code, whatever the chunk boundaries, copying nothing', () => {
    const payloads = [Buffer.from('{"ty":"trade"}'), Buffer.alloc(0), Buffer.alloc(300, 0x61), Buffer.alloc(70_000, 0x62), Buffer.from([3, 232]), Buffer.alloc(0)];
    const ops = [1, 2, 1, 2, 8, 8];
    const stream = Buffer.concat(payloads.map((p, i) => frame(ops[i]!, p)));
    for (const size of [1, 2, 3, 7, 125, 4096, stream.length]) {
      const seen: [number, number, number][] = [];
      const counter = new FrameCounter((op, n, code) => seen.push([op, n, code]));
      // each chunk at an offset in a larger buffer, as a shared read buffer hands it over
      for (let i = 0; i < stream.length; i += size) {
        const part = stream.subarray(i, i + size);
        const buf = Buffer.concat([Buffer.alloc(5, 0xff), part, Buffer.alloc(5, 0xff)]);
        counter.push(buf, 5, 5 + part.length);
      }
      assert.deepEqual(seen, [[1, 14, 0], [2, 0, 0], [1, 300, 0], [2, 70_000, 0], [8, 2, 1000], [8, 0, 1005]], `chunks of ${size}`);
    }
  });

  it('reads a time field from JSON digits and from msgpack integers and floats', () => {
    const json = Buffer.from('{"ty":"trade","tms":1764000000123,"sq":5}');
    assert.equal(timeField(json, 0, json.length, jsonKey('tms'), false), 1764000000123);
    assert.ok(Number.isNaN(timeField(json, 0, json.length, jsonKey('rtms'), false)));
    for (const t of [1764000000123, 4000000000, 1764000000123.5]) {
      const packed = Buffer.from(encode({ ty: 'trade', tms: t }));
      assert.equal(timeField(packed, 0, packed.length, packKey('tms'), true), t);
    }
  });
});

describe('load client loss tracking', () => {
  it('reads the stream fields of a JSON record as JSON.parse would, and counts sq gaps per key', () => {
    const records = [
      { ty: 'orderbook', ex: 'okx', cd: 'BTC/USDT', mc: 'BTC-USDT', tms: 1764000000123, ep: 1764000000000, sq: 41, obu: [{ ap: 1, as: 2, bp: 0.5, bs: 3 }], tas: 2, tbs: 3 },
      { ty: 'candle', ex: 'upbit', cd: 'BTC/KRW', iv: '1m', tms: 1, ep: 7, sq: 3 },
      { ty: 'premium', ex: 'upbit', rex: 'binance', cd: 'BTC/KRW', tms: 1, ep: 7, sq: 9 },
      { ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', tms: 1, ep: 7, sq: 3, st: 'SNAPSHOT' },
      [{ ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', ep: 7, sq: 3 }],
    ];
    for (const r of records) {
      const bytes = Buffer.from(`  ${JSON.stringify(r)}  `);
      const got = sqFieldsOf(bytes, 2, bytes.length - 2);
      const want = Array.isArray(r) ? {} : r;
      for (const k of ['ty', 'ep', 'sq', 'st'] as const) assert.equal(got[k], (want as Record<string, unknown>)[k], `${k} of ${JSON.stringify(r)}`);
      if (got.st === undefined && !Array.isArray(r)) for (const k of ['ex', 'cd', 'rex', 'iv'] as const) assert.equal(got[k], (r as Record<string, unknown>)[k]);
    }
    const tracker = new SqTracker();
    const win = newWindow(false);
    for (const sq of [1, 2, 5, 5, 6]) {
      const bytes = Buffer.from(JSON.stringify({ ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', ep: 7, sq }));
      tracker.see(0, sqFieldsOf(bytes, 0, bytes.length), win);
    }
    assert.equal(win.lost, 2);
    assert.equal(win.repeated, 1);
  });
});
