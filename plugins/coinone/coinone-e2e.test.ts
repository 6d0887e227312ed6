// Coinone end to end: the simulator's protocol (acks, PING/PONG, errors, idle close, market list), then a real
// gateway on it (exact records, +1 sequences, JSON = msgpack) and its recovery from drops, stalls and refusals.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway } from '../../test/support/gateway.ts';
import { waitFor } from '../../test/support/client.ts';
import type { Frame } from '../../test/support/client.ts';
import { rawSocket } from '../../test/support/raw-socket.ts';
import { assertServesMarketList, FAST_RESILIENCE } from '../../test/support/live.ts';
import { describeLiveGateway } from '../../test/support/live-suite.ts';
import sim, { startCoinoneSim, type CoinoneSimHandle } from './sim.ts';
import { COINONE_MARKETS } from './markets.ts';

const SYMBOLS = ['BTC/KRW', 'ETH/KRW'];

const raw = rawSocket;

const sub = (channel: string, target: string, format?: string) =>
  JSON.stringify({ request_type: 'SUBSCRIBE', channel, topic: { quote_currency: 'KRW', target_currency: target }, ...(format ? { format } : {}) });

describe('coinone simulator protocol', () => {
  let s: CoinoneSimHandle;
  before(async () => {
    s = await startCoinoneSim({ seed: 5, intervalMs: 50, idleTimeoutMs: 1500 });
  });
  after(() => s.close());

  it('acknowledges subscriptions, sends the book at once, answers PING with PONG and bad requests with ERROR', async () => {
    const c = await raw(s.url);
    c.ws.send(sub('ORDERBOOK', 'BTC'));
    c.ws.send('{"request_type":"PING"}');
    c.ws.send(sub('TRADE', 'NOPE'));
    c.ws.send('not json');
    await waitFor(() => c.frames.length >= 5, 5000, 'answers');
    assert.deepEqual(c.frames[0], { response_type: 'SUBSCRIBED', channel: 'ORDERBOOK', data: { quote_currency: 'KRW', target_currency: 'BTC' } });
    assert.equal(c.frames[1]!.channel, 'ORDERBOOK');
    assert.ok(c.frames.some((f) => f.response_type === 'PONG'));
    assert.ok(c.frames.some((f) => f.response_type === 'ERROR' && f.error_code === 160012));
    assert.ok(c.frames.some((f) => f.response_type === 'ERROR' && f.error_code === 160001));
    c.ws.close();
  });

  it('closes a client that stays silent past the idle timeout and keeps one that sends PING', async () => {
    const quiet = await raw(s.url);
    const pinger = await raw(s.url);
    const timer = setInterval(() => pinger.ws.send('{"request_type":"PING"}'), 300);
    await quiet.closed;
    assert.equal(pinger.ws.readyState, WebSocket.OPEN);
    clearInterval(timer);
    pinger.ws.close();
  });

  it('serves the market list in Coinone format and lists and delists markets at run time', async () => {
    await assertServesMarketList(COINONE_MARKETS, s, { id: 'coinone', min: 20, includes: 'BTC/KRW', symbol: 'ZZZ/KRW' });
    assert.deepEqual(sim.config(s), { url: s.url, restUrl: s.restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] });
  });
});

describeLiveGateway({
  id: 'coinone',
  start: (seed) => startCoinoneSim({ seed, intervalMs: 50 }),
  sim,
  symbols: SYMBOLS,
  tap: {
    subscribe: sub('TRADE', 'BTC'),
    trades: (frames) => new Map(frames.filter((f) => f.channel === 'TRADE').map((f) => [(f.data as Frame).id as string, f.data as Frame])),
  },
  trade: (d) => ({ tp: Number(d.price), tv: Number(d.qty), tms: d.timestamp, ab: d.is_seller_maker ? 'BID' : 'ASK', mc: 'KRW-BTC' }),
  // the gateway's whole subscription set (short format; the test's own tap subscribes in default) went out again
  resent: (before) => before.filter((f) => f.includes('"format":"SHORT"')),
  refuse: { status: 503, times: 2, seen: 2 },
  badFrames: ['{"response_type": ', '{"response_type":"ERROR","error_code":160012,"message":"Invalid Topic"}'],
  listings: { symbols: { quote: ['KRW'] }, streaming: 'XRP/KRW', symbol: 'ZZZ/KRW', mc: 'KRW-ZZZ' },
});

describe('coinone keep-alive through a gateway', () => {
  it('sends PING often enough that the idle close never comes', async () => {
    const s = await startCoinoneSim({ seed: 11, intervalMs: 50, idleTimeoutMs: 2500 });
    const gw = await startGateway({ exchanges: { coinone: { ...sim.config(s), symbols: ['BTC/KRW'], channels: ['trade'], keepAliveMs: 1000, ...FAST_RESILIENCE } } });
    try {
      const stats = () => gw.kernel.supervisors.find((x) => x.id === 'coinone')?.connections[0];
      await waitFor(() => stats()?.state === 'open', 10_000, 'open');
      await waitFor(() => s.received().filter((f) => f === '{"request_type":"PING"}').length >= 6, 20_000, 'six PINGs');
      // more than twice the idle limit has passed on one connection
      assert.equal(s.totalConnections(), 1);
      assert.equal(stats()!.reconnects, 0);
    } finally {
      await gw.kernel.close();
      await s.close();
    }
  });
});
