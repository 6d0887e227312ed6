// The hot-path building blocks against their references: MsgWriter against msgpackr's bytes, JsonCursor's numbers
// and decimals against JSON.parse and Number().

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Packr, Unpackr } from 'msgpackr';
import { encode, MsgWriter, wideIntegersAsBigInt } from '../../boundary/codec.ts';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import { JsonCursor } from '../../sdk/json-cursor.ts';
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

describe('JsonCursor', () => {
  it('reads every JSON number as the same double JSON.parse gives', () => {
    const c = new JsonCursor();
    const texts = ['0', '-0', '1', '-1', '0.1', '0.30000000000000004', '123456789012345', '1234567890123456', '12345678901234567890', '9007199254740993', '1e3', '1E-7', '-2.5e+10', '0.000001234', '95012.34000000', '140000000', '1e400', '-1e400', '5e-324'];
    for (let i = 0; i < 20_000; i++) {
      const digits = Math.floor(r() * 20) + 1;
      let s = String(Math.floor(r() * 10 ** Math.min(digits, 15)));
      if (r() < 0.6) s += `.${String(Math.floor(r() * 1e9)).padStart(Math.floor(r() * 12) + 1, '0')}`;
      if (r() < 0.3) s = `-${s}`;
      texts.push(s);
    }
    for (const t of texts) {
      const got = c.reset(`[${t}]`);
      got.openArray();
      got.element(true);
      const v = got.number();
      assert.ok(got.element(false) === false && got.done(), t);
      assert.ok(Object.is(v, JSON.parse(t)), `${t}: ${v} vs ${JSON.parse(t)}`);
    }
  });

  it('reads quoted decimals as Number() does, and moves the point for percentages', () => {
    const c = new JsonCursor();
    for (let i = 0; i < 20_000; i++) {
      let s = String(Math.floor(r() * 10 ** Math.floor(r() * 12)));
      if (r() < 0.7) s += `.${String(Math.floor(r() * 1e8)).padStart(8, '0')}`;
      if (r() < 0.3) s = `-${s}`;
      const v = c.reset(`"${s}"`).decimalString(true, 30, 0);
      assert.ok(c.done() && Object.is(v, Number(s)), `${s}: ${v}`);
      const [int, frac = ''] = s.replace('-', '').split('.');
      const digits = int!.padStart(2, '0') + frac;
      const point = digits.length - frac.length - 2;
      const expected = Number(`${s.startsWith('-') ? '-' : ''}${digits.slice(0, point) || '0'}.${digits.slice(point)}`);
      const p = c.reset(`"${s}"`).decimalString(true, 30, 0, 2);
      if (c.ok) assert.ok(Object.is(p, expected), `${s} %: ${p} vs ${expected}`);
    }
    for (const bad of ['""', '"."', '"1."', '".5"', '"1e3"', '"+1"', '"1 "', '"--1"', '1']) {
      c.reset(bad).decimalString(true, 30, 0);
      assert.equal(c.ok, false, bad);
    }
  });
});
