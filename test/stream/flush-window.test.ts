// server.flushMs: records routed within the window leave in one socket write per client, still one record per
// frame and in order; what must go out at once (a control answer) still follows every record routed before it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { Hono } from 'hono';
import { BatchBuilder } from '../../boundary/batch.ts';
import { Catalog } from '../../kernel/filter.ts';
import { Hub } from '../../kernel/fanout/hub.ts';
import { startServer } from '../../kernel/fanout/server.ts';
import type { ServerHandle } from '../../kernel/fanout/server.ts';
import { createLogger } from '../../kernel/log.ts';
import { Metrics } from '../../kernel/metrics.ts';
import { SnapshotStore } from '../../kernel/store/snapshot-store.ts';
import { TestClient } from '../support/client.ts';
import { assertSequences, isRecord } from '../support/streams.ts';

const counter = (m: Metrics, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(m.render())?.[1] ?? 0);

describe('fan-out flush window', () => {
  let hub: Hub;
  let server: ServerHandle;
  let url: string;
  const metrics = new Metrics();
  const store = new SnapshotStore();
  let next = 1;
  const publish = (n: number) => {
    const b = new BatchBuilder();
    for (let i = 0; i < n; i++, next++) {
      b.addRecord('binance|trade|BTC/USDT', { ty: 'trade', ex: 'binance', cd: 'BTC/USDT', mc: 'BTCUSDT', tms: 1, tp: 1, tv: 1, ab: 'BID', sid: String(next), rtms: 1, ep: 1, sq: next });
    }
    const batch = b.take();
    store.putBatch(batch);
    hub.deliver(batch);
  };

  before(async () => {
    const catalog = new Catalog();
    catalog.set('binance', { symbols: ['BTC/USDT'], channels: ['trade'] });
    const log = createLogger('error');
    // a long window, so that the turns below surely fall inside it on a loaded machine
    hub = new Hub({ store, catalog, maxBufferedBytes: 1 << 20, flushMs: 1000, metrics, log });
    server = await startServer({ app: new Hono(), hub, catalog, host: '127.0.0.1', port: 0, log, metrics });
    url = `ws://127.0.0.1:${server.port}/ws/exchange?snapshot=false`;
  });

  after(async () => {
    hub.close();
    await server.close();
  });

  it('writes the records of several turns inside the window in one write per client, one record per frame, in order', async () => {
    const a = await TestClient.connect(url);
    const b = await TestClient.connect(`${url}&format=msgpack`);
    // the first routed records open the window: they leave at the end of their turn
    publish(1);
    await a.collect(isRecord, 1);
    await b.collect(isRecord, 1);
    const writes = counter(metrics, 'gateway_client_writes_total');
    for (let t = 0; t < 5; t++) {
      publish(3);
      await turn();
    }
    await a.collect(isRecord, 16);
    await b.collect(isRecord, 16);
    assert.equal(counter(metrics, 'gateway_client_writes_total') - writes, 2, 'one write to each of the two clients');
    assert.deepEqual(a.frames, b.frames);
    assertSequences(a.frames, 'start');
    await a.close();
    await b.close();
  });

  it('flushes what it holds before a control answer, without waiting for the window', async () => {
    const c = await TestClient.connect(url);
    publish(1);
    await c.collect(isRecord, 1);
    publish(2);
    await turn();
    c.send({ method: 'ping', id: 7 });
    const pong = await c.next((f) => (f as { event?: string }).event === 'pong');
    const at = c.frames.indexOf(pong);
    assert.deepEqual(c.frames.slice(at - 2, at).map((f) => (f as { sq: number }).sq), [next - 2, next - 1]);
    await c.close();
  });
});
