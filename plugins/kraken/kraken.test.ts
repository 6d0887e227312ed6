// Kraken plugin beyond the shared contract (which replays the fixtures): the checksum over our book copy,
// resynchronization on a mismatch, keep-alive and error frames, and the AssetPairs market list under the alias rule.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ASSET_ALIASES, DepthBook, errorCode, isSymbol } from '../../sdk/index.ts';
import type { Draft, Output, RecordType } from '../../sdk/index.ts';
import { fixtureFile, readFixture, testConfig } from '../../sdk/testing/index.ts';
import { checksumOf } from './books.ts';
import plugin from './index.ts';
import { parseAssetPairs } from './markets.ts';
import { assetPairsBody, createPair, defaultPairs } from './sim-markets.ts';
import { bookDepth, subscribeFrames } from './wire.ts';

const fixture = (name: string) => readFixture(fixtureFile('kraken', name));
type FrameLine = { rtms: number; frame: string };
const frames = (name: string) => fixture(name).filter((l): l is FrameLine => 'frame' in l);

/** an Output that keeps everything the mapper did */
function recorder() {
  const log = { drafts: [] as Draft[], sent: [] as string[], invalidated: [] as string[], requests: [] as string[] };
  const out: Output = {
    emit: (d) => log.drafts.push(d),
    request: (tag) => log.requests.push(tag),
    send: (f) => log.sent.push(f),
    rollover: () => {},
    invalidate: (ty: RecordType, cd: string) => log.invalidated.push(`${ty}|${cd}`),
  };
  return { log, out };
}

const mapperFor = (symbols: string[], channels: RecordType[] = ['ticker', 'trade', 'orderbook'], depth = 10) =>
  plugin.connections(testConfig('kraken', { symbols, channels, depth }))[0]!.createMapper();

describe('kraken book checksum', () => {
  it('is computed over our copy of the book at the pair precision, as Kraken computes it', () => {
    // the fixture's snapshot; its checksum was checked against an independent CRC32 (Python's zlib) of the text
    // Kraken's rule builds from the literals as sent
    const frame = JSON.parse(frames('book').find((f) => f.frame.startsWith('{"channel":"book"'))!.frame).data[0];
    assert.equal(frame.checksum, 2976983799);
    const book = new DepthBook();
    for (const l of frame.asks) book.setAsk(l.price, l.qty);
    for (const l of frame.bids) book.setBid(l.price, l.qty);
    assert.equal(checksumOf(book, { price: 1, qty: 8 }), 2976983799);
    assert.notEqual(checksumOf(book, { price: 2, qty: 8 }), 2976983799, 'the precision is part of the text');
  });

  it('covers the top ten levels only', () => {
    const book = new DepthBook();
    for (let i = 0; i < 10; i++) {
      book.setAsk(100 + i, 1);
      book.setBid(99 - i, 2);
    }
    const ten = checksumOf(book, { price: 1, qty: 8 });
    book.setAsk(200, 5);
    book.setBid(1, 5);
    assert.equal(checksumOf(book, { price: 1, qty: 8 }), ten);
  });
});

describe('kraken book synchronization', () => {
  const lines = () => fixture('book-checksum-mismatch');

  it('on a checksum mismatch invalidates the key, resubscribes it, and publishes the next snapshot', () => {
    const mapper = mapperFor(['BTC/USD'], ['orderbook']);
    const { log, out } = recorder();
    for (const l of lines()) if ('frame' in l) mapper.onMessage(l.frame, l.rtms, out);
    assert.deepEqual(log.invalidated, ['orderbook|BTC/USD']);
    const sent = log.sent.map((f) => JSON.parse(f));
    assert.deepEqual(sent.map((f) => [f.method, f.params.channel, f.params.symbol, f.params.depth]), [
      ['unsubscribe', 'book', ['BTC/USD'], 10],
      ['subscribe', 'book', ['BTC/USD'], 10],
    ]);
    // the snapshot before the mismatch, the fresh one after it, and the update on top of that; nothing in between
    assert.equal(log.drafts.length, 3);
    const last = log.drafts[2] as { obu: { bp?: number; bs?: number }[] };
    assert.equal(last.obu[0]!.bp, 96999.9);
    assert.equal(last.obu[0]!.bs, 0.2);
  });

  it('asks for a fresh snapshot once, and ignores updates until it arrives', () => {
    const mapper = mapperFor(['BTC/USD'], ['orderbook']);
    const { log, out } = recorder();
    const [instrument, snapshot, bad, next] = lines().filter((l) => 'frame' in l) as { rtms: number; frame: string }[];
    mapper.onMessage(instrument!.frame, instrument!.rtms, out);
    mapper.onMessage(snapshot!.frame, snapshot!.rtms, out);
    mapper.onMessage(bad!.frame, bad!.rtms, out);
    mapper.onMessage(next!.frame, next!.rtms, out);
    mapper.onMessage(bad!.frame, bad!.rtms, out);
    assert.equal(log.sent.length, 2, 'one unsubscribe and one subscribe');
    assert.deepEqual(log.invalidated, ['orderbook|BTC/USD']);
    assert.equal(log.drafts.length, 1, 'nothing from a book that is being rebuilt');
  });

  it('asks again when the fresh snapshot does not come within 10 s (heartbeats move the clock)', () => {
    const mapper = mapperFor(['BTC/USD'], ['orderbook']);
    const { log, out } = recorder();
    const [instrument, snapshot, bad] = lines().filter((l) => 'frame' in l) as { rtms: number; frame: string }[];
    for (const l of [instrument!, snapshot!, bad!]) mapper.onMessage(l.frame, l.rtms, out);
    assert.equal(log.sent.length, 2);
    mapper.onMessage('{"channel":"heartbeat"}', bad!.rtms + 5_000, out);
    assert.equal(log.sent.length, 2, 'not before the timeout');
    mapper.onMessage('{"channel":"heartbeat"}', bad!.rtms + 10_500, out);
    assert.equal(log.sent.length, 4, 'unsubscribe + subscribe again');
    mapper.onMessage(snapshot!.frame, bad!.rtms + 11_000, out);
    mapper.onMessage('{"channel":"heartbeat"}', bad!.rtms + 30_000, out);
    assert.equal(log.sent.length, 4, 'nothing more once the snapshot came');
    assert.equal(log.drafts.length, 2);
  });

  it('publishes a book whose pair precision is not known yet without verifying it, and verifies once it is', () => {
    const mapper = mapperFor(['BTC/USD'], ['orderbook']);
    const { log, out } = recorder();
    const [instrument, snapshot, bad] = lines().filter((l) => 'frame' in l) as { rtms: number; frame: string }[];
    mapper.onMessage(snapshot!.frame, snapshot!.rtms, out);
    mapper.onMessage(bad!.frame, bad!.rtms, out);
    assert.equal(log.invalidated.length, 0, 'no precision, no verdict');
    mapper.onMessage(instrument!.frame, instrument!.rtms, out);
    mapper.onMessage(bad!.frame, bad!.rtms + 1, out);
    assert.deepEqual(log.invalidated, ['orderbook|BTC/USD']);
  });

  it('subscribes the smallest Kraken depth covering N, and instruments before books', () => {
    assert.deepEqual([1, 10, 11, 15, 25, 26, 200, 5000].map(bookDepth), [10, 10, 25, 25, 25, 100, 500, 1000]);
    const frames = subscribeFrames(testConfig('kraken', { symbols: ['BTC/USD'], channels: ['trade', 'orderbook'], depth: 15 }), ['BTC/USD']);
    assert.deepEqual(frames.map((f) => JSON.parse(f).params), [
      { channel: 'instrument', snapshot: true },
      { channel: 'trade', snapshot: false, symbol: ['BTC/USD'] },
      { channel: 'book', depth: 25, snapshot: true, symbol: ['BTC/USD'] },
    ]);
  });

  it('splits many symbols over connections and frames', () => {
    const symbols = defaultPairs();
    const plans = plugin.connections(testConfig('kraken', { symbols, channels: ['ticker', 'trade', 'orderbook'], depth: 15 }));
    assert.equal(plans.length, Math.ceil(symbols.length / 250));
    const subscribed = plans.flatMap((p) => p.subscribe.map((f) => JSON.parse(f)).filter((f) => f.params.channel === 'book').flatMap((f) => f.params.symbol));
    assert.deepEqual(subscribed.sort(), [...symbols].sort());
    for (const p of plans) for (const f of p.subscribe) assert.ok(JSON.parse(f).params.symbol === undefined || JSON.parse(f).params.symbol.length <= 50);
  });
});

describe('kraken keep-alive and errors', () => {
  it('keeps the connection alive with an application ping every 30 s, and ignores pongs and heartbeats', () => {
    const plan = plugin.connections(testConfig('kraken', { symbols: ['BTC/USD'] }))[0]!;
    assert.deepEqual(plan.keepAlive, { intervalMs: 30_000, frame: '{"method":"ping"}' });
    const { log, out } = recorder();
    const mapper = plan.createMapper();
    mapper.onMessage('{"method":"pong","req_id":1,"time_in":"2024-12-01T12:00:00.000001Z","time_out":"2024-12-01T12:00:00.000002Z"}', 1, out);
    mapper.onMessage('{"channel":"heartbeat"}', 1, out);
    mapper.onMessage('{"channel":"status","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.10"}],"type":"update"}', 1, out);
    assert.deepEqual(log, { drafts: [], sent: [], invalidated: [], requests: [] });
  });

  it('reports a refused request as the exchange error, and a frame it cannot read as a bad frame', () => {
    const mapper = mapperFor(['BTC/USD']);
    const { out } = recorder();
    const codeOf = (frame: string) => {
      try {
        mapper.onMessage(frame, 1_733_055_000_000, out);
        return 'none';
      } catch (err) {
        return errorCode(err);
      }
    };
    assert.equal(codeOf('{"error":"Currency pair not supported FOO/USD","method":"subscribe","success":false,"symbol":"FOO/USD"}'), 'EXCHANGE_ERROR');
    assert.equal(codeOf('{"error":"Exceeded msg rate","method":"subscribe","success":false}'), 'EXCHANGE_ERROR');
    assert.equal(codeOf('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":"x","qty":1}],"asks":[],"checksum":1}]}'), 'BAD_FRAME');
    assert.equal(codeOf('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":-1,"timestamp":"2024-12-01T12:00:00Z"}]}'), 'BAD_FRAME');
    assert.equal(codeOf('{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","last":1,"timestamp":"yesterday"}]}'), 'BAD_FRAME');
    assert.equal(codeOf('{"channel":"spread","type":"update","data":[]}'), 'BAD_FRAME');
    assert.equal(codeOf('[1,2'), 'BAD_FRAME');
  });

  it('a malformed book update leaves the book as it was', () => {
    const mapper = mapperFor(['BTC/USD'], ['orderbook']);
    const { log, out } = recorder();
    const all = frames('book');
    const instrument = all.find((f) => f.frame.startsWith('{"channel":"instrument"'))!;
    const snapshot = all.find((f) => f.frame.startsWith('{"channel":"book","type":"snapshot"'))!;
    const update = all.find((f) => f.frame.startsWith('{"channel":"book","type":"update"'))!;
    mapper.onMessage(instrument.frame, instrument.rtms, out);
    mapper.onMessage(snapshot.frame, snapshot.rtms, out);
    assert.throws(() => mapper.onMessage(update.frame.replace('"qty":0.12000000', '"qty":-1'), update.rtms, out));
    mapper.onMessage(update.frame, update.rtms, out);
    assert.equal(log.invalidated.length, 0, 'the valid update still matches its checksum');
    assert.equal(log.drafts.length, 2);
  });
});

describe('kraken market list', () => {
  const REST_SAMPLE = JSON.stringify({
    error: [],
    result: {
      XXBTZUSD: { altname: 'XBTUSD', wsname: 'XBT/USD', base: 'XXBT', quote: 'ZUSD', pair_decimals: 1, lot_decimals: 8, status: 'online' },
      XDGUSD: { altname: 'XDGUSD', wsname: 'XDG/USD', base: 'XXDG', quote: 'ZUSD', pair_decimals: 7, lot_decimals: 8, status: 'online' },
      XETHXXBT: { altname: 'ETHXBT', wsname: 'ETH/XBT', base: 'XETH', quote: 'XXBT', pair_decimals: 5, lot_decimals: 8, status: 'post_only' },
      SOLEUR: { altname: 'SOLEUR', wsname: 'SOL/EUR', base: 'SOL', quote: 'ZEUR', pair_decimals: 2, lot_decimals: 8, status: 'online' },
      LUNAUSD: { altname: 'LUNAUSD', wsname: 'LUNA/USD', base: 'LUNA', quote: 'ZUSD', status: 'cancel_only' },
      'XXBTZUSD.d': { altname: 'XBTUSD.d', base: 'XXBT', quote: 'ZUSD' },
    },
  });

  it('gives unified symbols with the alias rule (XBT → BTC, XDG → DOGE), v2 codes equal to them', () => {
    assert.deepEqual(plugin.markets!.parse(REST_SAMPLE), [
      { symbol: 'BTC/USD', code: 'BTC/USD' },
      { symbol: 'DOGE/USD', code: 'DOGE/USD' },
      { symbol: 'ETH/BTC', code: 'ETH/BTC' },
      { symbol: 'SOL/EUR', code: 'SOL/EUR' },
    ]);
    assert.equal(plugin.markets!.url(testConfig('kraken', { restUrl: 'https://api.kraken.com/' })), 'https://api.kraken.com/0/public/AssetPairs');
  });

  it('reads the simulator list: a few hundred upper-case BASE/QUOTE symbols, none with an aliased name', () => {
    const pairs = defaultPairs().map((s) => createPair(s, 1, 1, 1_733_055_000_000));
    const list = parseAssetPairs(assetPairsBody(pairs));
    assert.ok(list.length >= 300, `${list.length} pairs`);
    assert.deepEqual(list.map((p) => p.symbol).sort(), [...defaultPairs()].sort());
    for (const { symbol, code } of list) {
      assert.ok(isSymbol(symbol) && symbol === symbol.toUpperCase(), symbol);
      assert.equal(code, symbol);
      for (const asset of symbol.split('/')) assert.equal(ASSET_ALIASES[asset], undefined, `${symbol} keeps an aliased name`);
    }
  });

  it('refuses an answer it cannot read, or one carrying Kraken errors', () => {
    for (const body of ['<html>', '[]', '{"error":["EGeneral:Too many requests"]}', '{"error":[],"result":[]}']) {
      assert.throws(() => plugin.markets!.parse(body), (err: unknown) => errorCode(err) === 'BAD_FRAME', body);
    }
  });
});
