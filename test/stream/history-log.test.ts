// The resume history's storage: the chunked byte log (chunks released as the oldest entries leave, reused when no
// view of them was lent), the columns growing without losing entries, maxBytes holding with dropped entries'
// bytes counted until the log passes them, and the latest-value store overwriting each key's buffer in place.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import { ByteLog } from '../../kernel/store/byte-log.ts';
import { ENTRY_OVERHEAD, History, chunkSizeFor, position } from '../../kernel/store/history.ts';
import { SnapshotStore } from '../../kernel/store/snapshot-store.ts';

function batch(keys: string[], ep: number, from: number, pad = 0): ReturnType<BatchBuilder['take']> {
  const b = new BatchBuilder();
  keys.forEach((key, i) => b.addRecord(key, { ty: 'trade', ex: 'x', cd: key, ep, sq: from + i, pad: 'p'.repeat(pad) }));
  return b.take();
}

const sqs = (h: History, key: string) => h.entries(key).map((e) => position(e).sq);

describe('resume history storage', () => {
  it('releases the oldest chunks as entries age out and reuses them for new records', () => {
    const h = new History({ records: 1000, maxAgeMs: 1000, maxBytes: 64 * 4096 });
    assert.equal(h.log.chunkSize, 4096);
    // ~1 KiB records: a few per chunk
    for (let t = 0; t < 40; t++) h.ingest(batch(['k'], 1, t + 1, 1000), t * 100);
    const before = h.log.stats.allocated;
    assert.ok(h.log.heldChunks <= 5, `${h.log.heldChunks} chunks held for ~10 live records`);
    assert.ok(h.log.stats.released > 0);
    for (let t = 40; t < 80; t++) h.ingest(batch(['k'], 1, t + 1, 1000), t * 100);
    assert.ok(h.log.stats.reused > 0, 'released chunks written again');
    assert.ok(h.log.stats.allocated - before <= 2, `${h.log.stats.allocated - before} chunks allocated in steady state`);
    // only the last second is left, every record intact
    assert.deepEqual(sqs(h, 'k'), Array.from({ length: 11 }, (_, i) => 70 + i));
    for (const e of h.entries('k')) assert.equal(decode<{ pad: string }>(e.bytes).pad.length, 1000);
  });

  it('never overwrites the bytes of entries handed out, even after their chunk is released', () => {
    const h = new History({ records: 1000, maxAgeMs: 1000, maxBytes: 64 * 4096 });
    h.ingest(batch(['k', 'k', 'k'], 1, 1, 1000), 0);
    const held = h.entries('k');
    const copies = held.map((e) => e.bytes.slice());
    for (let t = 1; t < 60; t++) h.ingest(batch(['k', 'j'], 1, 100 * t, 1000), t * 100);
    assert.equal(sqs(h, 'k')[0]! > 3, true, 'the handed-out entries are gone from the history');
    held.forEach((e, i) => assert.deepEqual([...e.bytes], [...copies[i]!]));
  });

  it('gives a record larger than a chunk a chunk of its own', () => {
    const h = new History({ records: 10, maxAgeMs: 60_000, maxBytes: 1 << 20 });
    const size = h.log.chunkSize;
    h.ingest(batch(['a', 'big', 'b'], 1, 1, 0));
    h.ingest(batch(['big'], 1, 9, size * 3));
    h.ingest(batch(['a'], 1, 10, 0));
    assert.equal(decode<{ pad: string }>(h.newest('big')!.bytes).pad.length, size * 3);
    assert.deepEqual(sqs(h, 'a'), [1, 10]);
    assert.deepEqual(sqs(h, 'b'), [3]);
  });

  it('keeps every entry while its columns grow past their first capacity', () => {
    const h = new History({ records: 5000, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    const keys = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 1500; i++) h.ingest(batch(keys, 1, i * 4 + 1));
    assert.equal(h.size.entries, 6000);
    assert.equal(h.entries('c').length, 1500);
    assert.deepEqual(sqs(h, 'c').slice(0, 3), [3, 7, 11]);
    assert.equal(position(h.newest('d')!).sq, 6000);
    const g = h.entries('a').map((e) => e.g);
    assert.ok(g.every((x, i) => i === 0 || x === g[i - 1]! + 4), 'arrival numbers kept in order');
  });

  it('counts an entry dropped by the per-key limit until the log passes it, so the bytes held stay within maxBytes', () => {
    const one = batch(['a'], 1, 1, 1000).buf.length + ENTRY_OVERHEAD;
    const h = new History({ records: 2, maxAgeMs: 60_000, maxBytes: one * 10 });
    // a busy key dropped by count interleaved with a quiet one: the quiet one's records pin the log
    for (let i = 0; i < 30; i++) h.ingest(batch(i % 5 === 0 ? ['q'] : ['a'], 1, i + 1, 1000));
    assert.ok(h.size.bytes <= one * 10, `${h.size.bytes} bytes`);
    assert.ok(h.log.heldBytes <= one * 10 + 2 * h.log.chunkSize, `${h.log.heldBytes} bytes of chunks held`);
    assert.equal(h.size.entries, h.entries('a').length + h.entries('q').length);
    assert.deepEqual(sqs(h, 'a'), [29, 30]);
  });

  it('forgets dropped keys and reuses nothing of theirs for other keys', () => {
    const h = new History({ records: 10, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    h.ingest(batch(['a', 'b', 'a', 'b'], 1, 1));
    h.retain((k) => k === 'b');
    assert.deepEqual(h.entries('a'), []);
    assert.equal(h.size.keys, 1);
    assert.equal(h.size.entries, 2);
    h.ingest(batch(['c', 'c'], 1, 5));
    assert.deepEqual(sqs(h, 'c'), [5, 6]);
    assert.deepEqual(sqs(h, 'b'), [2, 4]);
  });

  it('keeps nothing with history.records 0, yet numbers the records', () => {
    const h = new History({ records: 0, maxAgeMs: 60_000, maxBytes: 1 << 20 });
    const at = h.position;
    h.ingest(batch(['a', 'b', 'a'], 1, 1));
    assert.deepEqual(h.size, { keys: 0, entries: 0, bytes: 0 });
    assert.equal(h.newest('a'), undefined);
    assert.equal(h.position, at + 3);
  });

  it('sizes chunks at 1 MiB for large budgets and down to 4 KiB for small ones', () => {
    assert.equal(chunkSizeFor(256 * 2 ** 20), 2 ** 20);
    assert.equal(chunkSizeFor(2 ** 20), 16384);
    assert.equal(chunkSizeFor(1000), 4096);
    const log = new ByteLog(4096);
    log.open(10);
    log.write(new Uint8Array([1, 2, 3]), 0, 3);
    log.releaseBefore(5);
    assert.equal(log.heldChunks, 1, 'the chunk being written stays');
  });
});

describe('latest-value store', () => {
  it('overwrites a key in place, yet never changes bytes already handed out', () => {
    const store = new SnapshotStore();
    store.putBatch(batch(['x|trade|A', 'x|trade|B', 'x|trade|A'], 1, 1, 10));
    const a = store.get('x|trade|A')!;
    assert.equal(decode<{ sq: number }>(a.bytes).sq, 3);
    const lent = a.bytes;
    const copy = lent.slice();
    store.putBatch(batch(['x|trade|A'], 1, 4, 10));
    assert.deepEqual([...lent], [...copy]);
    assert.equal(decode<{ sq: number }>(store.get('x|trade|A')!.bytes).sq, 4);
    store.putBatch(batch(['x|trade|A'], 1, 5, 500));
    assert.equal(store.snapshotRecord(store.get('x|trade|A')!).sq, 5);
    assert.equal(store.snapshotRecord(store.get('x|trade|A')!).st, 'SNAPSHOT');
    store.put('x|trade|A', store.get('x|trade|B')!.bytes);
    assert.equal(decode<{ sq: number }>(store.get('x|trade|A')!.bytes).sq, 2);
  });
});
