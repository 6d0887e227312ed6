// Korbit end to end: the simulator's protocol (request arrays, snapshots, acks, fail answers, server pings, pair
// list), then a real gateway on it (exact records, +1 sequences, JSON = msgpack) and recovery from faults.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../test/support/client.ts';
import type { Frame } from '../../test/support/client.ts';
import { rawSocket } from '../../test/support/raw-socket.ts';
import { assertServesMarketList } from '../../test/support/live.ts';
import { describeLiveGateway } from '../../test/support/live-suite.ts';
import sim, { startKorbitSim, type KorbitSimHandle } from './sim.ts';
import { KORBIT_MARKETS } from './markets.ts';

const SYMBOLS = ['BTC/KRW', 'ETH/KRW'];

const raw = rawSocket;

const request = (items: unknown) => JSON.stringify(items);

describe('korbit simulator protocol', () => {
  let s: KorbitSimHandle;
  before(async () => {
    s = await startKorbitSim({ seed: 5, intervalMs: 50, pingIntervalMs: 300 });
  });
  after(() => s.close());

  it('answers a request array with acks and snapshots, and bad requests with fail answers', async () => {
    const c = await raw(s.url);
    c.ws.send(request([{ requestId: 1, method: 'subscribe', type: 'orderbook', symbols: ['btc_krw'] }, { method: 'subscribe', type: 'trade', symbols: ['btc_krw'] }]));
    c.ws.send(request([{ requestId: 2, method: 'subscribe', type: 'ticker', symbols: ['BTC_KRW'] }]));
    c.ws.send(request({ method: 'subscribe', type: 'ticker', symbols: ['btc_krw'] }));
    c.ws.send(request([{ requestId: 3, method: 'subscribe', type: 'candle', symbols: ['btc_krw'] }]));
    await waitFor(() => c.frames.filter((f) => f.status === 'fail').length >= 3, 5000, 'answers');
    assert.deepEqual(c.frames[0], { status: 'success', requestId: 1 });
    const book = c.frames[1]!;
    assert.equal(book.type, 'orderbook');
    assert.equal(book.snapshot, true);
    assert.equal(((book.data as Frame).asks as unknown[]).length, 30);
    assert.ok(c.frames.some((f) => f.type === 'trade' && f.snapshot === true));
    assert.ok(c.frames.some((f) => f.status === 'fail' && f.code === 'INVALID_SYMBOL' && f.requestId === 2));
    assert.ok(c.frames.some((f) => f.status === 'fail' && f.message === 'invalid_format'));
    assert.ok(c.frames.some((f) => f.status === 'fail' && f.code === 'INVALID_REQUEST' && f.message === 'unknown_type'));
    await waitFor(() => c.frames.some((f) => f.type === 'orderbook' && f.snapshot === undefined), 5000, 'a live book');
    c.ws.close();
  });

  it('pings its clients', async () => {
    const c = await raw(s.url);
    await waitFor(() => c.pings() >= 2, 5000, 'two server pings');
    c.ws.close();
  });

  it('serves the pair list, and a delisted pair is stopped and answers with an empty book', async () => {
    await assertServesMarketList(KORBIT_MARKETS, s, { id: 'korbit', min: 20, includes: 'BTC/KRW', symbol: 'ZZZ/KRW' });
    const c = await raw(s.url);
    c.ws.send(request([{ method: 'subscribe', type: 'orderbook', symbols: ['zzz_krw'] }]));
    const empty = await waitFor(() => c.frames.find((f) => f.type === 'orderbook'), 5000, 'the empty book');
    assert.deepEqual([(empty.data as Frame).asks, (empty.data as Frame).bids], [[], []]);
    c.ws.close();
    assert.deepEqual(sim.config(s), { url: s.url, restUrl: s.restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] });
  });
});

describeLiveGateway({
  id: 'korbit',
  start: (seed) => startKorbitSim({ seed, intervalMs: 50 }),
  sim,
  symbols: SYMBOLS,
  tap: {
    subscribe: request([{ method: 'subscribe', type: 'trade', symbols: ['btc_krw'] }]),
    trades(frames) {
      const rows = new Map<string, Frame>();
      for (const f of frames) if (f.type === 'trade') for (const r of f.data as Frame[]) rows.set(String(r.tradeId), r);
      return rows;
    },
  },
  trade: (r) => ({ tp: Number(r.price), tv: Number(r.qty), tms: r.timestamp, ab: r.isBuyerTaker ? 'BID' : 'ASK', mc: 'btc_krw' }),
  // the gateway's whole request (the one with requestIds; the test's own tap sends none) went out again
  resent: (before) => before.filter((f) => f.includes('requestId')),
  refuse: { status: 503, times: 2, seen: 2 },
  badFrames: ['{"type": ', '{"status":"fail","code":"INVALID_SYMBOL","message":"The symbol does not exist (nope_krw)"}'],
  listings: { symbols: 'all', streaming: 'XRP/KRW', symbol: 'ZZZ/KRW', mc: 'zzz_krw' },
});

