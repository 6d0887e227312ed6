// Upbit plugin behaviour beyond the shared contract: the subscription request, format equivalence, exact ids, rejects.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import upbit from './index.ts';
import { GatewayError } from '../../sdk/errors.ts';
import type { PluginConfig } from '../../sdk/plugin.ts';
import { fixtureFile, readFixture, replay, testConfig } from '../../sdk/testing/replay.ts';
import type { FixtureLine } from '../../sdk/testing/replay.ts';

function request(overrides: Partial<PluginConfig> = {}): unknown[] {
  const plans = upbit.connections(testConfig('upbit', overrides));
  assert.equal(plans.length, 1);
  assert.equal(plans[0]!.subscribe.length, 1, 'one frame: each request replaces the previous one');
  return JSON.parse(plans[0]!.subscribe[0]!) as unknown[];
}

/** replays frames (all at one receive time) through a fresh mapper */
function run(frames: string[], config: Partial<PluginConfig> = { symbols: ['BTC/KRW', 'ETH/KRW'] }) {
  const lines: FixtureLine[] = [{ config }, ...frames.map((frame) => ({ rtms: 1_706_498_660_000, frame }))];
  return replay(upbit, lines);
}

const TRADE = {
  ty: 'trade', cd: 'KRW-BTC', tms: 1706498658861, td: '2024-01-29', ttm: '03:24:18', ttms: 1706498658830,
  tp: 58250000.0, tv: 0.00171674, ab: 'ASK', pcp: 57800000.0, c: 'RISE', cp: 450000.0, sid: 1706498658830000, st: 'REALTIME',
};
const BOOK = {
  ty: 'orderbook', cd: 'KRW-BTC', tms: 1706498658899, tas: 1.5, tbs: 0.7,
  obu: [{ ap: 58251000, as: 1, bp: 58250000, bs: 0.5 }, { ap: 58252000, as: 0.5, bp: 58249000, bs: 0.2 }], st: 'REALTIME', lv: 0,
};
const json = (o: unknown) => JSON.stringify(o);

describe('upbit subscription', () => {
  it('sends one request array: a ticket, every configured type for every code, and the SIMPLE format', () => {
    const req = request({ symbols: ['BTC/KRW', 'ETH/KRW'] });
    assert.match((req[0] as { ticket: string }).ticket, /^gateway-upbit-[0-9a-f]{8}$/);
    assert.deepEqual(req.slice(1), [
      { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] },
      { type: 'trade', codes: ['KRW-BTC', 'KRW-ETH'] },
      { type: 'orderbook', codes: ['KRW-BTC.15', 'KRW-ETH.15'] },
      { format: 'SIMPLE' },
    ]);
  });

  it('asks for the smallest orderbook size that covers the depth, and 30 when more is configured', () => {
    const cases: [number, string][] = [[1, '.1'], [2, '.5'], [5, '.5'], [6, '.15'], [15, '.15'], [16, '.30'], [30, '.30'], [50, '.30']];
    for (const [depth, suffix] of cases) {
      const book = request({ depth, channels: ['orderbook'] })[1] as { codes: string[] };
      assert.deepEqual(book.codes, [`KRW-BTC${suffix}`], `depth ${depth}`);
    }
  });

  it('subscribes only the configured channels', () => {
    assert.deepEqual(request({ channels: ['trade'] }).slice(1), [{ type: 'trade', codes: ['KRW-BTC'] }, { format: 'SIMPLE' }]);
  });

  it('derives the ticket from the subscription: the same set gives the same ticket, another set another', () => {
    const ticket = (o: Partial<PluginConfig>) => (request(o)[0] as { ticket: string }).ticket;
    assert.equal(ticket({ symbols: ['BTC/KRW'] }), ticket({ symbols: ['BTC/KRW'] }));
    assert.notEqual(ticket({ symbols: ['BTC/KRW'] }), ticket({ symbols: ['ETH/KRW'] }));
  });

  it('connects to the configured url and pings every 30 seconds', () => {
    const [plan] = upbit.connections(testConfig('upbit', { url: 'ws://127.0.0.1:7001/websocket/v1' }));
    assert.equal(plan!.name, 'main');
    assert.equal(plan!.url, 'ws://127.0.0.1:7001/websocket/v1');
    assert.deepEqual(plan!.keepAlive, { intervalMs: 30_000 });
  });

  it('names Upbit production endpoints and QUOTE-BASE market codes, and refuses other symbol shapes', () => {
    assert.deepEqual(upbit.defaultUrls({}), { url: 'wss://api.upbit.com/websocket/v1', restUrl: 'https://api.upbit.com' });
    assert.equal(upbit.marketCode('BTC/KRW', testConfig('upbit')), 'KRW-BTC');
    assert.equal(upbit.marketCode('DOGE/BTC', testConfig('upbit')), 'BTC-DOGE');
    for (const bad of ['KRW-BTC', 'btc/krw', 'BTC', 'BTC/KRW/X']) {
      assert.throws(() => upbit.marketCode(bad, testConfig('upbit')), GatewayError, bad);
    }
  });
});

describe('upbit mapping', () => {
  it('maps DEFAULT and SIMPLE frames of the same messages to identical records', () => {
    for (const kind of ['ticker', 'trade', 'orderbook']) {
      const simple = replay(upbit, readFixture(fixtureFile('upbit', `${kind}-simple`)));
      const dflt = replay(upbit, readFixture(fixtureFile('upbit', `${kind}-default`)));
      assert.ok(simple.records.length >= 2, kind);
      assert.deepEqual(dflt, simple, kind);
    }
  });

  it('keeps a trade id beyond 2^53 exact, whether it arrives as a JSON number or a string', () => {
    const big = '{"ty":"trade","cd":"KRW-BTC","ttms":1706498658830,"tp":58250000.0,"tv":0.1,"ab":"BID","sid":9007199254740993}';
    const str = json({ ...TRADE, sid: '123456789012345678901' });
    const spaced = '{"type":"trade","code":"KRW-BTC","trade_timestamp":1706498658830,"trade_price":1.5,"trade_volume":2,"ask_bid":"ASK","sequential_id" : 17064986588300000123 }';
    const r = run([big, str, spaced]);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.records.map((x) => (x as { sid?: string }).sid), ['9007199254740993', '123456789012345678901', '17064986588300000123']);
  });

  it('rejects a trade id that is not an integer literal rather than rounding it', () => {
    assert.deepEqual(run([json({ ...TRADE, sid: 1.5 }), json({ ...TRADE, sid: -7 }), json({ ...TRADE, sid: '' })]).errors, [
      'BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME',
    ]);
  });

  it('maps a trade without an id (absent or null, as Upbit writes a missing value) to a record without sid', () => {
    const { sid: _sid, ...bare } = TRADE;
    const { records, errors } = run([json(bare), json({ ...TRADE, sid: null })]);
    assert.deepEqual(errors, []);
    assert.equal(records.length, 2);
    for (const r of records) assert.equal('sid' in r, false);
  });

  it('takes a trade time from trade_timestamp and a ticker time from timestamp', () => {
    const [trade] = run([json(TRADE)]).records;
    assert.equal(trade!.tms, TRADE.ttms);
  });

  it('strips an orderbook size suffix from the code', () => {
    const [rec] = run([json({ ...BOOK, cd: 'KRW-BTC.15' })]).records;
    assert.equal(rec!.mc, 'KRW-BTC');
    assert.equal(rec!.cd, 'BTC/KRW');
  });

  it('leaves out the side of a unit that has run out, and sums only the sizes it keeps', () => {
    const thin = { ...BOOK, obu: [{ ap: 58251000, as: 1, bp: 58250000, bs: 0.5 }, { ap: 58252000, as: 0.5, bp: 0, bs: 0 }, { ap: 58253000, as: 0.25 }] };
    const [rec] = run([json(thin)]).records;
    assert.deepEqual(rec, {
      ty: 'orderbook', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: 1706498658899,
      obu: [{ ap: 58251000, as: 1, bp: 58250000, bs: 0.5 }, { ap: 58252000, as: 0.5 }, { ap: 58253000, as: 0.25 }],
      tas: 1.75, tbs: 0.5, rtms: 1_706_498_660_000, ep: 1, sq: 1,
    });
  });

  it('leaves out a ticker field sent as null and never writes null', () => {
    const ticker = { ty: 'ticker', cd: 'KRW-BTC', tp: 58250000.0, op: null, hp: 58400000.0, tms: 1706498658861, dd: null, st: 'SNAPSHOT' };
    const [rec] = run([json(ticker)]).records;
    assert.deepEqual(rec, { ty: 'ticker', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tp: 58250000, hp: 58400000, tms: 1706498658861, rtms: 1_706_498_660_000, ep: 1, sq: 1 });
  });

  it('rejects as BAD_FRAME what it cannot map faithfully, and maps the next good frame as usual', () => {
    const bad = [
      json({ ...TRADE, cd: 'KRW-XRP' }), // not subscribed
      json({ ...TRADE, tp: undefined }), // missing price
      json({ ...TRADE, tv: '0.1' }), // a string where Upbit sends a number
      json({ ...TRADE, ab: 'SELL' }),
      json({ ...TRADE, tv: 0 }),
      json({ ...TRADE, ttms: undefined }),
      json({ ...BOOK, obu: [{ ap: 58251000, as: 1, bp: 58251000, bs: 0.5 }] }), // crossed
      json({ ...BOOK, obu: [{ ap: 58252000, as: 1 }, { ap: 58251000, as: 1 }] }), // asks out of order
      json({ ...BOOK, obu: [{ ap: 58251000, as: -1 }] }),
      json({ ...BOOK, obu: 'none' }),
      '{"ty":"candle","cd":"KRW-BTC"}',
      '{"ty":"ticker","cd":"KRW-BTC","tp":1e999,"tms":1706498658861}', // parses to Infinity
      'PING',
    ];
    const r = run([...bad, json(TRADE)]);
    assert.deepEqual(r.errors, bad.map(() => 'BAD_FRAME'));
    assert.equal(r.records.length, 1);
    assert.equal((r.records[0] as { sid?: string }).sid, '1706498658830000');
  });

  it('reports an exchange error as EXCHANGE_ERROR and ignores the answer to a PING', () => {
    const r = run(['{"status":"UP"}', '{"error":{"name":"INVALID_PARAM","message":"잘못된 파라미터입니다."}}']);
    assert.deepEqual(r.errors, ['EXCHANGE_ERROR']);
    assert.deepEqual(r.records, []);
  });

  it('maps every message of a _LIST frame, reporting a bad one without dropping the others', () => {
    const r = run([`[${json(TRADE)},${json({ ...TRADE, cd: 'KRW-XRP' })},${json({ ...TRADE, sid: 1706498658830001 })}]`, '[]']);
    assert.deepEqual(r.errors, ['BAD_FRAME', 'BAD_FRAME']);
    assert.deepEqual(r.records.map((x) => (x as { sid?: string }).sid), ['1706498658830000', '1706498658830001']);
  });
});
