// The simulated private endpoints: the JWT is checked on the upgrade like the exchanges do (401 with their error
// body), and an authenticated subscription receives realistic order and balance events.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { signJwt } from '../../kernel/private/jwt.ts';
import { startBithumbSim } from '../../plugins/bithumb/sim.ts';
import { startUpbitSim } from '../../plugins/upbit/sim.ts';
import type { SimHandle } from '../../sim/index.ts';

const ACCOUNT = { accessKey: 'sim-access', secretKey: 'sim-secret-0123456789' };

/** opens a socket with these headers; resolves with it, or with the refusal's status and body */
function dial(url: string, headers: Record<string, string>): Promise<{ ws?: WebSocket; status?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.once('error', reject);
  });
}

const bearer = (payload: Record<string, unknown>, secret = ACCOUNT.secretKey, alg: 'HS256' | 'HS512' = 'HS512') => ({
  Authorization: `Bearer ${signJwt(payload, secret, alg)}`,
});

function messages(ws: WebSocket, count: number, timeoutMs = 15_000): Promise<Record<string, unknown>[]> {
  const got: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} messages`)), timeoutMs);
    ws.on('message', (data: Buffer) => {
      got.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

describe('Upbit private simulator', () => {
  let sim: SimHandle;
  let url: string;
  before(async () => {
    sim = await startUpbitSim({ intervalMs: 20, seed: 3, accounts: [ACCOUNT] });
    url = `${sim.url}/private`;
  });
  after(() => sim?.close());

  it('refuses a wrong secret, an unknown key, no token and a replayed nonce with 401 INVALID_AUTH', async () => {
    const wrong = await dial(url, bearer({ access_key: ACCOUNT.accessKey, nonce: randomUUID() }, 'not-the-secret'));
    assert.equal(wrong.status, 401);
    assert.equal((JSON.parse(wrong.body!) as { error: { name: string } }).error.name, 'INVALID_AUTH');
    assert.equal((await dial(url, bearer({ access_key: 'nobody', nonce: randomUUID() }))).status, 401);
    assert.equal((await dial(url, {})).status, 401);
    const once = bearer({ access_key: ACCOUNT.accessKey, nonce: 'same-nonce' });
    const first = await dial(url, once);
    assert.ok(first.ws);
    first.ws.close();
    assert.equal((await dial(url, once)).status, 401);
  });

  it('sends myOrder and myAsset in SIMPLE form, binary like Upbit, after a valid request', async () => {
    const { ws } = await dial(url, bearer({ access_key: ACCOUNT.accessKey, nonce: randomUUID() }));
    assert.ok(ws);
    const got = messages(ws, 12);
    ws.send(JSON.stringify([{ ticket: 't' }, { type: 'myOrder', codes: ['KRW-BTC'] }, { type: 'myAsset' }, { format: 'SIMPLE' }]));
    const list = await got;
    const orders = list.filter((m) => m.ty === 'myOrder');
    const assets = list.filter((m) => m.ty === 'myAsset');
    assert.ok(orders.length > 0 && assets.length > 0);
    for (const o of orders) {
      assert.equal(o.cd, 'KRW-BTC');
      assert.ok(o.ab === 'ASK' || o.ab === 'BID');
      assert.ok(['wait', 'trade', 'done', 'cancel'].includes(o.s as string));
      assert.equal(typeof o.uid, 'string');
      assert.equal(typeof o.tms, 'number');
    }
    for (const a of assets) for (const u of a.ast as { cu: string; b: number; l: number }[]) assert.ok(u.b >= 0 && u.l >= 0, JSON.stringify(u));
    ws.close();
  });

  it('answers myAsset with codes with WRONG_FORMAT', async () => {
    const { ws } = await dial(url, bearer({ access_key: ACCOUNT.accessKey, nonce: randomUUID() }));
    const got = messages(ws!, 1);
    ws!.send(JSON.stringify([{ ticket: 't' }, { type: 'myAsset', codes: ['KRW-BTC'] }]));
    assert.equal(((await got)[0]!.error as { name: string }).name, 'WRONG_FORMAT');
    ws!.close();
  });
});

describe('Bithumb private simulator', () => {
  let sim: SimHandle;
  before(async () => {
    sim = await startBithumbSim({ intervalMs: 20, seed: 3, accounts: [ACCOUNT] });
  });
  after(() => sim?.close());

  it('serves /websocket/v2/private, needs the timestamp claim, and sends v2 field names', async () => {
    const url = sim.url.replace('/websocket/v1', '/websocket/v2/private');
    assert.equal((await dial(url, bearer({ access_key: ACCOUNT.accessKey, nonce: randomUUID() }, ACCOUNT.secretKey, 'HS256'))).status, 401);
    const stale = bearer({ access_key: ACCOUNT.accessKey, nonce: randomUUID(), timestamp: Date.now() - 3_600_000 }, ACCOUNT.secretKey, 'HS256');
    assert.equal((await dial(url, stale)).status, 401);
    const { ws } = await dial(url, bearer({ access_key: ACCOUNT.accessKey, nonce: randomUUID(), timestamp: Date.now() }, ACCOUNT.secretKey, 'HS256'));
    assert.ok(ws);
    const got = messages(ws, 6);
    ws.send(JSON.stringify([{ ticket: 't' }, { type: 'myOrder' }, { type: 'myAsset' }, { format: 'SIMPLE' }]));
    const orders = (await got).filter((m) => m.ty === 'myOrder');
    assert.ok(orders.length > 0);
    for (const o of orders) {
      assert.ok(o.sd === 'buy' || o.sd === 'sell');
      assert.equal(typeof o.oid, 'string');
      assert.equal(o.uid, undefined);
    }
    ws.close();
  });
});
