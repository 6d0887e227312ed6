// Live subscription changes in a cluster (real ZooKeeper, Kafka, nginx and three gateway processes): a change sent
// through the load balancer reaches every node's catalog and the leader's exchange connections, survives a
// kill -9 of the leader and a restarted node, and DELETE /api/subscriptions takes every node back to its file.

import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../scripts/infra/index.ts';
import { startSimulators } from '../../sim/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startCluster } from '../support/cluster.ts';
import type { Cluster, ClusterInfra } from '../support/cluster.ts';
import { startGateway } from '../support/gateway.ts';
import { getJson, spawnGateway } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';
import { isRecord } from '../support/streams.ts';

type Subs = { exchanges: Record<string, { symbols: string[] }> };
const NEW = 'DOGE/KRW';

describe('live subscription changes across a cluster', () => {
  let cluster: Cluster | undefined;
  let lb: Cluster['lb'];
  let nodes: GatewayProcess[] = [];

  const config = (nodeId: string, { zk, kafka, sims }: ClusterInfra = cluster!) => ({
    mode: 'cluster',
    nodeId,
    cluster: { zookeeper: zk.connectString, path: '/gw-subs', sessionTimeoutMs: 3000 },
    kafka: { enabled: true, brokers: kafka.brokers, topic: 'subs', acks: 1, maxWaitMs: 20 },
    exchanges: { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'], channels: ['trade', 'ticker'], reconnect: { initialDelayMs: 100 } } },
  });
  const live = () => nodes.filter((n) => n.alive());
  const symbols = async (n: GatewayProcess) => (await getJson<Subs>(`${n.http}/api/subscriptions`)).exchanges.upbit!.symbols;
  const role = async (n: GatewayProcess) => (await getJson<{ role: string }>(`${n.http}/ws/info`).catch(() => ({ role: '?' }))).role;
  async function leader(): Promise<GatewayProcess> {
    return (await waitFor(async () => {
      for (const n of live()) if ((await role(n)) === 'leader') return n;
      return undefined;
    }, 20_000, 'a leader'))!;
  }
  /** a client on every live node subscribes to `symbol` and receives records of it newer than `afterEp` */
  async function everyNodeDelivers(symbol: string, afterEp = 0): Promise<number> {
    const clients = await Promise.all(live().map((n) => TestClient.connect(`${n.ws}?snapshot=false`)));
    try {
      for (const c of clients) c.send({ method: 'subscribe', exchange: 'upbit', symbol, snapshot: false });
      const subscribed = await Promise.all(clients.map((c) => c.next((f) => f.event === 'subscribed' || f.event === 'error', 10_000)));
      for (const f of subscribed) assert.equal(f.event, 'subscribed', JSON.stringify(f));
      const got = await Promise.all(clients.map((c) => c.next((f) => isRecord(f) && f.cd === symbol && (f.ep as number) > afterEp, 30_000)));
      return Math.max(...got.map((f) => f.ep as number));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }
  // Through nginx every caller looks forwarded, so admin calls carry the operator's token (docs/operations.md#security);
  // the nodes inherit it from this process's environment.
  const ADMIN_TOKEN = 'cluster-subscriptions-test-token';
  process.env.GATEWAY_ADMIN_TOKEN = ADMIN_TOKEN;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const post = (base: string, body: unknown) =>
    fetch(`${base}/api/subscriptions`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    cluster = await startCluster({
      topic: { name: 'subs', partitions: 3 },
      sims: { seed: 21, intervalMs: 50 },
      nodeIds: ['s-1', 's-2', 's-3'],
      config,
    });
    ({ lb, nodes } = cluster);
    await leader();
  });

  after(async () => {
    await cluster?.close();
  });

  it('applies a change sent through nginx on every node: catalogs within a second, records on every node', async () => {
    const client = await TestClient.connect(`${nodes[0]!.ws}?snapshot=false`);
    client.send({ method: 'subscribe', symbol: NEW });
    assert.equal((await client.next((f) => f.event === 'error', 10_000)).code, 'BAD_REQUEST');
    await client.close();

    const res = await post(lb.url, { exchange: 'upbit', add: [NEW] });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(((await res.json()) as { symbols: string[] }).symbols, ['BTC/KRW', NEW]);
    const sent = Date.now();
    await waitFor(async () => (await Promise.all(nodes.map(symbols))).every((s) => s.includes(NEW)), 10_000, 'every catalog');
    const took = Date.now() - sent;
    process.stderr.write(`# every node's catalog had ${NEW} ${took} ms after the answer\n`);
    assert.ok(took <= 1000, `catalogs updated after ${took} ms`);
    await everyNodeDelivers(NEW);
    const stored = (await getJson<{ subscriptions: { stored: boolean; version: number } }>(`${nodes[2]!.http}/api/ws/infra-health`)).subscriptions;
    assert.equal(stored.stored, true);
  });

  it('accepts a change sent to a follower the same way', async () => {
    const lead = await leader();
    const follower = live().find((n) => n !== lead)!;
    const res = await post(follower.http, { exchange: 'upbit', add: ['XRP/KRW'] });
    assert.equal(res.status, 200, await res.clone().text());
    await waitFor(async () => (await Promise.all(live().map(symbols))).every((s) => s.includes('XRP/KRW')), 10_000, 'every catalog');
    await everyNodeDelivers('XRP/KRW');
    // a bad change is refused by whichever node gets it, and stores nothing
    const bad = await post(follower.http, { exchange: 'upbit', add: ['not a symbol'] });
    assert.equal(bad.status, 400);
  });

  it('keeps both of two changes sent at the same time to different nodes (compare-and-set)', async () => {
    const [a, b] = live();
    const answers = await Promise.all([post(a!.http, { exchange: 'upbit', add: ['SOL/KRW'] }), post(b!.http, { exchange: 'upbit', add: ['ETH/KRW'] })]);
    assert.deepEqual(answers.map((r) => r.status), [200, 200]);
    await waitFor(async () => (await Promise.all(live().map(symbols))).every((s) => s.includes('SOL/KRW') && s.includes('ETH/KRW')), 10_000, 'both changes everywhere');
    const res = await post(a!.http, { exchange: 'upbit', remove: ['SOL/KRW', 'ETH/KRW'] });
    assert.equal(res.status, 200);
    await waitFor(async () => (await Promise.all(live().map(symbols))).every((s) => !s.includes('SOL/KRW') && !s.includes('ETH/KRW')), 10_000, 'removed everywhere');
  });

  it('keeps the stored set when the leader is killed (kill -9) and when a node restarts', async () => {
    const old = await leader();
    const lastEp = await everyNodeDelivers(NEW);
    await old.kill9();
    const next = await leader();
    assert.notEqual(next, old);
    // the new leader connects with the stored set, not its file: records of the new symbol from the new leader
    await everyNodeDelivers(NEW, lastEp);
    // a node started again with the same file starts from the stored set
    const again = await spawnGateway(config('s-4'));
    nodes.push(again);
    await waitFor(async () => (await symbols(again)).includes(NEW), 10_000, 'restarted node has the stored set');
    assert.deepEqual(await symbols(again), ['BTC/KRW', NEW, 'XRP/KRW']);
  });

  it('keeps the stored set over the file on SIGHUP in cluster mode', async () => {
    const n = live()[0]!;
    const original = readFileSync(n.configFile, 'utf8');
    const before = await symbols(n);
    const reloaded = () => (n.log().match(/config reloaded/g) ?? []).length;
    const count = reloaded();
    const changed = original.replace(/^(\s*)- BTC\/KRW$/m, '$1- BTC/KRW\n$1- SOL/KRW');
    assert.notEqual(changed, original);
    writeFileSync(n.configFile, changed);
    try {
      n.child.kill('SIGHUP');
      await waitFor(() => reloaded() > count, 10_000, 'the reload');
      assert.match(n.log(), /a stored subscription set exists; it stays in force/);
      assert.deepEqual(await symbols(n), before);
    } finally {
      writeFileSync(n.configFile, original);
    }
  });

  it('goes back to every node’s config file on DELETE /api/subscriptions', async () => {
    const res = await fetch(`${lb.url}/api/subscriptions`, { method: 'DELETE', headers: admin });
    assert.equal(res.status, 200);
    await waitFor(async () => (await Promise.all(live().map(symbols))).every((s) => s.length === 1 && s[0] === 'BTC/KRW'), 10_000, 'file set everywhere');
    const client = await TestClient.connect(`${live()[0]!.ws}?snapshot=false`);
    client.send({ method: 'subscribe', symbol: NEW });
    assert.equal((await client.next((f) => f.event === 'error', 10_000)).code, 'BAD_REQUEST');
    await client.close();
  });
});

describe('live subscription changes without ZooKeeper', () => {
  it('refuses a change with 503 UNAVAILABLE while ZooKeeper does not answer, and changes nothing', async () => {
    const nowhere = `127.0.0.1:${await freePort()}`;
    const sims = await startSimulators({ seed: 22, intervalMs: 200 });
    const gw = await startGateway({
      mode: 'cluster',
      cluster: { zookeeper: nowhere, path: '/gw-none', sessionTimeoutMs: 2000 },
      redis: { enabled: true, url: `redis://${nowhere}` },
      exchanges: { upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW'] } },
    });
    try {
      const res = await fetch(`${gw.http}/api/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${process.env.GATEWAY_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ exchange: 'upbit', add: [NEW] }),
      });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: string }).error, 'UNAVAILABLE');
      assert.deepEqual((await getJson<Subs>(`${gw.http}/api/subscriptions`)).exchanges.upbit!.symbols, ['BTC/KRW']);
      const del = await fetch(`${gw.http}/api/subscriptions`, { method: 'DELETE', headers: { authorization: `Bearer ${process.env.GATEWAY_ADMIN_TOKEN}` } });
      assert.equal(del.status, 503);
    } finally {
      await gw.kernel.close();
      await sims.close();
    }
  });
});
