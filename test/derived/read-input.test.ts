// The stage's input reader agrees with the full msgpack decoder on every field it reads, whatever else a record holds.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import { decode, encode } from '../../boundary/codec.ts';
import { InputReader, readInput } from '../../kernel/derived/read-input.ts';
import type { InputRecord } from '../../kernel/derived/types.ts';
import { mulberry32 } from '../../sim/prng.ts';

const FIELDS = ['ty', 'ex', 'cd', 'mc', 'tms', 'tp', 'tv'] as const;
const pick = (r: Record<string, unknown>) => Object.fromEntries(FIELDS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));

describe('derived stage input reader', () => {
  it('reads ty, ex, cd, mc, tms, tp and tv exactly as the decoder does, past any other value', () => {
    const rnd = mulberry32(7);
    const values = () => [
      Math.floor(rnd() * 200) - 100,
      rnd() * 1e9,
      2 ** 40 + Math.floor(rnd() * 1000),
      -(2 ** 35),
      1e-7 * rnd(),
      'é한',
      'x'.repeat(Math.floor(rnd() * 300)),
      true,
      null,
      [1, 'a', { b: [2.5] }],
      { ap: 1.5, as: 2 },
      Array.from({ length: 20 }, (_, i) => ({ ap: i + 0.5, bs: i })),
    ];
    const b = new BatchBuilder();
    for (let i = 0; i < 300; i++) {
      const extras = values();
      const r: Record<string, unknown> = {
        ty: ['ticker', 'trade', 'orderbook'][i % 3],
        ex: i % 5 ? 'upbit' : 'bïthumb',
        cd: 'BTC/KRW',
        mc: 'KRW-BTC',
        tms: 1_796_000_000_000 + i,
        ...(i % 4 ? { tp: [140_000_000, 0.000123, 97.5, 3][i % 4] } : {}),
        ...(i % 3 ? { tv: rnd() * 10 } : {}),
        [`k${i % 7}`]: extras[i % extras.length],
        obu: extras[11],
        rtms: 1_796_000_000_000,
        ep: 1_796_000_000_000,
        sq: i * 1000,
        sid: String(2n ** 60n + BigInt(i)),
      };
      b.addRecord('k', r);
      const bytes = encode(r);
      assert.deepEqual(readInput(bytes), pick(decode(bytes)));
    }
    const batch = b.take();
    for (let i = 0; i < batch.keys.length; i++) assert.deepEqual(readInput(recordAt(batch, i)), pick(decode(recordAt(batch, i))));
  });

  it('reads a whole batch into one reused record object, keeping the strings that did not change', () => {
    const b = new BatchBuilder();
    const sent = [
      { ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: 1, tp: 100, tv: 0.5, sid: 'a' },
      { ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: 2, tp: 101, tv: 0.25 },
      { ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC2', tms: 3, tp: 102.5, tv: 1 },
      { ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTé', tms: 4, tp: 1, tv: 2 },
    ];
    for (const r of sent) b.addRecord('k', r);
    const batch = b.take();
    const reader = new InputReader(batch.buf);
    const rec: InputRecord = { ty: '', ex: '', cd: '', mc: '', tms: 0 };
    let mc = '';
    sent.forEach((r, i) => {
      reader.read(i === 0 ? 0 : batch.ends[i - 1]!, batch.ends[i]!, rec);
      assert.deepEqual({ ...rec }, pick(r));
      if (i === 1) assert.equal(rec.mc, mc, 'the same market code is the same string');
      mc = rec.mc;
    });
  });

  it('throws on bytes that are not a whole record, for the stage to count', () => {
    const bytes = encode({ ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: 1, tp: 100, tv: 0.5 });
    const rec: InputRecord = { ty: '', ex: '', cd: '', mc: '', tms: 0 };
    assert.throws(() => new InputReader(bytes).read(0, bytes.length - 3, rec));
    assert.throws(() => new InputReader(bytes.subarray(0, bytes.length - 3)).read(0, bytes.length - 3, rec));
  });
});
