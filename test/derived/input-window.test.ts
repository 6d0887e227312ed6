// The main thread's forwarding window: only the records of input keys, in order, byte for byte, with their keys'
// indexes, however the exchange batches mix input and other records.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import { InputWindow } from '../../kernel/derived/input-window.ts';
import { mulberry32 } from '../../sim/prng.ts';

const INPUTS = ['upbit|trade|BTC/KRW', 'upbit|ticker|USDT/KRW', 'binance|trade|BTC/USDT'];
const OTHERS = ['upbit|orderbook|BTC/KRW', 'bithumb|trade|BTC/KRW'];

describe('derived input window', () => {
  it('keeps the input records of many batches, in order and byte for byte, with their key indexes', () => {
    const rand = mulberry32(9);
    const window = new InputWindow(new Map(INPUTS.map((k, i) => [k, i])));
    const expected: { id: number; bytes: Uint8Array }[] = [];
    for (let n = 0; n < 300; n++) {
      const b = new BatchBuilder();
      const size = Math.floor(rand() * 12); // empty batches too
      for (let i = 0; i < size; i++) {
        const input = rand() < 0.6;
        const key = input ? INPUTS[Math.floor(rand() * INPUTS.length)]! : OTHERS[Math.floor(rand() * OTHERS.length)]!;
        b.addRecord(key, { n, i, pad: 'x'.repeat(Math.floor(rand() * 400)) });
      }
      const batch = b.take();
      batch.keys.forEach((key, i) => {
        if (INPUTS.includes(key)) expected.push({ id: INPUTS.indexOf(key), bytes: recordAt(batch, i).slice() });
      });
      window.add(batch);
      assert.equal(window.length, expected.length);
    }
    const got = window.take();
    assert.equal(window.length, 0, 'take empties the window');
    assert.deepEqual([...got.ids], expected.map((e) => e.id));
    assert.equal(got.ends.length, expected.length);
    expected.forEach((e, i) => {
      assert.deepEqual(got.buf.subarray(i === 0 ? 0 : got.ends[i - 1]!, got.ends[i]!), e.bytes);
    });
    assert.equal(got.buf.length, got.ends.at(-1));
  });
});
