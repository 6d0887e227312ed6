// Status travels on the bus (SPEC §4a): in a cluster on Redis pub/sub, a follower's clients hear the leader's states
// (the same `since`), its connection trouble, and `down` with the reason when the follower loses its bus; and a client
// resumes on another node than the one it left, from that node's own history of the same bus stream.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, startZooKeeper } from '../../scripts/infra/index.ts';
import { startSimulators } from '../../sim/index.ts';
import type { Frame } from '../support/client.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startGateway } from '../support/gateway.ts';
import { isRecord } from '../support/streams.ts';

type Gateway = Awaited<ReturnType<typeof startGateway>>;
const isStatus = (state?: string) => (f: Frame) => f.event === 'status' && f.exchange === 'upbit' && (!state || f.state === state);

describe('status on the bus in a cluster', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let zk: Awaited<ReturnType<typeof startZooKeeper>>;
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  const nodes: Gateway[] = [];

  before(async () => {
    [redis, zk, sims] = await Promise.all([startRedis(), startZooKeeper(), startSimulators({ seed: 13, intervalMs: 50 })]);
    for (const nodeId of ['s-1', 's-2']) {
      nodes.push(
        await startGateway({
          mode: 'cluster',
          nodeId,
          cluster: { zookeeper: zk.connectString, path: '/gw-status', sessionTimeoutMs: 3000 },
          redis: { enabled: true, url: redis.url },
          exchanges: {
            upbit: {
              url: sims.get('upbit').url,
              symbols: ['BTC/KRW'],
              reconnect: { initialDelayMs: 100, maxDelayMs: 2000, multiplier: 2, resetAfterMs: 400 },
            },
          },
        }),
      );
    }
  });

  after(async () => {
    for (const n of nodes) await n.kernel.close();
    await sims?.close();
    await zk?.close();
    await redis?.close();
  });

  it('lets a client that left one node resume on another, with no trade lost or repeated', async () => {
    await waitFor(() => nodes.some((n) => n.kernel.role === 'leader') && nodes.some((n) => n.kernel.role === 'follower'), 20_000, 'a leader');
    const [one, other] = [nodes.find((n) => n.kernel.role === 'leader')!, nodes.find((n) => n.kernel.role === 'follower')!];
    const steady = await TestClient.connect(`${other.ws}?snapshot=false&type=trade`);
    const first = await TestClient.connect(`${one.ws}?snapshot=false&type=trade`);
    try {
      await first.collect(isRecord, 10, 20_000);
      await first.close();
      const held = first.frames.filter(isRecord);
      const last = held.at(-1)!;
      // the stream moves on while the client is away
      await steady.next((f) => f.ep === last.ep && (f.sq as number) >= (last.sq as number) + 10, 20_000);
      const back = await TestClient.connect(`${other.ws}?type=trade&wait=true`);
      back.send({ method: 'subscribe', type: 'trade', resume: [{ ex: 'upbit', ty: 'trade', cd: 'BTC/KRW', ep: last.ep, sq: last.sq }] });
      const resumed = await back.next((f) => f.event === 'resumed');
      assert.deepEqual(resumed.recovered, [{ ex: 'upbit', ty: 'trade', cd: 'BTC/KRW' }]);
      await back.next((f) => isRecord(f) && f.ep === last.ep && (f.sq as number) >= (last.sq as number) + 15, 20_000);
      await back.close();
      const mine = [...held, ...back.frames.filter(isRecord)];
      const theirs = steady.frames.filter(isRecord);
      const from = theirs.findIndex((f) => f.sq === mine[0]!.sq && f.ep === mine[0]!.ep);
      const start = from >= 0 ? from : 0;
      // the steady client joined after some of `held`: compare from where both have it
      const skip = from >= 0 ? 0 : mine.findIndex((f) => f.sq === theirs[0]!.sq && f.ep === theirs[0]!.ep);
      assert.ok(skip >= 0, 'the streams overlap');
      const ours = mine.slice(skip);
      assert.deepEqual(ours, theirs.slice(start, start + ours.length), 'record for record, across nodes');
    } finally {
      await steady.close();
    }
  });

  it("tells a follower's clients the leader's states, its connection trouble, and down once the follower's bus is gone", async () => {
    await waitFor(() => nodes.some((n) => n.kernel.role === 'leader') && nodes.some((n) => n.kernel.role === 'follower'), 20_000, 'a leader');
    const leader = nodes.find((n) => n.kernel.role === 'leader')!;
    const follower = nodes.find((n) => n.kernel.role === 'follower')!;
    const onLeader = await TestClient.connect(`${leader.ws}?snapshot=false`);
    const onFollower = await TestClient.connect(`${follower.ws}?snapshot=false`);
    try {
      const upL = await onLeader.next(isStatus('up'), 20_000);
      const upF = await onFollower.next(isStatus('up'), 20_000);
      assert.equal(upF.since, upL.since, 'the same state, begun at the same time, on both nodes');

      // trouble at the exchange: the follower hears it through the bus
      const from = onFollower.frames.length;
      sims.get('upbit').dropAll();
      const down = await onFollower.next((f) => isStatus('down')(f) && /connection closed|could not connect/.test(f.reason as string), 15_000, from);
      await onFollower.next(isStatus('up'), 20_000, onFollower.frames.indexOf(down) + 1);

      // the bus goes: the follower says down, with why
      const before = onFollower.frames.length;
      await redis.close();
      const lost = await onFollower.next(isStatus('down'), 15_000, before);
      assert.match(lost.reason as string, /bus \(redis\) unavailable|gone silent/);
      assert.ok((lost.since as number) <= (lost.tms as number));
      // and a client connecting now is told the same at once
      const late = await TestClient.connect(`${follower.ws}?snapshot=false&exchange=upbit`);
      const told = await late.next(isStatus(), 5000);
      assert.equal(told.state, 'down');
      await late.close();
    } finally {
      await onLeader.close();
      await onFollower.close();
    }
  });
});
