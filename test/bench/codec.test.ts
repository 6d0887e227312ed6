// The hot-path building blocks against their references: MsgWriter against msgpackr's bytes. (Field readers:
// test/sdk/readers.test.ts.)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Packr, Unpackr } from 'msgpackr';
import { encode, MsgWriter, wideIntegersAsBigInt } from '../../boundary/codec.ts';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import { mulberry32 } from '../../sim/prng.ts';

const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });
/** decodes 64-bit integers as BigInt and floats as numbers, so a test sees which one went over the wire */
const wire = new Unpackr({ useRecords: false, int64AsType: 'bigint' });

/** seeded, so every run checks the same inputs */
const rng = mulberry32;

const r = rng(7);
const NUMBERS = [0, -0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 1.5, -1.5, 1e-7, 1e21, NaN, Infinity, -Infinity, 1_736_910_000_100, 2 ** 53 + 2, 0.1 + 0.2];
const STRINGS = ['', 'a', 'BTC/KRW', 'x'.repeat(31), 'x'.repeat(32), 'y'.repeat(63), 'z'.repeat(64), 'é', '한국', '😀', '\ud800', 'a\udc00b', 'é'.repeat(40), '가'.repeat(100), 'q'.repeat(300), 'w'.repeat(70_000)];

function value(depth: number): unknown {
  const k = Math.floor(r() * (depth > 2 ? 5 : 8));
  if (k === 0) return NUMBERS[Math.floor(r() * NUMBERS.length)]! * (r() < 0.5 ? 1 : r() * 1000);
  if (k === 1) return STRINGS[Math.floor(r() * STRINGS.length)];
  if (k === 2) return r() < 0.5;
  if (k === 3) return r() < 0.5 ? null : undefined;
  if (k === 4) return Math.floor((r() - 0.5) * 2 ** (r() * 60));
  if (k === 5) return Array.from({ length: Math.floor(r() * 20) }, () => value(depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 20); i > 0; i--) o[STRINGS[Math.floor(r() * 9)]! + i] = value(depth + 1);
  return o;
}

describe('MsgWriter', () => {
  it('writes exactly the bytes msgpackr writes (integers beyond 32 bits as its BigInts), for records and for odd values alike', () => {
    const w = new MsgWriter(64);
    const record = { ty: 'orderbook', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: 1_736_910_000_100, obu: [{ ap: 1, as: 0.5 }, { bp: 2, bs: 0.25 }], tas: 0.5, tbs: 0.25, rtms: 1, ep: 2, sq: 3 };
    for (const v of [record, ...NUMBERS, ...STRINGS, true, false, null, undefined, [], {}, ...Array.from({ length: 3000 }, () => value(0))]) {
      w.reset();
      assert.ok(w.write(v));
      const reference = packr.pack(wideIntegersAsBigInt(v));
      assert.deepEqual(Buffer.from(w.buf.subarray(0, w.pos)), Buffer.from(reference), `for ${String(JSON.stringify(v)).slice(0, 200)}`);
      assert.deepEqual(Buffer.from(encode(v)), Buffer.from(reference));
    }
  });

  it('writes every integer as a msgpack integer, int64 beyond 32 bits, and fractions as float64', () => {
    const w = new MsgWriter();
    for (const [v, head] of [
      [1_796_116_379_175, 0xd3],
      [2 ** 32, 0xd3],
      [-(2 ** 31) - 1, 0xd3],
      [Number.MAX_SAFE_INTEGER, 0xd3],
      [-Number.MAX_SAFE_INTEGER, 0xd3],
      [2 ** 32 - 1, 0xce],
      [2 ** 53, 0xcb],
      [1_796_116_379_175.5, 0xcb],
    ] as const) {
      w.reset();
      w.write(v);
      assert.equal(w.buf[0], head, `${v}`);
      assert.equal(w.pos, 9 - (head === 0xce ? 4 : 0));
      assert.equal(packr.unpack(w.buf.subarray(0, w.pos)), v);
    }
    const record = { ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tp: 58_250_000, tv: 0.5, tms: 1_796_116_379_175, rtms: 1_796_116_379_190, ep: 1_796_116_300_000, sq: 5_000_000_000 };
    const decoded = wire.unpack(encode(record)) as Record<string, unknown>;
    for (const k of ['tms', 'rtms', 'ep', 'sq']) assert.equal(typeof decoded[k], 'bigint', k);
    assert.equal(decoded.tv, 0.5);
    const pong = wire.unpack(encode({ event: 'pong', tms: 1_796_116_379_175 })) as Record<string, unknown>;
    assert.equal(pong.tms, 1_796_116_379_175n);
    // values only msgpackr handles still get integers for their wide numbers
    const withDate = wire.unpack(encode({ at: new Date(0), tms: 1_796_116_379_175 })) as Record<string, unknown>;
    assert.equal(withDate.tms, 1_796_116_379_175n);
  });

  it('leaves values it does not handle to msgpackr, in a batch too', () => {
    const w = new MsgWriter();
    assert.equal(w.write({ a: new Date(0) }), false);
    assert.equal(w.pos, 0);
    const b = new BatchBuilder();
    b.addRecord('k1', { a: 1 });
    b.addRecord('k2', { when: new Map([[1, 2]]) });
    b.addRecord('k3', { a: 'x'.repeat(5000) });
    const batch = b.take();
    assert.deepEqual(batch.keys, ['k1', 'k2', 'k3']);
    assert.deepEqual(Buffer.from(recordAt(batch, 1)), Buffer.from(packr.pack({ when: new Map([[1, 2]]) })));
    assert.equal((packr.unpack(recordAt(batch, 2)) as { a: string }).a.length, 5000);
    assert.equal(batch.buf.byteLength, batch.buf.buffer.byteLength, 'the batch owns exactly its bytes (transferable)');
  });
});
