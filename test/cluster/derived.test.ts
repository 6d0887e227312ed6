// The derived stage in cluster mode on real ZooKeeper, Kafka and gateway processes: only the leader runs it, every
// node serves identical premium and candle records (same ep, sq and values) and the same history; after the leader
// dies, the new leader's stage continues with a newer ep.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka, startZooKeeper } from '../../scripts/infra/index.ts';
import { startFxSim } from '../../sim/fx-server.ts';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { getJson, spawnGateway } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';

const SESSION_MS = 3000;
const TOPIC = 'derived-data';
const dkey = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}|${(f.rex ?? f.iv) as string}`;
type Health = { role: string; derived: { producing: boolean; stage: { ep: number; running: boolean }; fx: { enabled: boolean; healthy?: boolean; active?: boolean } } };

describe('derived records in a cluster', () => {
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let fx: Awaited<ReturnType<typeof startFxSim>>;
  const nodes: GatewayProcess[] = [];

  const config = (nodeId: string) => ({
    mode: 'cluster',
    nodeId,
    cluster: { zookeeper: zk.connectString, path: '/gateway-derived', sessionTimeoutMs: SESSION_MS },
    kafka: { enabled: true, brokers: kafka.brokers, topic: TOPIC, acks: 1, maxWaitMs: 10 },
    exchanges: {
      upbit: { url: sims.get('upbit').url, restUrl: sims.get('upbit').restUrl, symbols: ['BTC/KRW'], reconnect: { initialDelayMs: 100 } },
      bithumb: { api: 'v1', url: sims.get('bithumb').url, restUrl: sims.get('bithumb').restUrl, symbols: ['BTC/KRW'], reconnect: { initialDelayMs: 100 } },
      binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['ETH/USDT'], reconnect: { initialDelayMs: 100 } },
    },
    derived: {
      premium: [
        { exchange: 'upbit', reference: 'binance' },
        { exchange: 'bithumb', reference: 'binance' },
        { exchange: 'bithumb', reference: 'upbit' },
      ],
      fx: { url: fx.quoteUrl, intervalMs: 500 },
      candles: { intervals: ['1s'] },
    },
  });
  const health = (n: GatewayProcess) => getJson<Health>(`${n.http}/api/ws/infra-health`);
  async function leader(among = nodes): Promise<GatewayProcess> {
    return (await waitFor(async () => {
      for (const n of among.filter((x) => x.alive())) if ((await health(n).catch(() => undefined))?.role === 'leader') return n;
      return undefined;
    }, 20_000, 'a leader'))!;
  }

  before(async () => {
    zk = await startZooKeeper();
    kafka = await startKafka({ zookeeper: zk.connectString, topics: [{ name: TOPIC, partitions: 3 }] });
    sims = await startSimulators({ seed: 5, intervalMs: 50 });
    fx = await startFxSim({ seed: 5 });
    for (const id of ['node-1', 'node-2']) nodes.push(await spawnGateway(config(id)));
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await sims?.close();
    await fx?.close();
    await kafka?.close();
    await zk?.close();
  });

  it('runs the stage on the leader only, and every node serves the same derived records', async () => {
    const lead = await leader();
    const follower = nodes.find((n) => n !== lead)!;
    const clients = await Promise.all(nodes.map((n) => TestClient.connect(`${n.ws}?type=premium,candle&snapshot=false`)));
    const derived = (f: Frame) => f.ty === 'premium' || f.ty === 'candle';
    await Promise.all(clients.map((c) => c.collect((f) => f.ty === 'candle' && f.ex === 'upbit' && f.cd === 'BTC/KRW' && f.cl === true, 5, 60_000)));
    await Promise.all(clients.map((c) => c.collect((f) => derived(f) && 'pf' in f && 'pu' in f && f.rex === 'binance', 5, 30_000)));
    await Promise.all(clients.map((c) => c.close()));
    const id = (f: Frame) => `${dkey(f)}|${f.ep}|${f.sq}`;
    const [a, b] = clients.map((c) => new Map(c.frames.filter(derived).map((f) => [id(f), f])));
    let shared = 0;
    for (const [k, f] of a!) {
      if (!b!.has(k)) continue;
      assert.deepEqual(b!.get(k), f, k);
      shared++;
    }
    assert.ok(shared >= 30, `${shared} derived records seen on both nodes`);
    const keys = new Set([...a!.values()].map(dkey));
    for (const k of ['upbit|premium|BTC/KRW|binance', 'bithumb|premium|BTC/KRW|binance', 'bithumb|premium|BTC/KRW|upbit', 'upbit|candle|BTC/KRW|1s']) {
      assert.ok(keys.has(k), `${k} streamed`);
    }
    const [hl, hf] = await Promise.all([health(lead), health(follower)]);
    assert.equal(hl.derived.producing, true);
    assert.equal(hl.derived.stage.running, true);
    assert.equal(hl.derived.fx.healthy, true);
    assert.equal(hf.derived.producing, false);
    assert.equal(hf.derived.stage.running, false);
    assert.deepEqual(hf.derived.fx, { enabled: true, active: false });
    assert.deepEqual(new Set([...a!.values()].map((f) => f.ep)), new Set([hl.derived.stage.ep]));
    // both nodes built the same candle history from the stream
    const q = '/api/history?type=candle&exchange=upbit&symbol=BTC/KRW&interval=1s';
    const [hla, hfa] = await Promise.all([getJson<Frame[]>(`${lead.http}${q}`), getJson<Frame[]>(`${follower.http}${q}`)]);
    const from = Math.max(hla[0]!.tms as number, hfa[0]!.tms as number);
    const to = Math.min(hla.at(-1)!.tms as number, hfa.at(-1)!.tms as number);
    const cut = (list: Frame[]) => list.filter((f) => (f.tms as number) >= from && (f.tms as number) <= to);
    assert.ok(cut(hla).length >= 2, `${cut(hla).length} candles in both histories`);
    assert.deepEqual(cut(hfa), cut(hla));
  });

  it('continues on the new leader with a newer ep after the leader is killed', async () => {
    const old = await leader();
    const survivor = nodes.find((n) => n !== old)!;
    const oldEp = (await health(old)).derived.stage.ep;
    const c = await TestClient.connect(`${survivor.ws}?type=premium&snapshot=false`);
    await old.kill9();
    await leader([survivor]);
    const next = await c.next((f) => f.ty === 'premium' && (f.ep as number) > oldEp, SESSION_MS + 20_000);
    assert.equal(next.sq, 1);
    const h = await health(survivor);
    assert.equal(h.derived.producing, true);
    assert.equal(next.ep, h.derived.stage.ep);
    await c.close();
  });
});
