// Private streams end to end in standalone mode: simulated Upbit private endpoint → signed connections in the
// exchange worker → gateway → only the clients authenticated for each account; wrong keys backed off and shown in
// health; no key or token in any log line, metric, health answer or API answer.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../kernel/config.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { createLogger } from '../../kernel/log.ts';
import { startUpbitSim } from '../../plugins/upbit/sim.ts';
import type { SimHandle } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { isRecord } from '../support/streams.ts';

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const ENV = {
  PV_ALICE_AK: secret('alice-access'),
  PV_ALICE_SK: secret('alice-secret'),
  PV_BOB_AK: secret('bob-access'),
  PV_BOB_SK: secret('bob-secret'),
  PV_MALLORY_AK: secret('mallory-access'),
  PV_MALLORY_SK: secret('mallory-wrong-secret'),
  PV_TOKEN_ALICE: secret('token-alice'),
  PV_TOKEN_BOB: secret('token-bob'),
  PV_TOKEN_PUBLIC: secret('token-public'),
};
const isPrivate = (f: Frame) => f.ty === 'myOrder' || f.ty === 'myAsset';

describe('private streams, standalone', () => {
  let sim: SimHandle;
  let kernel: Kernel;
  let http: string;
  let ws: string;
  const lines: string[] = [];
  const clients: TestClient[] = [];
  const connect = async (query: string, token?: string) => {
    const c = await TestClient.connect(`${ws}?${query}${token ? `&access_token=${encodeURIComponent(token)}` : ''}`);
    clients.push(c);
    return c;
  };

  before(async () => {
    Object.assign(process.env, ENV);
    sim = await startUpbitSim({
      intervalMs: 20,
      seed: 11,
      accounts: [
        { accessKey: ENV.PV_ALICE_AK, secretKey: ENV.PV_ALICE_SK },
        { accessKey: ENV.PV_BOB_AK, secretKey: ENV.PV_BOB_SK },
        // mallory's real secret differs from the one the gateway is given
        { accessKey: ENV.PV_MALLORY_AK, secretKey: secret('mallory-real') },
      ],
    });
    const config = parseConfig({
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'debug' },
      exchanges: { upbit: { url: sim.url, restUrl: sim.restUrl, symbols: ['BTC/KRW'], reconnect: { initialDelayMs: 200, maxDelayMs: 20_000 } } },
      auth: {
        tokens: [
          { id: 'alice-app', env: 'PV_TOKEN_ALICE', accounts: ['alice'] },
          { id: 'bob-app', env: 'PV_TOKEN_BOB', accounts: ['bob'] },
          { id: 'public-app', env: 'PV_TOKEN_PUBLIC' },
        ],
      },
      private: {
        accounts: [
          { id: 'alice', exchange: 'upbit', accessKeyEnv: 'PV_ALICE_AK', secretKeyEnv: 'PV_ALICE_SK' },
          { id: 'bob', exchange: 'upbit', accessKeyEnv: 'PV_BOB_AK', secretKeyEnv: 'PV_BOB_SK', channels: ['myOrder'], symbols: ['BTC/KRW'] },
          { id: 'mallory', exchange: 'upbit', accessKeyEnv: 'PV_MALLORY_AK', secretKeyEnv: 'PV_MALLORY_SK' },
          { id: 'nokeys', exchange: 'upbit', accessKeyEnv: 'PV_UNSET_AK', secretKeyEnv: 'PV_UNSET_SK' },
        ],
      },
    });
    // every line the gateway (main thread and workers) logs, at debug level
    kernel = new Kernel({ config, log: createLogger('debug', 'gateway', (line) => lines.push(line) > 0), statsIntervalMs: 200 });
    await kernel.start();
    http = `http://127.0.0.1:${kernel.port}`;
    ws = `ws://127.0.0.1:${kernel.port}/ws/exchange`;
  });

  after(async () => {
    for (const c of clients) await c.close();
    await kernel?.close();
    await sim?.close();
    for (const k of Object.keys(ENV)) delete process.env[k];
  });

  it('gives each account\'s records only to the clients authenticated for it', async () => {
    const alice = await connect('snapshot=false', ENV.PV_TOKEN_ALICE);
    const aliceMsgpack = await connect('snapshot=false&format=msgpack', ENV.PV_TOKEN_ALICE);
    const bob = await connect('snapshot=false', ENV.PV_TOKEN_BOB);
    const publicApp = await connect('snapshot=false', ENV.PV_TOKEN_PUBLIC);
    const anonymous = await connect('snapshot=false');
    const got = await alice.collect((f) => f.ty === 'myAsset', 3, 30_000);
    await alice.collect((f) => f.ty === 'myOrder', 5, 30_000);
    await bob.collect((f) => f.ty === 'myOrder', 3, 30_000);
    await aliceMsgpack.collect(isPrivate, 5, 30_000);
    // the public stream keeps flowing to everyone meanwhile
    await waitFor(() => anonymous.frames.some(isRecord) && publicApp.frames.some(isRecord), 15_000, 'public records');

    for (const f of alice.frames.filter(isPrivate)) assert.equal(f.acct, 'alice');
    for (const f of bob.frames.filter(isPrivate)) {
      assert.equal(f.acct, 'bob');
      assert.equal(f.ty, 'myOrder', 'bob subscribed to myOrder only');
    }
    assert.equal(publicApp.frames.filter(isPrivate).length, 0, 'a token without accounts gets no private record');
    assert.equal(anonymous.frames.filter(isPrivate).length, 0, 'an anonymous client gets no private record');
    for (const f of aliceMsgpack.frames.filter(isPrivate)) assert.equal(f.acct, 'alice');
    assert.ok(aliceMsgpack.binary.every(Boolean));

    const order = alice.frames.find((f) => f.ty === 'myOrder')!;
    assert.equal(order.ex, 'upbit');
    assert.equal(order.cd, 'BTC/KRW');
    assert.equal(order.mc, 'KRW-BTC');
    assert.ok(order.ab === 'ASK' || order.ab === 'BID');
    for (const k of ['tms', 'rtms', 'ep', 'sq']) assert.ok(Number.isInteger(order[k]), k);
    for (const [k, v] of Object.entries(order)) assert.ok(v !== null && v !== undefined, `${k} is ${v}`);
    const asset = got[0]!;
    assert.equal(asset.cd, undefined);
    assert.ok(Array.isArray(asset.ast) && (asset.ast as unknown[]).length > 0);
    // sequences per account stream: +1 within an epoch
    const seqs = alice.frames.filter((f) => f.ty === 'myOrder').map((f) => f.sq as number);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1);
  });

  it('filters private records like public ones: type=myOrder gets only myOrder', async () => {
    const c = await connect('snapshot=false&type=myOrder', ENV.PV_TOKEN_ALICE);
    await c.collect((f) => f.ty === 'myOrder', 3, 30_000);
    assert.ok(c.frames.filter(isRecord).every((f) => f.ty === 'myOrder'));
  });

  it('keeps private records out of the snapshot store and /api/snapshot', async () => {
    const all = (await (await fetch(`${http}/api/snapshot`)).json()) as Frame[];
    assert.ok(all.length > 0);
    assert.equal(all.filter(isPrivate).length, 0);
    const res = await fetch(`${http}/api/snapshot?type=myOrder,myAsset`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), []);
    // a new client's snapshot holds public records only, whoever it is
    const late = await connect('snapshot=true', ENV.PV_TOKEN_ALICE);
    await waitFor(() => late.frames.some((f) => f.st === 'SNAPSHOT'), 10_000, 'a snapshot');
    assert.equal(late.frames.filter((f) => f.st === 'SNAPSHOT' && isPrivate(f)).length, 0);
  });

  it('backs off a refused key, shows it in health, and keeps the other connections serving', async () => {
    const account = async (id: string) => {
      const h = (await (await fetch(`${http}/api/ws/infra-health`)).json()) as { private: { accounts: Record<string, unknown>[] }; exchanges: { upbit: Record<string, unknown> } };
      return { a: h.private.accounts.find((x) => x.id === id)!, upbit: h.exchanges.upbit };
    };
    const m = (await waitFor(async () => {
      const r = await account('mallory');
      return ((r.a.errors as Record<string, number> | undefined)?.HTTP_401 ?? 0) >= 2 ? r.a : undefined;
    }, 20_000, 'two refusals of mallory')) as Record<string, unknown>;
    assert.equal(m.connected, false);
    assert.match(String(m.reason), /refused the keys \(HTTP 401\)/);
    const before = (m.errors as Record<string, number>).HTTP_401!;
    await new Promise((r) => setTimeout(r, 3000));
    const { a: later, upbit } = await account('mallory');
    // 200 ms initial delay × 4 per refusal, growing: a handful of attempts in 3 s, not a loop
    assert.ok((later.errors as Record<string, number>).HTTP_401! - before <= 3, `refusals went ${before} → ${JSON.stringify(later.errors)}`);
    assert.equal(upbit.connected, true, 'the public connection is not affected');
    assert.equal(upbit.restarts, 0, 'the worker did not crash');
    const { a: alice } = await account('alice');
    assert.equal(alice.connected, true);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.match(metrics, /gateway_private_errors_total\{account="mallory",code="HTTP_401",exchange="upbit"\} [1-9]/);
    assert.match(metrics, /gateway_private_connected\{account="alice",exchange="upbit"\} 1/);
    assert.match(metrics, /gateway_private_connected\{account="mallory",exchange="upbit"\} 0/);
    const { a: nokeys } = await account('nokeys');
    assert.equal(nokeys.state, 'missing-credentials');
    assert.deepEqual(nokeys.missingEnv, ['PV_UNSET_AK', 'PV_UNSET_SK']);
  });

  it('never shows a key or token in logs, metrics, health, errors or API answers', async () => {
    // provoke errors: a bad subscribe and a bad query
    const c = await connect('snapshot=false', ENV.PV_TOKEN_ALICE);
    c.send({ method: 'subscribe', type: ['nonsense'] });
    await c.next((f) => f.event === 'error');
    const answers = await Promise.all(
      ['/api/ws/infra-health', '/metrics', '/api/subscriptions', '/health', '/ws/info', '/api/snapshot', '/api/snapshot?type=bogus', '/nope'].map(async (p) =>
        (await fetch(`${http}${p}`)).text(),
      ),
    );
    const frames = clients.flatMap((cl) => cl.frames.map((f) => JSON.stringify(f)));
    const haystack = [...lines, ...answers, ...frames].join('\n');
    assert.ok(lines.some((l) => l.includes('private-alice: connected')), 'the private connection was logged');
    assert.ok(lines.some((l) => l.includes('private-mallory')), 'the refusal was logged');
    for (const [name, value] of Object.entries(ENV)) assert.equal(haystack.includes(value), false, `${name} leaked`);
  });
});
