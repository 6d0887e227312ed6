// The sequence check the stream tests rely on (test/support/streams.ts) holds docs/protocol.md's rules: sq 1 at the
// start of each epoch, +1 steps, a mid-epoch start only for an epoch already running when the reader joined.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSequences } from '../support/streams.ts';

const rec = (ep: number, sq: number, extra: Record<string, unknown> = {}) => ({ ex: 'x', ty: 'trade', cd: 'A/B', ep, sq, ...extra });

describe('assertSequences', () => {
  it('accepts streams that start at sq 1 and step by one, and a new epoch from sq 1', () => {
    assertSequences([rec(10, 1), rec(10, 2), rec(20, 1), rec(20, 2)], 'start');
  });

  it('refuses a first sq other than 1 from a reader that saw the streams from their start', () => {
    assert.throws(() => assertSequences([rec(10, 2), rec(10, 3)], 'start'), /first record is at sq 2/);
  });

  it('lets a client that joined a running epoch start in its middle, but not an epoch opened after it joined', () => {
    assertSequences([rec(10, 41), rec(10, 42), rec(30, 1)], { joinedAt: 20 });
    assert.throws(() => assertSequences([rec(30, 5)], { joinedAt: 20 }), /opened after the reader joined/);
  });

  it('refuses gaps, repeats, a new epoch not at sq 1 and an epoch going back', () => {
    assert.throws(() => assertSequences([rec(10, 1), rec(10, 3)], 'start'), /sq 1 then 3/);
    assert.throws(() => assertSequences([rec(10, 1), rec(10, 1)], 'start'), /sq 1 then 1/);
    assert.throws(() => assertSequences([rec(10, 1), rec(20, 2)], 'start'), /new epoch starts at sq 1/);
    assert.throws(() => assertSequences([rec(20, 1), rec(10, 1)], 'start'), /epoch went back/);
  });

  it('after a snapshot, wants a greater sq in its epoch, or a fresh epoch at sq 1', () => {
    const snap = rec(10, 7, { st: 'SNAPSHOT' });
    assertSequences([snap, rec(10, 9), rec(10, 10)], { joinedAt: 15 });
    assert.throws(() => assertSequences([snap, rec(10, 7)], { joinedAt: 15 }), /after a snapshot/);
    assertSequences([snap, rec(30, 1)], { joinedAt: 15 });
    assert.throws(() => assertSequences([snap, rec(30, 4)], { joinedAt: 15 }), /opened after the reader joined/);
  });

  it('counts each key on its own', () => {
    assertSequences([rec(10, 1), { ...rec(10, 1), cd: 'C/D' }, rec(10, 2), { ...rec(10, 2), cd: 'C/D' }], 'start');
  });
});
