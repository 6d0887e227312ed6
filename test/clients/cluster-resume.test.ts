// The SDK in a three-node cluster behind nginx: kill -9 the node it is connected to, it reconnects through nginx to
// another node and resumes there, and it has exactly the trades of a client connected to a surviving node throughout.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayClient } from '../../clients/typescript/src/index.ts';
import type { GapEvent, ResumedEvent, TradeRecord } from '../../clients/typescript/src/index.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { startCluster } from '../support/cluster.ts';
import type { Cluster, ClusterInfra } from '../support/cluster.ts';
import { getJson } from '../support/process.ts';
import type { GatewayProcess } from '../support/process.ts';
import { isRecord, keyOf } from '../support/streams.ts';

const TOPIC = 'market-data';

describe('SDK resume across a cluster node killed behind nginx', () => {
  let cluster: Cluster | undefined;
  let lb: Cluster['lb'];
  let nodes: GatewayProcess[] = [];

  const config = (nodeId: string, { zk, kafka, sims }: ClusterInfra) => ({
    mode: 'cluster',
    nodeId,
    cluster: { zookeeper: zk.connectString, path: '/gateway-sdk', sessionTimeoutMs: 3000 },
    kafka: { enabled: true, brokers: kafka.brokers, topic: TOPIC, acks: 1, maxWaitMs: 10 },
    exchanges: {
      upbit: { url: sims.get('upbit').url, symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade'], reconnect: { initialDelayMs: 100 } },
      binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT'], channels: ['trade'], reconnect: { initialDelayMs: 100 } },
    },
  });
  const clientsOn = async (n: GatewayProcess) => (await getJson<{ clients: number }>(`${n.http}/api/ws/infra-health`)).clients;

  before(async () => {
    cluster = await startCluster({
      topic: { name: TOPIC, partitions: 3 },
      sims: { seed: 8, intervalMs: 40 },
      nodeIds: ['sdk-1', 'sdk-2', 'sdk-3'],
      config,
    });
    ({ lb, nodes } = cluster);
  });

  after(async () => {
    await cluster?.close();
  });

  it('loses and repeats no trade after kill -9 of its node, compared with a client on a surviving node', async (t) => {
    const leader = (await waitFor(async () => {
      for (const n of nodes) if ((await getJson<{ role: string }>(`${n.http}/ws/info`).catch(() => undefined))?.role === 'leader') return n;
      return undefined;
    }, 30_000, 'a leader'))!;
    // the reference client sits on the leader, which is not killed; least_conn then sends the SDK to a follower
    const direct = await TestClient.connect(`${leader.ws}?snapshot=false&type=trade`);
    await direct.next(isRecord, 30_000);
    const sdk = new GatewayClient({ url: `${lb.url}/ws/exchange`, type: 'trade', snapshot: false, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
    const got: TradeRecord[] = [];
    const gaps: GapEvent[] = [];
    const resumes: ResumedEvent[] = [];
    sdk.on('trade', (t) => got.push(t));
    sdk.on('gap', (g) => gaps.push(g));
    sdk.on('resumed', (r) => resumes.push(r));
    try {
      await sdk.start();
      const followers = nodes.filter((n) => n !== leader);
      const mine = (await waitFor(async () => {
        for (const n of followers) if ((await clientsOn(n)) === 1) return n;
        return undefined;
      }, 10_000, 'the SDK on a follower'))!;
      await waitFor(() => got.length >= 60, 30_000, 'trades before the kill');
      const killedAt = got.length;
      const t0 = Date.now();
      await mine.kill9();
      await waitFor(() => resumes.length >= 1, 30_000, 'a resume on another node');
      const resumedMs = Date.now() - t0;
      assert.deepEqual(resumes[0]!.lost, [], JSON.stringify(resumes[0]));
      await waitFor(() => got.length >= killedAt + 100, 30_000, 'trades after the resume');

      // compare per key, over the SDK's range, once the reference client has passed its end
      const mineNow = [...got];
      const pos = (f: { ep?: unknown; sq?: unknown }) => [f.ep as number, f.sq as number] as const;
      const cmp = (a: readonly [number, number], b: readonly [number, number]) => a[0] - b[0] || a[1] - b[1];
      const keys = [...new Set(mineNow.map((r) => keyOf(r as unknown as Frame)))];
      const last = new Map(keys.map((k) => [k, mineNow.filter((r) => keyOf(r as unknown as Frame) === k).at(-1)!]));
      await waitFor(() => keys.every((k) => direct.frames.some((f) => keyOf(f) === k && cmp(pos(f), pos(last.get(k)!)) >= 0)), 30_000, 'the reference client to catch up');
      let compared = 0;
      for (const k of keys) {
        const m = mineNow.filter((r) => keyOf(r as unknown as Frame) === k).map((r) => `${r.ep}|${r.sq}`);
        const first = pos(mineNow.find((r) => keyOf(r as unknown as Frame) === k)!), end = pos(last.get(k)!);
        const d = direct.frames.filter((f) => isRecord(f) && keyOf(f) === k && cmp(pos(f), first) >= 0 && cmp(pos(f), end) <= 0).map((f) => `${f.ep}|${f.sq}`);
        assert.deepEqual(m, d, k);
        compared += m.length;
      }
      assert.ok(compared >= 160, `${compared} trades compared`);
      t.diagnostic(`resumed on another node ${resumedMs} ms after kill -9; ${compared} trades compared over ${keys.length} keys, none lost or repeated`);
      assert.deepEqual(gaps, []);
      assert.ok(nodes.filter((n) => n.alive()).length === 2);
    } finally {
      sdk.close();
      await direct.close();
    }
  });
});
