// Coinone plugin behaviour beyond the shared contract (which replays fixtures/ to expected/): subscribe frames,
// formats, acknowledgements and error frames, stale books, and the market list.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import plugin from './index.ts';
import { testConfig } from '../../sdk/testing/index.ts';
import { COINONE_MARKETS } from './markets.ts';
import { PING_FRAME } from './wire.ts';
import type { Output, Draft } from '../../sdk/index.ts';

function capture(): { out: Output; drafts: Draft[] } {
  const drafts: Draft[] = [];
  const out: Output = { emit: (d) => drafts.push(d), request: () => {}, send: () => {}, rollover: () => {} };
  return { out, drafts };
}

describe('coinone plugin', () => {
  it('subscribes one frame per channel and market, in short format unless configured otherwise', () => {
    const [plan] = plugin.connections(testConfig('coinone', { symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade', 'orderbook'] }));
    assert.equal(plan!.subscribe.length, 4);
    assert.deepEqual(JSON.parse(plan!.subscribe[0]!), {
      request_type: 'SUBSCRIBE', channel: 'TRADE', topic: { quote_currency: 'KRW', target_currency: 'BTC' }, format: 'SHORT',
    });
    assert.deepEqual(plan!.keepAlive, { intervalMs: 30_000, frame: PING_FRAME });
    const [long] = plugin.connections(testConfig('coinone', { symbols: ['BTC/KRW'], channels: ['ticker'], options: { format: 'default' } }));
    assert.equal(JSON.parse(long!.subscribe[0]!).format, undefined);
    assert.throws(() => plugin.connections(testConfig('coinone', { options: { format: 'tiny' } })), { code: 'CONFIG_INVALID' });
    assert.equal(plugin.connections(testConfig('coinone', { options: { keepAliveMs: 5000 } }))[0]!.keepAlive!.intervalMs, 5000);
    assert.throws(() => plugin.connections(testConfig('coinone', { options: { keepAliveMs: 1_800_000 } })), { code: 'CONFIG_INVALID' });
  });

  it('names markets KRW-BTC and rejects symbols that are not BASE/QUOTE', () => {
    assert.equal(plugin.marketCode('BTC/KRW', testConfig('coinone')), 'KRW-BTC');
    assert.throws(() => plugin.marketCode('BTCKRW', testConfig('coinone')), { code: 'PLUGIN_SYMBOL_INVALID' });
  });

  it('answers nothing to PONG and SUBSCRIBED, and reports ERROR frames as exchange errors', () => {
    const mapper = plugin.connections(testConfig('coinone'))[0]!.createMapper();
    const { out, drafts } = capture();
    mapper.onMessage('{"response_type":"PONG"}', 1, out);
    mapper.onMessage('{"response_type":"SUBSCRIBED","channel":"TICKER","data":{"quote_currency":"KRW","target_currency":"BTC"}}', 1, out);
    assert.equal(drafts.length, 0);
    assert.throws(() => mapper.onMessage('{"response_type":"ERROR","error_code":160012,"message":"Invalid Topic"}', 1, out), {
      code: 'EXCHANGE_ERROR', message: /160012: Invalid Topic/,
    });
  });

  it('never publishes a book older than the last one, and a bad book does not disturb the next', () => {
    const mapper = plugin.connections(testConfig('coinone'))[0]!.createMapper();
    const { out, drafts } = capture();
    const book = (id: string, ask: string, bid: string) =>
      JSON.stringify({ r: 'DATA', c: 'ORDERBOOK', d: { qc: 'KRW', tc: 'BTC', t: 1764578400000, i: id, a: [{ p: ask, q: '1' }], b: [{ p: bid, q: '1' }] } });
    mapper.onMessage(book('1764578400000002', '101', '100'), 1, out);
    mapper.onMessage(book('1764578400000001', '102', '100'), 1, out);
    assert.throws(() => mapper.onMessage(book('1764578400000003', '99', '100'), 1, out), { code: 'BAD_FRAME' });
    mapper.onMessage(book('1764578400000004', '103', '100'), 1, out);
    assert.deepEqual(drafts.map((d) => (d as { obu: { ap: number }[] }).obu[0]!.ap), [101, 103]);
  });

  it('lists tradable KRW markets with unified upper-case symbols and aliases applied', () => {
    const body = JSON.stringify({
      result: 'success', error_code: '0', server_time: 1764578400000,
      markets: [
        { quote_currency: 'KRW', target_currency: 'BTC', price_unit: '1000', qty_unit: '0.00000001', trade_status: 1, maintenance_status: 0 },
        { quote_currency: 'KRW', target_currency: 'eth', trade_status: 1, maintenance_status: 0 },
        { quote_currency: 'KRW', target_currency: 'OLD', trade_status: 0, maintenance_status: 0 },
        { quote_currency: 'KRW', target_currency: 'BAD-NAME', trade_status: 1 },
        'junk',
      ],
    });
    assert.deepEqual(COINONE_MARKETS.parse(body), [
      { symbol: 'BTC/KRW', code: 'KRW-BTC' },
      { symbol: 'ETH/KRW', code: 'KRW-eth' },
    ]);
    assert.equal(COINONE_MARKETS.url(testConfig('coinone', { restUrl: 'https://api.coinone.co.kr/' })), 'https://api.coinone.co.kr/public/v2/markets/KRW');
    assert.throws(() => COINONE_MARKETS.parse('{"result":"error","error_code":"4"}'), { code: 'BAD_FRAME', message: /error_code 4/ });
    assert.throws(() => COINONE_MARKETS.parse('<html>'), { code: 'BAD_FRAME' });
  });
});
