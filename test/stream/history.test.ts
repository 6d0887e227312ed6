// The resume history's bounds (records per key, age, bytes for all keys) and the status state machine's rules.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder } from '../../boundary/batch.ts';
import { ENTRY_OVERHEAD, History, position } from '../../kernel/store/history.ts';
import { evaluate } from '../../kernel/status/evaluate.ts';
import { StatusView } from '../../kernel/status/view.ts';
import type { StatusEvent } from '../../kernel/status/events.ts';
import { eventBatch, splitEvents } from '../../kernel/status/events.ts';
import type { ConnectionStats } from '../../boundary/worker-protocol.ts';

function batch(key: string, ep: number, from: number, count: number, pad = 0): ReturnType<BatchBuilder['take']> {
  const b = new BatchBuilder();
  for (let sq = from; sq < from + count; sq++) b.addRecord(key, { ty: 'trade', ex: 'x', cd: 'A/B', ep, sq, pad: 'p'.repeat(pad) });
  return b.take();
}

const conn = (over: Partial<ConnectionStats> = {}): ConnectionStats => ({
  name: 'main', url: 'ws://x', state: 'open', ep: 1, connectedAt: 1, lastMessageAt: 0, lastHeardAt: Date.now(), messages: 0,
  bytes: 0, records: 0, reconnects: 0, rollovers: 0, duplicates: 0, errors: {}, subscriptions: 1, ...over,
});

describe('resume history', () => {
  it('keeps at most history.records per key, oldest dropped first', () => {
    const h = new History({ records: 5, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    h.ingest(batch('k', 7, 1, 12));
    assert.deepEqual(h.entries('k').map((e) => position(e).sq), [8, 9, 10, 11, 12]);
    assert.equal(position(h.newest('k')!).sq, 12);
  });

  it('drops what is older than maxAgeMs', () => {
    const h = new History({ records: 100, maxAgeMs: 1000, maxBytes: 1 << 30 });
    h.ingest(batch('k', 7, 1, 3), 10_000);
    h.ingest(batch('k', 7, 4, 3), 10_600);
    h.ingest(batch('j', 7, 1, 1), 11_200);
    assert.deepEqual(h.entries('k').map((e) => position(e).sq), [4, 5, 6]);
  });

  it('keeps every key together within maxBytes, evicting the oldest entries across keys', () => {
    const one = batch('a', 1, 1, 1, 1000).buf.length + ENTRY_OVERHEAD;
    const h = new History({ records: 1000, maxAgeMs: 60_000, maxBytes: one * 10 });
    h.ingest(batch('a', 1, 1, 8, 1000));
    h.ingest(batch('b', 1, 1, 8, 1000));
    assert.ok(h.size.bytes <= one * 10, `${h.size.bytes} bytes`);
    assert.equal(h.entries('a').length + h.entries('b').length, 10);
    assert.equal(h.entries('b').length, 8, 'the newest key kept whole');
    assert.deepEqual(h.entries('a').map((e) => position(e).sq), [7, 8]);
  });

  it('numbers entries in arrival order across keys', () => {
    const h = new History({ records: 10, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    const at = h.position;
    h.ingest(batch('a', 1, 1, 2));
    h.ingest(batch('b', 1, 1, 1));
    assert.deepEqual([...h.entries('a'), ...h.entries('b')].map((e) => e.g - at), [0, 1, 2]);
  });
});

describe('status rules', () => {
  const base = { worker: 'running' as const, stallTimeoutMs: 1000, resyncing: 0, reportedAt: Date.now() };

  it('is up when every connection delivers, degraded when some do not or books resynchronize, down when none does', () => {
    assert.deepEqual(evaluate({ ...base, connections: [conn(), conn({ name: 'b' })] }), { state: 'up' });
    const closed = conn({ name: 'b', state: 'closed', lastClose: { at: 1, code: 1006, reason: '', wasOpen: true } });
    assert.deepEqual(evaluate({ ...base, connections: [conn(), closed] }), { state: 'degraded', reason: 'b: connection closed (1006), reconnecting' });
    assert.deepEqual(evaluate({ ...base, resyncing: 2, connections: [conn()] }), { state: 'degraded', reason: 'order books resynchronizing' });
    const refused = conn({ state: 'connecting', lastClose: { at: 1, code: 1006, reason: '', wasOpen: false, httpStatus: 429 } });
    assert.deepEqual(evaluate({ ...base, connections: [refused] }), { state: 'down', reason: 'main: refused by the exchange (HTTP 429)' });
    const silent = conn({ lastHeardAt: Date.now() - 800 });
    assert.deepEqual(evaluate({ ...base, connections: [silent] }), { state: 'down', reason: 'main: silent (stalled)' });
    assert.equal(evaluate({ ...base, worker: 'restarting', workerError: 'boom', connections: [conn()] }).reason, 'worker restarting after a crash: boom');
  });

  it('on a node that cannot trust its stream says down with the reason, and tells only changes', () => {
    let local: string | undefined;
    const told: StatusEvent[] = [];
    const view = new StatusView({ exchanges: () => ['x'], local: () => local, changed: (e) => told.push(e), staleMs: 60_000 });
    view.heardOf({ event: 'status', exchange: 'x', state: 'up', since: 5, tms: 6 });
    assert.deepEqual([view.status('x').state, view.status('x').since], ['up', 5]);
    local = 'no leader elected';
    assert.equal(view.status('x').state, 'down');
    assert.equal(view.status('x').reason, 'no leader elected');
    view.heardOf({ event: 'status', exchange: 'x', state: 'up', since: 5, tms: 7 });
    local = undefined;
    view.heardOf({ event: 'status', exchange: 'x', state: 'up', since: 5, tms: 8 });
    assert.deepEqual(told.map((e) => e.state), ['down', 'up']);
  });

  it('travels on the bus among records, in order', () => {
    const b = new BatchBuilder();
    b.addRecord('x|trade|A/B', { ty: 'trade', sq: 1 });
    const ev = eventBatch([{ event: 'resync', exchange: 'x', symbol: 'A/B', type: 'orderbook', tms: 1 }]);
    b.add(ev.keys[0]!, ev.buf);
    b.addRecord('x|trade|A/B', { ty: 'trade', sq: 2 });
    const seen: string[] = [];
    splitEvents(b.take(), (r) => seen.push(`records ${r.keys.length}`), (e) => seen.push(e.event));
    assert.deepEqual(seen, ['records 1', 'resync', 'records 1']);
  });
});
