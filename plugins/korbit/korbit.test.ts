// Korbit plugin behaviour beyond the shared contract (which replays fixtures/ to expected/): the subscribe request,
// acknowledgements and error answers, late and empty books, exact trade ids, and the market list.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import plugin from './index.ts';
import { testConfig } from '../../sdk/testing/index.ts';
import { KORBIT_MARKETS } from './markets.ts';
import type { Draft, Output } from '../../sdk/index.ts';

function capture(): { out: Output; drafts: Draft[] } {
  const drafts: Draft[] = [];
  const out: Output = { emit: (d) => drafts.push(d), request: () => {}, send: () => {}, rollover: () => {} };
  return { out, drafts };
}

const mapper = () => plugin.connections(testConfig('korbit', { symbols: ['BTC/KRW'] }))[0]!.createMapper();

describe('korbit plugin', () => {
  it('subscribes every channel and market in one request array, and pings every 30 s', () => {
    const [plan] = plugin.connections(testConfig('korbit', { symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['ticker', 'orderbook'] }));
    assert.equal(plan!.subscribe.length, 1);
    assert.deepEqual(JSON.parse(plan!.subscribe[0]!), [
      { requestId: 1, method: 'subscribe', type: 'ticker', symbols: ['btc_krw', 'eth_krw'] },
      { requestId: 2, method: 'subscribe', type: 'orderbook', symbols: ['btc_krw', 'eth_krw'] },
    ]);
    assert.deepEqual(plan!.keepAlive, { intervalMs: 30_000 });
    assert.equal(plugin.defaultUrls({}).url, 'wss://ws-api.korbit.co.kr/v2/public');
  });

  it('names markets btc_krw and rejects symbols that are not BASE/QUOTE', () => {
    assert.equal(plugin.marketCode('BTC/KRW', testConfig('korbit')), 'btc_krw');
    assert.throws(() => plugin.marketCode('btc_krw', testConfig('korbit')), { code: 'PLUGIN_SYMBOL_INVALID' });
  });

  it('ignores acknowledgements and reports fail and error answers as exchange errors', () => {
    const m = mapper();
    const { out, drafts } = capture();
    m.onMessage('{"status":"success","requestId":1}', 1, out);
    assert.equal(drafts.length, 0);
    assert.throws(() => m.onMessage('{"status":"fail","code":"INVALID_SYMBOL","message":"The symbol does not exist (nope_krw)","requestId":2}', 1, out), {
      code: 'EXCHANGE_ERROR', message: /INVALID_SYMBOL: The symbol does not exist/,
    });
    assert.throws(() => m.onMessage('{"status":"error","message":"server error"}', 1, out), { code: 'EXCHANGE_ERROR' });
    assert.throws(() => m.onMessage('{"status":"maybe"}', 1, out), { code: 'BAD_FRAME' });
  });

  it('never publishes a book older than the last one or an empty one, and a bad book does not disturb the next', () => {
    const m = mapper();
    const { out, drafts } = capture();
    const book = (t: number, ask: string, bid: string) =>
      JSON.stringify({ symbol: 'btc_krw', timestamp: t, type: 'orderbook', data: { timestamp: t, asks: ask ? [{ price: ask, qty: '1' }] : [], bids: bid ? [{ price: bid, qty: '1' }] : [] } });
    m.onMessage(book(1764578400200, '101', '100'), 1, out);
    m.onMessage(book(1764578400100, '102', '100'), 1, out);
    m.onMessage(book(1764578400300, '', ''), 1, out);
    assert.throws(() => m.onMessage(book(1764578400400, '99', '100'), 1, out), { code: 'BAD_FRAME' });
    m.onMessage(book(1764578400500, '103', '100'), 1, out);
    assert.deepEqual(drafts.map((d) => (d as { obu: { ap: number }[] }).obu[0]!.ap), [101, 103]);
  });

  it('keeps trade ids beyond 2^53 exact', () => {
    const m = mapper();
    const { out, drafts } = capture();
    m.onMessage('{"symbol":"btc_krw","timestamp":1764578400000,"type":"trade","data":[{"timestamp":1764578400000,"price":"1","qty":"1","isBuyerTaker":true,"tradeId":12345678901234567890}]}', 1, out);
    assert.equal((drafts[0] as { sid: string }).sid, '12345678901234567890');
  });

  it('lists launched KRW pairs with unified upper-case symbols and aliases applied', () => {
    const body = JSON.stringify({
      success: true,
      data: [
        { symbol: 'btc_krw', status: 'launched', baseCurrency: 'btc', quoteCurrency: 'krw' },
        { symbol: 'xbt_krw', status: 'launched' },
        { symbol: 'klay_krw', status: 'stopped', baseCurrency: 'klay', quoteCurrency: 'krw' },
        { symbol: 'a_b_c', status: 'launched' },
        42,
      ],
    });
    assert.deepEqual(KORBIT_MARKETS.parse(body), [
      { symbol: 'BTC/KRW', code: 'btc_krw' },
      { symbol: 'BTC/KRW', code: 'xbt_krw' },
    ]);
    assert.equal(KORBIT_MARKETS.url(testConfig('korbit', { restUrl: 'https://api.korbit.co.kr/' })), 'https://api.korbit.co.kr/v2/currencyPairs');
    assert.throws(() => KORBIT_MARKETS.parse('{"success":false,"error":{"code":"TOO_MANY_REQUESTS"}}'), { code: 'BAD_FRAME', message: /TOO_MANY_REQUESTS/ });
    assert.throws(() => KORBIT_MARKETS.parse('nope'), { code: 'BAD_FRAME' });
  });
});
