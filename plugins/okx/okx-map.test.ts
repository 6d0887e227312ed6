// OKX mapper: fixtures replay to their expected records; book chain, checksum and REST resync; events; market list.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { expectedFile, fixtureFile, fixtureNames, readFixture, replay, testConfig } from '../../sdk/testing/index.ts';
import { okxChecksum } from '../../sdk/index.ts';
import type { Draft, Output, RecordType } from '../../sdk/index.ts';
import plugin from './index.ts';
import { OkxMapper } from './map.ts';
import { parseInstruments } from './markets.ts';
import { bookChannel, connectionGroups, subscribeArgs, subscribeFrames } from './wire.ts';

describe('okx fixtures', () => {
  for (const name of fixtureNames('okx')) {
    it(`replays ${name} to the expected records, requests, frames and errors`, () => {
      const result = replay(plugin, readFixture(fixtureFile('okx', name)));
      const file = expectedFile('okx', name);
      // UPDATE_EXPECTED=okx rewrites the expected files: review every value by hand afterwards.
      if (process.env.UPDATE_EXPECTED === 'okx') writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
      assert.ok(existsSync(file), `missing ${file.pathname}`);
      assert.deepEqual(JSON.parse(JSON.stringify(result)), JSON.parse(readFileSync(file, 'utf8')));
    });
  }
});

/** An Output that keeps everything a mapper does. */
function recorder() {
  const got = { drafts: [] as Draft[], sent: [] as string[], requests: [] as { tag: string; url: string }[], invalidated: [] as string[], rollovers: [] as string[] };
  const out: Output = {
    emit: (d) => void got.drafts.push(d),
    request: (tag, url) => void got.requests.push({ tag, url }),
    send: (f) => void got.sent.push(f),
    rollover: (r) => void got.rollovers.push(r),
    invalidate: (ty: RecordType, cd: string) => void got.invalidated.push(`${ty}|${cd}`),
  };
  return { got, out };
}

const lvl = (p: string, s: string) => [p, s, '0', '1'];
function bookFrame(action: string, bids: string[][], asks: string[][], seqId: number, prevSeqId: number, checksum: number, instId = 'BTC-USDT') {
  return JSON.stringify({ arg: { channel: 'books', instId }, action, data: [{ asks, bids, ts: '1764590400100', checksum, prevSeqId, seqId }] });
}
function cs(bids: string[][], asks: string[][]): number {
  const parts: string[] = [];
  for (let i = 0; i < 25; i++) {
    if (bids[i]) parts.push(`${bids[i]![0]}:${bids[i]![1]}`);
    if (asks[i]) parts.push(`${asks[i]![0]}:${asks[i]![1]}`);
  }
  return zlib.crc32(parts.join(':')) | 0;
}

describe('okx books', () => {
  const config = testConfig('okx', { symbols: ['BTC/USDT'], depth: 10 });
  const bids = [lvl('100.5', '1'), lvl('100.4', '2'), lvl('100.1', '0.5')];
  const asks = [lvl('100.6', '1.5'), lvl('100.8', '3')];

  it('checksums the top levels interleaved bid first, as the SDK computes them', () => {
    assert.equal(okxChecksum([['3366.1', '7'], ['3366', '6']], [['3366.8', '9'], ['3368', '8']]), zlib.crc32('3366.1:7:3366.8:9:3366:6:3368:8') | 0);
  });

  it('keeps a snapshot and the updates chained by prevSeqId, checking every checksum', () => {
    const m = new OkxMapper(config);
    const { got, out } = recorder();
    m.onMessage(bookFrame('snapshot', bids, asks, 100, -1, cs(bids, asks)), 1, out);
    const b2 = [lvl('100.5', '1'), lvl('100.4', '2'), lvl('100.2', '4'), lvl('100.1', '0.5')];
    m.onMessage(bookFrame('update', [lvl('100.2', '4')], [], 104, 100, cs(b2, asks)), 2, out);
    assert.equal(got.drafts.length, 2);
    assert.deepEqual((got.drafts[1] as { obu: unknown[] }).obu[2], { bp: 100.2, bs: 4 });
    assert.equal(m.bookOf('BTC/USDT')!.checksumText(), '100.5:1:100.6:1.5:100.4:2:100.8:3:100.2:4:100.1:0.5');
    assert.deepEqual(got.invalidated, []);
  });

  it('on a checksum mismatch invalidates the key, resubscribes its book, and publishes the next snapshot', () => {
    const m = new OkxMapper(config);
    const { got, out } = recorder();
    m.onMessage(bookFrame('snapshot', bids, asks, 100, -1, cs(bids, asks)), 1, out);
    m.onMessage(bookFrame('update', [lvl('100.2', '4')], [], 104, 100, 12345), 2, out);
    assert.deepEqual(got.invalidated, ['orderbook|BTC/USDT']);
    assert.deepEqual(got.sent.map((f) => JSON.parse(f)), [
      { op: 'unsubscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] },
      { op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] },
    ]);
    assert.equal(got.drafts.length, 1, 'nothing from the bad book');
    // updates of the old subscription are dropped until the new one is acknowledged
    m.onMessage(bookFrame('update', [], [lvl('100.7', '1')], 108, 104, 0), 3, out);
    assert.equal(got.requests.length, 0);
    m.onMessage(JSON.stringify({ event: 'subscribe', arg: { channel: 'books', instId: 'BTC-USDT' }, connId: 'x' }), 4, out);
    m.onMessage(bookFrame('snapshot', bids, asks, 300, -1, cs(bids, asks)), 5, out);
    assert.equal(got.drafts.length, 2);
    assert.equal(m.bookOf('BTC/USDT')!.source, 'ws');
  });

  it('on a seqId gap resynchronizes, and never publishes a crossed book', () => {
    const m = new OkxMapper(config);
    const { got, out } = recorder();
    m.onMessage(bookFrame('snapshot', bids, asks, 100, -1, 0), 1, out);
    m.onMessage(bookFrame('update', [], [lvl('100.7', '1')], 110, 105, 0), 2, out);
    assert.deepEqual(got.invalidated, ['orderbook|BTC/USDT']);
    m.onMessage(JSON.stringify({ event: 'subscribe', arg: { channel: 'books', instId: 'BTC-USDT' } }), 3, out);
    m.onMessage(bookFrame('snapshot', bids, asks, 200, -1, 0), 4, out);
    m.onMessage(bookFrame('update', [lvl('100.9', '1')], [], 201, 200, 0), 5, out);
    assert.equal(got.invalidated.length, 2, 'a crossed result is a resync too');
    assert.equal(got.drafts.length, 2);
  });

  it('accepts a keep-alive update (seqId = prevSeqId) and a sequence reset (seqId < prevSeqId)', () => {
    const m = new OkxMapper(config);
    const { got, out } = recorder();
    m.onMessage(bookFrame('snapshot', bids, asks, 100, -1, 0), 1, out);
    m.onMessage(bookFrame('update', [], [], 100, 100, 0), 2, out);
    m.onMessage(bookFrame('update', [lvl('100.2', '4')], [], 7, 100, 0), 3, out);
    m.onMessage(bookFrame('update', [lvl('100.2', '0')], [], 9, 7, 0), 4, out);
    assert.deepEqual(got.invalidated, []);
    // the snapshot and both updates after the reset are published (the keep-alive changes nothing)
    assert.equal(got.drafts.length, 3);
    assert.deepEqual((got.drafts[1] as { obu: unknown[] }).obu[2], { bp: 100.2, bs: 4 });
    assert.equal(m.bookOf('BTC/USDT')!.synced, true);
  });

  it('synchronizes over REST when the stream starts with updates, asking once', () => {
    const m = new OkxMapper(testConfig('okx', { symbols: ['BTC/USDT'], depth: 10, restUrl: 'http://rest.test' }));
    const { got, out } = recorder();
    m.onMessage(bookFrame('update', [lvl('100.4', '2')], [], 50, 45, 0), 1, out);
    m.onMessage(bookFrame('update', [lvl('100.2', '4')], [], 55, 50, 0), 2, out);
    assert.deepEqual(got.requests, [{ tag: 'book:BTC-USDT', url: 'http://rest.test/api/v5/market/books?instId=BTC-USDT&sz=400' }]);
    // too old a snapshot (before the first buffered update's prevSeqId): asked again
    const body = (seqId: number) => JSON.stringify({ code: '0', msg: '', data: [{ asks, bids, ts: '1764590400000', seqId }] });
    m.onResponse('book:BTC-USDT', { status: 200, body: body(40) }, 3, out);
    assert.equal(got.requests.length, 2);
    m.onResponse('book:BTC-USDT', { status: 200, body: body(50) }, 4, out);
    assert.equal(got.drafts.length, 1);
    assert.deepEqual((got.drafts[0] as { obu: unknown[] }).obu.length, 4, 'the snapshot plus the bridging update');
    m.onMessage(bookFrame('update', [lvl('100.3', '1')], [], 60, 55, 0), 5, out);
    assert.equal(got.drafts.length, 2);
  });

  it('leaves the book untouched by a malformed update', () => {
    const m = new OkxMapper(config);
    const { got, out } = recorder();
    m.onMessage(bookFrame('snapshot', bids, asks, 100, -1, cs(bids, asks)), 1, out);
    assert.throws(() => m.onMessage(bookFrame('update', [lvl('100.2', 'x')], [], 101, 100, 0), 2, out), { code: 'BAD_FRAME' });
    m.onMessage(bookFrame('update', [lvl('100.2', '4')], [], 101, 100, 0), 3, out);
    assert.deepEqual(got.invalidated, []);
  });
});

describe('okx wire', () => {
  it('picks books5 for depth up to 5 and books above, unless option book says', () => {
    assert.equal(bookChannel(testConfig('okx', { depth: 5 })), 'books5');
    assert.equal(bookChannel(testConfig('okx', { depth: 6 })), 'books');
    assert.equal(bookChannel(testConfig('okx', { depth: 3, options: { book: 'books' } })), 'books');
    assert.throws(() => bookChannel(testConfig('okx', { options: { book: 'books50-l2-tbt' } })), { code: 'CONFIG_INVALID' });
  });

  it('subscribes every channel of every market, spreading large sets over connections and frames', () => {
    const symbols = Array.from({ length: 700 }, (_, i) => `C${i}/USDT`);
    const config = testConfig('okx', { symbols });
    const args = subscribeArgs(config);
    assert.equal(args.length, 2100);
    const groups = connectionGroups(args, 600);
    assert.deepEqual(groups.map((g) => g.length), [600, 600, 600, 300]);
    const frames = subscribeFrames(groups[0]!);
    assert.ok(frames.length >= 1 && frames.every((f) => f.length < 64 * 1024));
    assert.equal(frames.flatMap((f) => JSON.parse(f).args).length, 600);
    const plans = plugin.connections(config);
    assert.equal(plans.length, 4);
    assert.deepEqual(plans[0]!.keepAlive, { intervalMs: 15_000, frame: 'ping' });
    assert.throws(() => plugin.marketCode('btc-usdt', config), { code: 'PLUGIN_SYMBOL_INVALID' });
    assert.equal(plugin.marketCode('BTC/USDT', config), 'BTC-USDT');
  });
});

describe('okx market list', () => {
  it('lists live spot instruments as upper-case unified symbols with their instIds, aliases applied', () => {
    const body = JSON.stringify({
      code: '0',
      msg: '',
      data: [
        { instType: 'SPOT', instId: 'BTC-USDT', baseCcy: 'BTC', quoteCcy: 'USDT', state: 'live' },
        { instType: 'SPOT', instId: 'ETH-BTC', baseCcy: 'eth', quoteCcy: 'btc', state: 'live' },
        { instType: 'SPOT', instId: 'XBT-EUR', baseCcy: 'XBT', quoteCcy: 'EUR', state: 'live' },
        { instType: 'SPOT', instId: 'NEW-USDT', baseCcy: 'NEW', quoteCcy: 'USDT', state: 'preopen' },
        { instType: 'SPOT', instId: 'OLD-USDT', baseCcy: 'OLD', quoteCcy: 'USDT', state: 'suspend' },
        { instType: 'SWAP', instId: 'BTC-USDT-SWAP', baseCcy: '', quoteCcy: '', state: 'live' },
        { instType: 'SPOT', instId: 'BAD', baseCcy: 'B/A', quoteCcy: 'D', state: 'live' },
      ],
    });
    assert.deepEqual(parseInstruments(body), [
      { symbol: 'BTC/USDT', code: 'BTC-USDT' },
      { symbol: 'ETH/BTC', code: 'ETH-BTC' },
      { symbol: 'BTC/EUR', code: 'XBT-EUR' },
    ]);
    assert.equal(plugin.markets!.url(testConfig('okx', { restUrl: 'https://www.okx.com/' })), 'https://www.okx.com/api/v5/public/instruments?instType=SPOT');
    assert.throws(() => parseInstruments('{"code":"50011","msg":"Too Many Requests","data":[]}'), { code: 'EXCHANGE_ERROR' });
    assert.throws(() => parseInstruments('<html>'), { code: 'BAD_FRAME' });
  });
});
