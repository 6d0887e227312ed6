// The Upbit and Bithumb private connection plans: endpoint, request, signed upgrade header, and the mapping of
// myOrder / myAsset messages (SIMPLE and DEFAULT, as the exchanges document them) to private records.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Draft } from '../../sdk/model.ts';
import type { Output, PluginConfig } from '../../sdk/plugin.ts';
import { verifyJwt } from '../../sdk/jwt.ts';
import { loadPlugin } from '../../plugins/registry.ts';

const PLUGINS = fileURLToPath(new URL('../../plugins/', import.meta.url));
const upbit = await loadPlugin('upbit', PLUGINS);
const bithumb = await loadPlugin('bithumb', PLUGINS);
const creds = { accessKey: 'access-key-1', secretKey: 'secret-key-1' };
const config = (id: string, url: string): PluginConfig => ({ id, url, symbols: ['BTC/KRW'], channels: ['ticker'], depth: 15, options: {} });

function run(plugin: typeof upbit, frames: string[], acct = 'acct1') {
  const plan = plugin.privateConnection!({ id: acct, channels: ['myOrder', 'myAsset'] }, config(plugin.id, 'wss://x/websocket/v1'));
  const mapper = plan.createMapper();
  const drafts: Record<string, unknown>[] = [];
  const errors: string[] = [];
  const out: Output = { emit: (d: Draft) => drafts.push(d as unknown as Record<string, unknown>), request() {}, send() {}, rollover() {} };
  for (const f of frames) {
    try {
      mapper.onMessage(f, 1, out);
    } catch (err) {
      errors.push((err as { code: string }).code);
    }
  }
  return { drafts, errors };
}

describe('Upbit private plan', () => {
  it('opens <url>/private and asks for myOrder (codes when symbols are set) and myAsset (no codes) in SIMPLE', () => {
    const plan = upbit.privateConnection!({ id: 'a', channels: ['myOrder', 'myAsset'], symbols: ['BTC/KRW', 'ETH/KRW'] }, config('upbit', 'wss://api.upbit.com/websocket/v1'));
    assert.equal(plan.url, 'wss://api.upbit.com/websocket/v1/private');
    const req = JSON.parse(plan.subscribe[0]!) as Record<string, unknown>[];
    assert.deepEqual(req.slice(1), [{ type: 'myOrder', codes: ['KRW-BTC', 'KRW-ETH'] }, { type: 'myAsset' }, { format: 'SIMPLE' }]);
    assert.ok(plan.keepAlive && plan.keepAlive.intervalMs <= 60_000);
    const only = upbit.privateConnection!({ id: 'a', channels: ['myAsset'], url: 'wss://elsewhere/p' }, config('upbit', 'wss://api.upbit.com/websocket/v1'));
    assert.equal(only.url, 'wss://elsewhere/p');
    assert.deepEqual((JSON.parse(only.subscribe[0]!) as unknown[]).slice(1), [{ type: 'myAsset' }, { format: 'SIMPLE' }]);
  });

  it('signs the upgrade as Upbit documents: Bearer JWT, HS512, payload {access_key, nonce}, the same for the same input', () => {
    const plan = upbit.privateConnection!({ id: 'a', channels: ['myOrder'] }, config('upbit', 'wss://api.upbit.com/websocket/v1'));
    const h = plan.authorize(creds, { nonce: 'nonce-1', tms: 1700000000000 });
    assert.deepEqual(Object.keys(h), ['Authorization']);
    assert.match(h.Authorization!, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const checked = verifyJwt(h.Authorization!.slice(7), creds.secretKey);
    assert.ok(checked.ok);
    assert.equal(checked.alg, 'HS512');
    assert.deepEqual(checked.payload, { access_key: 'access-key-1', nonce: 'nonce-1' });
    assert.deepEqual(plan.authorize(creds, { nonce: 'nonce-1', tms: 1700000000000 }), h);
    assert.equal(h.Authorization!.includes(creds.secretKey), false);
  });

  it('maps SIMPLE and DEFAULT myOrder and myAsset messages to records tagged with the account; nulls are absent', () => {
    const simple = JSON.stringify({
      ty: 'myOrder', cd: 'KRW-BTC', uid: 'ac2dc2a3-fce9-40a2-a4f6-5987c25c438f', ab: 'BID', ot: 'limit', s: 'trade', tuid: '68315169-cba4-4175-b9d9-3a8ff5c2f20e',
      p: 140000000, ap: 140000000, v: 0.0005, rv: 0.0005, ev: 0.0005, tc: 1, rsf: 35, rmf: 0, pf: 35, l: 70035, ef: 70000, tif: null,
      ttms: 1710146517267, otms: 1710146517200, tms: 1710146517300, st: 'REALTIME',
    });
    const deflt = JSON.stringify({
      type: 'myOrder', code: 'KRW-ETH', uuid: 'u-2', ask_bid: 'ASK', order_type: 'market', state: 'wait', trade_uuid: null, price: null, volume: 1.5,
      remaining_volume: 1.5, executed_volume: 0, order_timestamp: 1710146517000, timestamp: 1710146517001, stream_type: 'REALTIME',
    });
    const asset = JSON.stringify({ ty: 'myAsset', astuid: 'e635f223-1609-4969-8fb6-4376937baad6', ast: [{ cu: 'KRW', b: 1386929.37, l: 10329.67 }], asttms: 1710146517259, tms: 1710146517267, st: 'REALTIME' });
    const { drafts, errors } = run(upbit, [simple, deflt, asset, '{"status":"UP"}']);
    assert.deepEqual(errors, []);
    assert.deepEqual(drafts[0], {
      ty: 'myOrder', ex: 'upbit', acct: 'acct1', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: 1710146517300, uid: 'ac2dc2a3-fce9-40a2-a4f6-5987c25c438f', ab: 'BID', s: 'trade',
      ot: 'limit', tuid: '68315169-cba4-4175-b9d9-3a8ff5c2f20e', p: 140000000, ap: 140000000, v: 0.0005, rv: 0.0005, ev: 0.0005, tc: 1, rsf: 35, rmf: 0, pf: 35,
      l: 70035, ef: 70000, ttms: 1710146517267, otms: 1710146517200,
    });
    assert.deepEqual(drafts[1], {
      ty: 'myOrder', ex: 'upbit', acct: 'acct1', cd: 'ETH/KRW', mc: 'KRW-ETH', tms: 1710146517001, uid: 'u-2', ab: 'ASK', s: 'wait', ot: 'market', v: 1.5, rv: 1.5, ev: 0,
      otms: 1710146517000,
    });
    assert.deepEqual(drafts[2], {
      ty: 'myAsset', ex: 'upbit', acct: 'acct1', tms: 1710146517267, astuid: 'e635f223-1609-4969-8fb6-4376937baad6', ast: [{ cu: 'KRW', b: 1386929.37, l: 10329.67 }], asttms: 1710146517259,
    });
    assert.equal(drafts.length, 3);
  });

  it('counts broken frames and exchange errors by code and goes on', () => {
    const { drafts, errors } = run(upbit, [
      'not json',
      '{"error":{"name":"INVALID_AUTH","message":"인증 정보가 올바르지 않습니다."}}',
      '{"ty":"myOrder","cd":"KRW-BTC","ab":"HOLD","uid":"x","s":"wait","tms":1}',
      '{"ty":"myAsset","ast":"lots","tms":1}',
      '{"ty":"myOrder","cd":"BTCKRW","ab":"BID","uid":"x","s":"wait","tms":1}',
      '{"ty":"myAsset","ast":[{"cu":"KRW","b":1,"l":0}],"tms":1710146517267}',
    ]);
    assert.deepEqual(errors, ['BAD_FRAME', 'EXCHANGE_ERROR', 'BAD_FRAME', 'BAD_FRAME', 'BAD_FRAME']);
    assert.equal(drafts.length, 1);
  });
});

describe('private mappers against hostile frames', () => {
  it('answer every broken or mutated frame with BAD_FRAME or EXCHANGE_ERROR, never another error', () => {
    const good = JSON.stringify({ ty: 'myOrder', cd: 'KRW-BTC', uid: 'u', ab: 'BID', s: 'wait', p: 1, v: 2, tms: 1710146517300, otms: 1710146517000 });
    const asset = JSON.stringify({ ty: 'myAsset', ast: [{ cu: 'KRW', b: 1, l: 0 }], tms: 1710146517300 });
    const frames = ['', '[]', '[[]]', 'null', '1', '"x"', '{}', '{"ty":1}', '{"ty":"myOrder"}', '{"ty":"myAsset","ast":[null]}', 'x'.repeat(2_000_000), '['.repeat(5000)];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 400; i++) {
      const base = i % 2 ? good : asset;
      const at = Math.floor(rnd() * base.length);
      frames.push(base.slice(0, at) + String.fromCharCode(32 + Math.floor(rnd() * 90)) + base.slice(at + 1));
      frames.push(base.replace(/:(\d+)/, ':"$1x"').replace('"BID"', '{"a":[1]}'));
    }
    for (const plugin of [upbit, bithumb]) {
      const { errors } = run(plugin, frames);
      for (const code of errors) assert.ok(code === 'BAD_FRAME' || code === 'EXCHANGE_ERROR', `${plugin.id}: ${code}`);
      // and a valid frame after all that still maps
      assert.equal(run(plugin, [...frames.slice(0, 50), good]).drafts.at(-1)!.uid, 'u');
    }
  });
});

describe('Bithumb private plan', () => {
  it('opens /websocket/v2/private and signs HS256 over {access_key, nonce, timestamp}', () => {
    const plan = bithumb.privateConnection!({ id: 'b', channels: ['myOrder', 'myAsset'] }, config('bithumb', 'wss://ws-api.bithumb.com/websocket/v1'));
    assert.equal(plan.url, 'wss://ws-api.bithumb.com/websocket/v2/private');
    const h = plan.authorize(creds, { nonce: 'n-9', tms: 1712230310689 });
    const checked = verifyJwt(h.Authorization!.slice(7), creds.secretKey);
    assert.ok(checked.ok);
    assert.equal(checked.alg, 'HS256');
    assert.deepEqual(checked.payload, { access_key: 'access-key-1', nonce: 'n-9', timestamp: 1712230310689 });
  });

  it('maps the v2 myOrder fields to the same record names as Upbit (trade price and quantity on a trade)', () => {
    const trade = JSON.stringify({
      ty: 'myOrder', st: 'REALTIME', cd: 'KRW-BTC', oid: 'C0101000000001', coid: 'my-1', sd: 'sell', ot: 'limit', s: 'trade', op: 140100000, oq: 0.002,
      oa: 280200, tid: 'T1', tp: 140050000, tq: '0.001', ta: 140050, rq: 0.001, eq: 0.001, ea: 140050, rsf: 70, rmf: 35, pf: 35, ttms: '1712230310600',
      otms: 1712230310000, tms: 1712230310689,
    });
    const wait = JSON.stringify({ ty: 'myOrder', cd: 'KRW-BTC', oid: 'C2', sd: 'buy', ot: 'limit', s: 'wait', op: 139000000, oq: 0.01, tms: 1712230310700 });
    const { drafts, errors } = run(bithumb, [trade, wait]);
    assert.deepEqual(errors, []);
    assert.deepEqual(drafts[0], {
      ty: 'myOrder', ex: 'bithumb', acct: 'acct1', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: 1712230310689, uid: 'C0101000000001', ab: 'ASK', s: 'trade', coid: 'my-1',
      tuid: 'T1', rv: 0.001, ev: 0.001, ef: 140050, ot: 'limit', rsf: 70, rmf: 35, pf: 35, ttms: 1712230310600, otms: 1712230310000, p: 140050000, v: 0.001,
    });
    assert.equal(drafts[1]!.p, 139000000);
    assert.equal(drafts[1]!.v, 0.01);
    assert.equal(drafts[1]!.ab, 'BID');
  });
});
