// The SDK's field readers (sdk/readers.ts) and symbol tables (sdk/symbols.ts): what they accept, what they reject
// as BAD_FRAME / PLUGIN_SYMBOL_INVALID, and the exact values they give.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bool, clip, eachItem, exactId, integer, isObject, levels, marketCode, msFromEpoch, nonNegative, num, oneOf,
  needsQuotedIds, optExactId, optInteger, optNonNegative, optNum, optPercentToFraction, optPositive, optStr, optTimeMs,
  percentToFraction, positive, quoteIds, str, symbolTable, timeMs,
} from '../../sdk/index.ts';
import type { CodeFormat, Json } from '../../sdk/index.ts';
import { mulberry32 } from '../../sim/prng.ts';

const W = 'test frame';
const badFrame = { code: 'BAD_FRAME' };
const one = (v: unknown): Json => ({ k: v });

describe('number readers', () => {
  it('read JSON numbers and plain decimal strings alike, and never give -0', () => {
    assert.equal(num(one(1.5), 'k', W), 1.5);
    assert.equal(num(one('68250.01000000'), 'k', W), 68250.01);
    assert.equal(num(one('-1.234'), 'k', W), -1.234);
    for (const zero of [-0, '-0', '-0.00', '0']) assert.ok(Object.is(num(one(zero), 'k', W), 0), String(zero));
  });

  it('give exactly the double Number() gives for random decimal strings, short and long', () => {
    const r = mulberry32(5);
    for (let i = 0; i < 50_000; i++) {
      let s = String(Math.floor(r() * 10 ** Math.floor(r() * 12)));
      if (r() < 0.8) s += `.${String(Math.floor(r() * 1e12)).padStart(Math.floor(r() * 14) + 1, '0')}`;
      if (r() < 0.3) s = `-${s}`;
      assert.ok(Object.is(num(one(s), 'k', W), Number(s) + 0), s);
    }
  });

  it('reject what is not a plain finite decimal, naming the frame and the field', () => {
    for (const bad of ['', '.', '1.', '.5', '1e3', '+1', ' 1', '1 ', '--1', '0x10', 'NaN', 'Infinity', '1'.repeat(31), true, [], {}, Infinity, NaN]) {
      assert.throws(() => num(one(bad), 'k', W), (e: Error & { code?: string }) => e.code === 'BAD_FRAME' && e.message.startsWith(`${W}: k is `), clip(bad));
    }
    assert.throws(() => num({}, 'k', W), /test frame: k is undefined, not present/);
    assert.throws(() => num(one(null), 'k', W), badFrame);
  });

  it('give undefined for an absent or null optional field, and still reject a malformed one', () => {
    for (const read of [optNum, optPositive, optNonNegative, optPercentToFraction, optTimeMs, optInteger]) {
      assert.equal(read({}, 'k', W), undefined);
      assert.equal(read(one(null), 'k', W), undefined);
      assert.throws(() => read(one('x'), 'k', W), badFrame);
    }
  });

  it('refuse the other JSON type when told the form the exchange documents', () => {
    assert.equal(num(one(1.5), 'k', W, 'number'), 1.5);
    assert.throws(() => num(one('1.5'), 'k', W, 'number'), /k is "1.5", not a JSON number/);
    assert.equal(positive(one('1.5'), 'k', W, 'string'), 1.5);
    assert.throws(() => positive(one(1.5), 'k', W, 'string'), /not a decimal string/);
    assert.throws(() => levels(one([[1, 2]]), 'k', W, 'string'), badFrame);
    assert.equal(optNonNegative(one(null), 'k', W, 'number'), undefined);
  });

  it('hold positive above zero and nonNegative at zero or more', () => {
    assert.equal(positive(one('0.00000001'), 'k', W), 1e-8);
    assert.throws(() => positive(one('0'), 'k', W), badFrame);
    assert.throws(() => positive(one(-1), 'k', W), badFrame);
    assert.equal(nonNegative(one('0.000'), 'k', W), 0);
    assert.throws(() => nonNegative(one('-0.5'), 'k', W), badFrame);
    assert.equal(optPositive(one(2), 'k', W), 2);
  });

  it('read integers as non-negative safe JSON integers only', () => {
    assert.equal(integer(one(0), 'k', W), 0);
    assert.equal(integer(one(2 ** 53 - 1), 'k', W), 2 ** 53 - 1);
    for (const bad of [-1, 1.5, 2 ** 53, '5', null]) assert.throws(() => integer(one(bad), 'k', W), badFrame, String(bad));
  });
});

describe('percentToFraction', () => {
  it('moves the decimal point in the text, so the fraction has no binary noise', () => {
    const cases: [unknown, number][] = [
      ['2.345', 0.02345], ['-0.52', -0.0052], ['1.1', 0.011], ['100', 1], ['0', 0], ['-0.00', 0], ['12345.6789', 123.456789],
      ['0.01', 0.0001], [1.1, 0.011], [-3, -0.03],
    ];
    for (const [v, want] of cases) assert.ok(Object.is(percentToFraction(one(v), 'k', W), want), `${String(v)} → ${want}`);
    assert.notEqual(1.1 / 100, 0.011, 'the noise this avoids');
  });

  it('agrees with Number() of the shifted text on random decimals', () => {
    const r = mulberry32(11);
    for (let i = 0; i < 5000; i++) {
      let s = String(Math.floor(r() * 10 ** Math.floor(r() * 10)));
      if (r() < 0.7) s += `.${String(Math.floor(r() * 1e6)).padStart(6, '0')}`;
      if (r() < 0.4) s = `-${s}`;
      const [int, frac = ''] = s.replace('-', '').split('.');
      const digits = int!.padStart(2, '0') + frac;
      const point = digits.length - frac.length - 2;
      const want = Number(`${s.startsWith('-') ? '-' : ''}${digits.slice(0, point) || '0'}.${digits.slice(point)}`) + 0;
      assert.ok(Object.is(percentToFraction(one(s), 'k', W), want), s);
    }
  });

  it('rejects what is not a plain percentage', () => {
    for (const bad of ['', '1e3', '5%', 1e-7, null, true]) assert.throws(() => percentToFraction(one(bad), 'k', W), badFrame, String(bad));
  });
});

describe('exchange times', () => {
  const MS = 1_706_498_658_830;
  it('tell s, ms, µs and ns apart by digit width, numbers and digit strings alike, flooring to ms', () => {
    assert.equal(msFromEpoch(1_706_498_658), 1_706_498_658_000);
    assert.equal(msFromEpoch(MS), MS);
    assert.equal(msFromEpoch(1_706_498_658_830_999), MS);
    assert.equal(msFromEpoch('1706498658'), 1_706_498_658_000);
    assert.equal(msFromEpoch('1706498658830'), MS);
    assert.equal(msFromEpoch('1706498658830999'), MS);
    assert.equal(msFromEpoch('1706498658830999999'), MS, 'a ns string is cut exactly');
    // a ns JSON number is beyond 2^53 (steps of 256 ns): exact only away from a ms boundary, hence strings above
    assert.equal(msFromEpoch(1_706_498_658_830_500_000), MS);
    assert.equal(msFromEpoch(1_706_498_658_830.7), MS, 'a fraction of a ms is floored');
  });

  it('give undefined for any other width, a unit not allowed, or a value that is no integer time', () => {
    for (const bad of [170649865, 17064986588, 170649865883, 17064986588300, '17064986588', '0706498658830', '1706498658830.5', '-1706498658830', 'x', '', null, true, -MS]) {
      assert.equal(msFromEpoch(bad), undefined, clip(bad));
    }
    assert.equal(msFromEpoch(1_706_498_658, ['ms', 'us']), undefined, 'seconds not allowed');
    assert.equal(msFromEpoch('1706498658830', ['us']), undefined);
  });

  it('read a time field or throw BAD_FRAME naming the widths allowed', () => {
    assert.equal(timeMs(one(MS), 'k', W, ['ms']), MS);
    assert.throws(() => timeMs(one(1_706_498_658), 'k', W, ['ms', 'us']), /k is 1706498658, not a time in ms \(13 digits\), us \(16 digits\)/);
    assert.throws(() => timeMs({}, 'k', W), badFrame);
  });
});

describe('exact ids', () => {
  it('keep every digit of integer ids beyond 2^53 once the frame text is quoted', () => {
    const frame = '{"ty":"trade","sid":9007199254740993,"tp":1.5,"other":9007199254740993,"s":"\\"sid\\":1"}';
    const parsed = JSON.parse(quoteIds(frame, ['sid', 'sequential_id'])) as Json;
    assert.equal(exactId(parsed, 'sid', W), '9007199254740993');
    assert.equal(parsed.other, 9007199254740992, 'other keys are left alone');
    assert.equal(parsed.s, '"sid":1', 'string contents are left alone');
    assert.equal(quoteIds('[{"t":1},{"t" : 22 }]', ['t']), '[{"t":"1"},{"t" : "22" }]');
  });

  it('tell when a parsed frame (or an element of a list frame) holds an id JSON.parse rounded', () => {
    const text = '[{"sid":1706498658830000},{"sid":17064986588300000123}]';
    assert.equal(needsQuotedIds(JSON.parse(text), ['sid']), true);
    assert.equal(needsQuotedIds(JSON.parse('{"sid":1706498658830000,"x":17064986588300000123}'), ['sid']), false);
    assert.equal(needsQuotedIds(JSON.parse('{"sid":"17064986588300000123"}'), ['sid']), false);
    assert.equal(needsQuotedIds(null, ['sid']), false);
    const exact = JSON.parse(quoteIds(text, ['sid'])) as Json[];
    assert.deepEqual(exact.map((m) => exactId(m, 'sid', W)), ['1706498658830000', '17064986588300000123']);
  });

  it('reject ids that could not be kept exact, and read absent ones as undefined', () => {
    const parsed = JSON.parse(quoteIds('{"a":1.5,"b":-3,"c":9007199254740993,"d":"","e":"abc","f":12345}', ['a', 'b'])) as Json;
    for (const k of ['a', 'b', 'c', 'd']) assert.throws(() => exactId(parsed, k, W), badFrame, k);
    assert.equal(exactId(parsed, 'e', W), 'abc');
    assert.equal(exactId(parsed, 'f', W), '12345', 'a safe integer is exact as parsed');
    assert.equal(optExactId(parsed, 'none', W), undefined);
    assert.throws(() => exactId(one('x'.repeat(65)), 'k', W), badFrame);
  });
});

describe('other readers', () => {
  it('read objects, strings, booleans and fixed choices strictly', () => {
    assert.ok(isObject({}) && !isObject([]) && !isObject(null) && !isObject('x'));
    assert.equal(str(one('BTCUSDT'), 'k', W), 'BTCUSDT');
    assert.throws(() => str(one(''), 'k', W), badFrame);
    assert.throws(() => str(one(5), 'k', W), badFrame);
    assert.throws(() => str(one('abc'), 'k', W, 2), badFrame);
    assert.equal(optStr({}, 'k', W), undefined);
    assert.equal(bool(one(false), 'k', W), false);
    assert.throws(() => bool(one('true'), 'k', W), badFrame);
    assert.equal(oneOf(one('ASK'), 'k', ['ASK', 'BID'] as const, W), 'ASK');
    assert.throws(() => oneOf(one('ask'), 'k', ['ASK', 'BID'] as const, W), /k is "ask", not ASK or BID/);
  });

  it('read book levels as number pairs: prices positive, sizes zero or more, extra elements ignored', () => {
    assert.deepEqual(levels(one([['68250.01', '0.5'], [1.5, 0, '0', '3']]), 'k', W), [[68250.01, 0.5], [1.5, 0]]);
    for (const bad of [[['0', '1']], [['1', '-1']], [['1']], ['1'], 'x', [['a', '1']]]) {
      assert.throws(() => levels(one(bad), 'k', W), badFrame, JSON.stringify(bad));
    }
  });

  it('clip describes hostile values briefly', () => {
    assert.equal(clip('a'.repeat(2_000_000)).length < 50, true);
    assert.equal(clip([1]), 'an array');
    assert.equal(clip({ a: 1 }), 'an object');
    assert.equal(clip(undefined), 'undefined');
  });

  it('eachItem tries every item and rethrows the first failure after all of them', () => {
    const seen: number[] = [];
    assert.throws(
      () => eachItem([1, 2, 3, 4], (n) => {
        seen.push(n);
        if (n % 2 === 0) throw new Error(`bad ${n}`);
      }),
      /bad 2/,
    );
    assert.deepEqual(seen, [1, 2, 3, 4]);
    eachItem([], () => assert.fail('no items'));
  });
});

describe('symbol tables', () => {
  const concat: CodeFormat = (base, quote) => base + quote;
  const dash: CodeFormat = (base, quote) => `${quote}-${base}`;

  it('map configured symbols to codes and back; a code nobody configured gives undefined', () => {
    const t = symbolTable(['BTC/USDT', 'ETH/USDT', 'BTC/USDT'], concat, 'binance');
    assert.deepEqual(t.codes, ['BTCUSDT', 'ETHUSDT']);
    assert.deepEqual(t.symbols, ['BTC/USDT', 'ETH/USDT']);
    assert.equal(t.symbol('ETHUSDT'), 'ETH/USDT');
    assert.equal(t.symbol('BTCUSDC'), undefined);
    assert.equal(t.code('BTC/USDT'), 'BTCUSDT');
    assert.equal(t.byCode.get('BTCUSDT'), 'BTC/USDT');
    assert.throws(() => t.code('XRP/USDT'), { code: 'PLUGIN_SYMBOL_INVALID' });
    assert.equal(symbolTable(['BTC/KRW'], dash, 'upbit').symbol('KRW-BTC'), 'BTC/KRW');
  });

  it('reject two symbols that share a code, and malformed symbols, at build time', () => {
    assert.throws(() => symbolTable(['BTC/USDT', 'BTCU/SDT'], concat, 'binance'), (e: Error & { code?: string }) =>
      e.code === 'PLUGIN_SYMBOL_INVALID' && /"BTCU\/SDT" and "BTC\/USDT" are both BTCUSDT on binance/.test(e.message));
    for (const bad of ['btc/usdt', 'BTC-USDT', 'BTC', '', 'BTC/USDT/X']) {
      assert.throws(() => symbolTable([bad], concat, 'x'), { code: 'PLUGIN_SYMBOL_INVALID' }, bad);
      assert.throws(() => marketCode(bad, concat), { code: 'PLUGIN_SYMBOL_INVALID' }, bad);
    }
    assert.equal(marketCode('BTC/KRW', dash), 'KRW-BTC');
  });
});
