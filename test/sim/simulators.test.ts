// Every discovered simulator starts together, expose the SimHandle contract and fault switches, and close without leftovers.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSimulators } from '../../sim/index.ts';
import { startUpbitSim } from '../../plugins/upbit/sim.ts';
import type { Simulators } from '../../sim/index.ts';
import { TestClient } from './ws-client.ts';

type Msg = Record<string, any>;

describe('startSimulators', () => {
  let sims: Simulators;
  const clients: TestClient[] = [];
  const open = async (url: string): Promise<TestClient> => {
    const c = await TestClient.open(url);
    clients.push(c);
    return c;
  };
  before(async () => {
    sims = await startSimulators({ intervalMs: 20, seed: 42 });
  });
  after(async () => {
    await sims.close();
    await Promise.all(clients.map((c) => c.closed));
  });

  it('serves each exchange on its own port with the documented url shapes', async () => {
    const handles = [sims.get('binance'), sims.get('upbit'), sims.get('bithumb'), sims.get('bithumb-legacy')];
    assert.equal(new Set(handles.map((h) => h.port)).size, 4);
    assert.equal(sims.get('binance').url, `ws://127.0.0.1:${sims.get('binance').port}`);
    assert.equal(sims.get('upbit').url, `ws://127.0.0.1:${sims.get('upbit').port}/websocket/v1`);
    assert.equal(sims.get('bithumb').url, `ws://127.0.0.1:${sims.get('bithumb').port}/websocket/v1`);
    assert.equal(sims.get('bithumb-legacy').url, `ws://127.0.0.1:${sims.get('bithumb-legacy').port}/pub/ws`);
    for (const h of handles) assert.equal(h.restUrl, `http://127.0.0.1:${h.port}`);

    const binance = await open(`${sims.get('binance').url}/stream?streams=solusdt@trade`);
    const upbit = await open(sims.get('upbit').url);
    upbit.send('[{"ticket":"a"},{"type":"trade","codes":["KRW-DOGE"]}]');
    const bithumb = await open(sims.get('bithumb').url);
    bithumb.send('[{"ticket":"b"},{"type":"ticker","codes":["KRW-SOL"]}]');
    const legacy = await open(sims.get('bithumb-legacy').url);
    legacy.send('{"type":"transaction","symbols":["ETH_KRW"]}');
    await binance.next('a SOLUSDT trade', (j) => j.data?.s === 'SOLUSDT');
    await upbit.next('a KRW-DOGE trade', (j) => j.code === 'KRW-DOGE');
    await bithumb.next('a KRW-SOL ticker', (j) => j.code === 'KRW-SOL');
    await legacy.next('an ETH_KRW transaction', (j) => j.content?.list?.[0]?.symbol === 'ETH_KRW');
    for (const h of handles) {
      assert.equal(h.connections(), 1);
      assert.equal(h.totalConnections(), 1);
    }
    assert.deepEqual(sims.get('upbit').received(), ['[{"ticket":"a"},{"type":"trade","codes":["KRW-DOGE"]}]']);
  });

  it('generates the same market from the same seed', async () => {
    const other = await startUpbitSim({ seed: 42 });
    try {
      const a = await open(sims.get('upbit').url);
      const b = await open(other.url);
      const req = '[{"ticket":"s"},{"type":"orderbook","codes":["KRW-ADA.30"],"isOnlySnapshot":true}]';
      a.send(req);
      b.send(req);
      const [bookA, bookB] = await Promise.all([a.next<Msg>('book a', (j) => j.type === 'orderbook'), b.next<Msg>('book b', (j) => j.type === 'orderbook')]);
      // Markets are created on first use, so both are at step zero.
      assert.deepEqual(bookA.orderbook_units, bookB.orderbook_units);
    } finally {
      await other.close();
    }
  });
});

describe('SimHandle fault switches', () => {
  it('stall keeps the socket open but silent, closeAll closes with the given code, dropAll cuts without one', async () => {
    const sim = await startUpbitSim({ intervalMs: 20 });
    try {
      const c = await TestClient.open(sim.url);
      c.send('[{"ticket":"f"},{"type":"trade","codes":["KRW-BTC"]}]');
      await c.collect('trades', 2, (j) => j.type === 'trade');
      sim.stall(true);
      // Absence can only be shown by waiting: a dozen market steps.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const frozenAt = c.frames.length;
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal(c.frames.length, frozenAt, 'nothing arrives while stalled');
      assert.equal(sim.connections(), 1);
      sim.stall(false);
      await c.next('a trade after the stall', (j) => j.type === 'trade', frozenAt);
      sim.sendRaw('{"broken":');
      await c.until('the raw frame', () => c.frames.some((f) => f.text === '{"broken":'));
      sim.closeAll(4001, 'maintenance');
      assert.deepEqual(await c.closed, { code: 4001, reason: 'maintenance' });

      const d = await TestClient.open(sim.url);
      sim.dropAll();
      assert.equal((await d.closed).code, 1006);
      assert.equal(sim.totalConnections(), 2);
    } finally {
      await sim.close();
    }
  });

  it('rejectUpgrades with a count refuses only that many upgrades, and upgrades() records every attempt', async () => {
    const sim = await startUpbitSim();
    try {
      sim.rejectUpgrades(429, undefined, 2);
      for (let i = 0; i < 2; i++) {
        await assert.rejects(TestClient.open(sim.url), (err: { status?: number; headers?: Record<string, string> }) => {
          assert.equal(err.status, 429);
          assert.equal(err.headers?.['retry-after'], undefined);
          return true;
        });
      }
      const c = await TestClient.open(sim.url);
      assert.deepEqual(sim.upgrades().map((u) => u.status), [429, 429, 101]);
      assert.ok(sim.upgrades().every((u, i, all) => i === 0 || u.atMs >= all[i - 1]!.atMs));
      await sim.close();
      await c.closed;
    } finally {
      await sim.close();
    }
  });

  it('rejectUpgrades answers the handshake with the status and Retry-After until switched off', async () => {
    const sim = await startUpbitSim();
    try {
      sim.rejectUpgrades(429, 7);
      await assert.rejects(TestClient.open(sim.url), (err: { status?: number; headers?: Record<string, string> }) => {
        assert.equal(err.status, 429);
        assert.equal(err.headers?.['retry-after'], '7');
        return true;
      });
      sim.rejectUpgrades(null);
      const c = await TestClient.open(sim.url);
      assert.equal(sim.connections(), 1);
      await sim.close();
      await c.closed;
    } finally {
      await sim.close();
    }
  });
});

describe('closing', () => {
  it('close() leaves no timers or sockets behind, so the process exits by itself', async () => {
    const script = fileURLToPath(new URL('./exit-check.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    assert.equal(signal, null, `the child had to be killed; output:\n${out}`);
    assert.equal(code, 0, out);
    assert.match(out, /closed/);
  });
});
