// Exchange worker threads run nicer than the main thread (config `exchanges.<id>.nice`, worker/priority.ts): read
// from the outside, in /proc, on a real gateway with real worker threads. Linux only (elsewhere the worker reports
// that it could not and runs as it is).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseConfig } from '../../kernel/config.ts';
import { waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

/** thread id → niceness, for every thread of this process */
function niceness(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // the fields after the command name: state is the first, nice (field 19 of proc(5)) the 17th
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      /* ended meanwhile */
    }
  }
  return out;
}

const linux = process.platform === 'linux';

describe('exchange worker thread priority', { skip: !linux && 'per-thread priorities are read from Linux /proc' }, () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const before0 = linux ? niceness() : new Map<number, number>();

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway({ exchanges: { feed: { url: feed.url, symbols: ['BTC/KRW'], channels: ['trade'], nice: 7 } } }, { pluginsDir: TEST_PLUGINS_DIR });
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
  });

  after(async () => {
    await gw?.kernel.close();
    await feed?.close();
  });

  it('runs the exchange worker at the configured niceness above the main thread, and nothing else', () => {
    const now = niceness();
    const mine = process.pid;
    const base = now.get(mine)!;
    const raised = [...now].filter(([tid, n]) => !before0.has(tid) && n === Math.min(19, base + 7));
    assert.equal(raised.length, 1, `one new thread at nice ${base + 7}: ${JSON.stringify([...now])}`);
    assert.equal(now.get(mine), before0.get(mine), 'the main thread keeps its priority');
    const others = [...now].filter(([tid, n]) => tid !== raised[0]![0] && n !== base);
    assert.deepEqual(others, [], 'no other thread changed');
  });

  it('defaults to 5 and takes 0 to 19 only', () => {
    const ex = (nice?: unknown) => ({ exchanges: { binance: { symbols: ['BTC/USDT'], ...(nice === undefined ? {} : { nice }) } } });
    assert.equal(parseConfig(ex()).exchanges.binance!.nice, 5);
    assert.equal(parseConfig(ex(0)).exchanges.binance!.nice, 0);
    for (const bad of [-1, 20, 2.5, 'high']) assert.throws(() => parseConfig(ex(bad)), /nice/);
  });
});
