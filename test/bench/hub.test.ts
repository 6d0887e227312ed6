// The coalescing fan-out keeps SPEC §4: one record per frame (text for JSON, binary for msgpack), each client gets
// exactly the record types its filter names, answers and snapshots stay in order with the live stream, and a
// client that does not read is cut off with 1008.

import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { BatchBuilder } from '../../boundary/batch.ts';
import { Catalog } from '../../kernel/filter.ts';
import { Hub } from '../../kernel/fanout/hub.ts';
import { startServer } from '../../kernel/fanout/server.ts';
import type { ServerHandle } from '../../kernel/fanout/server.ts';
import { createLogger } from '../../kernel/log.ts';
import { Metrics } from '../../kernel/metrics.ts';
import type { MarketRecord } from '../../sdk/model.ts';
import { recordKey, streamKey } from '../../sdk/model.ts';
import { SnapshotStore } from '../../kernel/store/snapshot-store.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { assertSequences, isRecord } from '../support/streams.ts';

const sq = new Map<string, number>();
function trade(cd: string, n = 1): MarketRecord[] {
  return Array.from({ length: n }, () => {
    const key = `binance|trade|${cd}`;
    const s = (sq.get(key) ?? 0) + 1;
    sq.set(key, s);
    return { ty: 'trade', ex: 'binance', cd, mc: cd.replace('/', ''), tms: 1, tp: 1.5, tv: 2, ab: 'BID', sid: String(s), rtms: 2, ep: 3, sq: s };
  });
}

describe('fan-out hub', () => {
  let hub: Hub;
  let store: SnapshotStore;
  let server: ServerHandle;
  let url: string;
  const metrics = new Metrics();

  const publish = (records: MarketRecord[]) => {
    const b = new BatchBuilder();
    for (const r of records) b.addRecord(streamKey(r.ex, r.ty, r.cd), r);
    const batch = b.take();
    store.putBatch(batch);
    hub.deliver(batch);
  };

  before(async () => {
    const catalog = new Catalog();
    catalog.set('binance', { symbols: ['BTC/USDT', 'ETH/USDT'], channels: ['trade', 'ticker', 'orderbook'] });
    catalog.setDerived(['premium', 'candle']);
    store = new SnapshotStore();
    const log = createLogger('error');
    hub = new Hub({ store, catalog, maxBufferedBytes: 64 * 1024, metrics, log });
    server = await startServer({ app: new Hono(), hub, catalog, host: '127.0.0.1', port: 0, log, metrics });
    url = `ws://127.0.0.1:${server.port}/ws/exchange`;
  });

  after(async () => {
    hub.close();
    await server.close();
  });

  it('sends each record in a frame of its own, text to JSON clients and binary to msgpack clients', async () => {
    const json = await TestClient.connect(`${url}?snapshot=false`);
    const pack = await TestClient.connect(`${url}?snapshot=false&format=msgpack`);
    // many records in one turn: they leave together, still one per frame
    publish([...trade('BTC/USDT', 50), ...trade('ETH/USDT', 50)]);
    publish(trade('BTC/USDT', 20));
    await json.collect(isRecord, 120);
    await pack.collect(isRecord, 120);
    assert.equal(json.frames.length, 120);
    assert.equal(pack.frames.length, 120);
    assert.ok(json.binary.every((b) => !b) && pack.binary.every(Boolean));
    assert.deepEqual(json.frames, pack.frames);
    assertSequences(json.frames, 'start');
    await json.close();
    await pack.close();
  });

  it('gives each client exactly the record types its filter names: exchange types and derived ones alike', async () => {
    // one stream per type, numbered on its own; premium and candle keys carry their fourth part (rex, iv)
    const counts = new Map<string, number>();
    const base = { ex: 'binance', cd: 'BTC/USDT', mc: 'BTCUSDT', tms: 1, rtms: 2, ep: 3 };
    const one = (ty: string): MarketRecord => {
      const extra: Record<string, Record<string, unknown>> = {
        trade: { tp: 1.5, tv: 2, ab: 'BID' },
        ticker: { tp: 1.5, atv24h: 10 },
        orderbook: { obu: [{ ap: 2, as: 1, bp: 1, bs: 1 }], tas: 1, tbs: 1 },
        premium: { rex: 'upbit', rcd: 'BTC/KRW', tp: 1.5, rtp: 1.4 },
        candle: { iv: '1m', op: 1, hp: 2, lp: 1, tp: 1.5, catv: 3, catp: 4 },
      };
      const sq = (counts.get(ty) ?? 0) + 1;
      counts.set(ty, sq);
      return { ...base, ty, sq, ...extra[ty] } as unknown as MarketRecord;
    };
    const publishAny = (records: MarketRecord[]) => {
      const b = new BatchBuilder();
      for (const r of records) b.addRecord(recordKey(r as Parameters<typeof recordKey>[0]), r);
      const batch = b.take();
      store.putBatch(batch);
      hub.deliver(batch);
    };
    const TYPES = ['trade', 'ticker', 'orderbook', 'premium', 'candle'];
    const filters = ['trade', 'ticker', 'orderbook', 'premium', 'candle', 'premium,candle', 'trade,orderbook', ''];
    const clients = await Promise.all(filters.map((t) => TestClient.connect(`${url}?snapshot=false${t ? `&type=${t}` : ''}`)));
    // two rounds of every type, interleaved in one turn, then one more of each in a later turn
    publishAny([...TYPES, ...TYPES].map(one));
    publishAny(TYPES.map(one));
    await Promise.all(
      clients.map((c, i) => {
        const wanted = filters[i] ? filters[i]!.split(',') : TYPES;
        // the last record of each wanted type arrives last: nothing routed wrongly can still be on its way
        return waitFor(() => wanted.every((ty) => c.frames.some((f) => f.ty === ty && f.sq === 3)), 10_000, `client type=${filters[i]}`);
      }),
    );
    clients.forEach((c, i) => {
      const wanted = filters[i] ? filters[i]!.split(',') : TYPES;
      const expected = [...TYPES, ...TYPES, ...TYPES].filter((ty) => wanted.includes(ty));
      assert.deepEqual(c.frames.map((f) => f.ty), expected, `client type=${filters[i] || '(all)'}`);
      assertSequences(c.frames, 'start');
    });
    await Promise.all(clients.map((c) => c.close()));
  });

  for (const framed of [true, false]) {
    it(`keeps answers and snapshots in order with records routed in the same turn (${framed ? 'ready-made frames' : 'one send per record'})`, () => {
      // a peer of our own: what reaches it, in order, decoded
      const got: Frame[] = [];
      const decodeFrames = (bytes: Uint8Array) => {
        const b = Buffer.from(bytes);
        for (let i = 0; i < b.length; ) {
          let n = b[i + 1]! & 0x7f;
          let h = 2;
          if (n === 126) [n, h] = [b.readUInt16BE(i + 2), 4];
          got.push(JSON.parse(b.subarray(i + h, i + h + n).toString('utf8')) as Frame);
          i += h + n;
        }
      };
      const peer = {
        send: (f: string | Uint8Array) => got.push(JSON.parse(String(f)) as Frame),
        sendFrames: framed ? decodeFrames : undefined,
        bufferedAmount: 0,
        close() {},
      };
      const handle = hub.connect(peer, { format: 'json', filter: { exchange: null, symbol: new Set(['BTC/USDT']), type: null }, snapshot: false });
      publish(trade('BTC/USDT', 3));
      publish(trade('ETH/USDT', 2));
      // the request arrives in the same turn, before the routed records have been written
      handle.message(JSON.stringify({ method: 'subscribe', symbol: ['BTC/USDT', 'ETH/USDT'] }));
      publish(trade('ETH/USDT', 2));
      hub.flush();
      handle.closed();
      const kinds = got.map((f) => (f.event ? `event:${f.event}` : f.st ? `snap:${f.cd}` : `live:${f.cd}`));
      assert.deepEqual(kinds, ['live:BTC/USDT', 'live:BTC/USDT', 'live:BTC/USDT', 'event:subscribed', 'snap:ETH/USDT', 'live:ETH/USDT', 'live:ETH/USDT']);
      const snap = got[4]!;
      assert.equal(got[5]!.sq, (snap.sq as number) + 1, 'live records follow the snapshot in +1 steps');
      // the test's fake epoch 3 has been running since the first test: this peer joins it midway
      assertSequences(got.filter(isRecord), { joinedAt: Date.now() });
    });
  }

  it('cuts a client that does not read with 1008 while the others keep receiving', async () => {
    const good = await TestClient.connect(`${url}?snapshot=false&format=msgpack`);
    // a raw client that upgrades and then never reads
    const stuck = connect(server.port, '127.0.0.1');
    stuck.write(
      `GET /ws/exchange?snapshot=false HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((resolve) => stuck.once('data', resolve));
    stuck.pause();
    const before = hub.size;
    const cut = () => /gateway_client_slow_disconnects_total (\d+)/.exec(metrics.render())?.[1] === '1';
    for (let i = 0; i < 400 && !cut(); i++) {
      publish(trade('BTC/USDT', 200));
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(cut(), 'the slow client was cut off');
    assert.equal(hub.size, before - 1);
    // the cut client reads its close frame (1008) once it reads again
    const code = new Promise<number>((resolve) => {
      let buf = Buffer.alloc(0);
      stuck.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        let i = 0;
        while (i + 10 <= buf.length || (i + 2 <= buf.length && (buf[i + 1]! & 0x7f) < 126)) {
          let n = buf[i + 1]! & 0x7f;
          let h = 2;
          if (n === 126) [n, h] = [buf.readUInt16BE(i + 2), 4];
          else if (n === 127) [n, h] = [buf.readUInt32BE(i + 6), 10];
          if (i + h + n > buf.length) break;
          if ((buf[i]! & 0x0f) === 8) resolve(buf.readUInt16BE(i + h));
          i += h + n;
        }
        buf = buf.subarray(i);
      });
    });
    stuck.resume();
    assert.equal(await code, 1008);
    stuck.destroy();
    const count = good.frames.length;
    publish(trade('ETH/USDT', 3));
    await waitFor(() => good.frames.length >= count + 3, 5000, 'the reading client still gets records');
    await good.close();
  });
});
