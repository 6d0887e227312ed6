// The stage's input reader agrees with the full msgpack decoder on every field it reads, whatever else a record holds.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import { decode, encode } from '../../boundary/codec.ts';
import { readInput } from '../../kernel/derived/read-input.ts';
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
});
