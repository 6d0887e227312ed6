// server.coalesceMs: the fan-out gathers the records of several event-loop turns and writes them to each client
// together (fewer, larger writes under load), in order, one record per frame; 0 keeps one write per turn.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BatchBuilder } from '../../boundary/batch.ts';
import { Catalog, MATCH_ALL } from '../../kernel/filter.ts';
import { Hub } from '../../kernel/fanout/hub.ts';
import type { Peer } from '../../kernel/fanout/peer.ts';
import { createLogger } from '../../kernel/log.ts';
import { Metrics } from '../../kernel/metrics.ts';
import { SnapshotStore } from '../../kernel/store/snapshot-store.ts';
import type { MarketRecord } from '../../sdk/model.ts';
import { streamKey } from '../../sdk/model.ts';
import { waitFor } from '../support/client.ts';

/** the payloads of complete, unmasked, small WebSocket frames (what the hub writes with sendFrames) */
function payloads(bytes: Uint8Array): string[] {
  const buf = Buffer.from(bytes);
  const out: string[] = [];
  for (let i = 0; i < buf.length; ) {
    let n = buf[i + 1]! & 0x7f;
    let h = 2;
    if (n === 126) {
      n = buf.readUInt16BE(i + 2);
      h = 4;
    }
    out.push(buf.subarray(i + h, i + h + n).toString('utf8'));
    i += h + n;
  }
  return out;
}

/** a client connection that keeps each write's frames as JSON texts */
function recordingPeer(): Peer & { writes: string[][] } {
  const writes: string[][] = [];
  return {
    writes,
    bufferedAmount: 0,
    send: (frame) => writes.push([String(frame)]),
    sendFrames: (frames) => writes.push(payloads(frames)),
    close: () => {},
  };
}

function hubWith(coalesceMs: number): { hub: Hub; publish(sq: number): void } {
  const catalog = new Catalog();
  catalog.set('binance', { symbols: ['BTC/USDT'], channels: ['trade'] });
  const store = new SnapshotStore();
  const hub = new Hub({ store, catalog, maxBufferedBytes: 1 << 20, metrics: new Metrics(), log: createLogger('error'), coalesceMs });
  const publish = (sq: number) => {
    const r: MarketRecord = { ty: 'trade', ex: 'binance', cd: 'BTC/USDT', mc: 'BTCUSDT', tms: 1, tp: 1.5, tv: 2, ab: 'BID', sid: String(sq), rtms: 2, ep: 3, sq };
    const b = new BatchBuilder();
    b.addRecord(streamKey(r.ex, r.ty, r.cd), r);
    const batch = b.take();
    store.putBatch(batch);
    hub.deliver(batch);
  };
  return { hub, publish };
}

const sqs = (p: { writes: string[][] }) => p.writes.flat().map((f) => (JSON.parse(f) as { sq?: number }).sq).filter((s) => s !== undefined);

describe('fan-out coalescing (server.coalesceMs)', () => {
  it('writes the records of several turns together, in order, when coalescing', async () => {
    // a long window (the config allows at most 100 ms), so five turns surely fall inside it
    const { hub, publish } = hubWith(2000);
    const peer = recordingPeer();
    hub.connect(peer, { format: 'json', filter: MATCH_ALL, snapshot: false });
    const before = peer.writes.length;
    for (let sq = 1; sq <= 5; sq++) {
      publish(sq);
      await nextTurn();
    }
    assert.deepEqual(sqs(peer), [], 'held for the window');
    await waitFor(() => sqs(peer).length === 5, 10_000, 'five records');
    assert.deepEqual(sqs(peer), [1, 2, 3, 4, 5]);
    assert.equal(peer.writes.length - before, 1, 'the five turns in one write');
    hub.close();
  });

  it('writes at the end of every turn without coalescing', async () => {
    const { hub, publish } = hubWith(0);
    const peer = recordingPeer();
    hub.connect(peer, { format: 'json', filter: MATCH_ALL, snapshot: false });
    publish(1);
    await nextTurn();
    assert.deepEqual(sqs(peer), [1]);
    hub.close();
  });
});
