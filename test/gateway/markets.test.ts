// Whole-universe subscriptions (SPEC §7): `symbols: {quote: [...]}` / `all` follow the exchange's market list, and
// each listing and delisting reaches clients as a `listing` record.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';
import { selects } from '../../worker/markets.ts';

const lastSubscription = (feed: FeedServer) => (JSON.parse(feed.received.at(-1)!) as { subscribe: string[] }).subscribe;

describe('symbols: {quote: [KRW]} follows the market list', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    feed = await startFeedServer();
    feed.markets = ['BTC/KRW', 'ETH/KRW', 'BTC/USDT'];
    gw = await startGateway(
      {
        exchanges: {
          feed: {
            url: feed.url,
            restUrl: feed.url.replace('ws://', 'http://'),
            symbols: { quote: ['KRW'] },
            marketRefreshMs: 200,
            channels: ['trade'],
            reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
          },
        },
      },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.received.length > 0, 15_000, 'first subscription');
  });

  after(async () => {
    await gw.kernel.close();
    await feed.close();
  });

  it('subscribes to the markets of the selected quotes the list names at start', async () => {
    assert.deepEqual(lastSubscription(feed), ['BTC/KRW', 'ETH/KRW']);
    const subs = (await (await fetch(`${gw.http}/api/subscriptions`)).json()) as { exchanges: Record<string, { symbols: string[] }> };
    assert.deepEqual(subs.exchanges.feed!.symbols, ['BTC/KRW', 'ETH/KRW']);
  });

  it('subscribes a new listing, publishes it as a listing record, and serves its records', async () => {
    const c = await TestClient.connect(`${gw.ws}?type=listing,trade&snapshot=false`);
    feed.markets = [...feed.markets, 'XRP/KRW', 'XRP/USDT'];
    const [listed] = await c.collect((f) => f.ty === 'listing', 1, 10_000);
    assert.equal(listed!.ex, 'feed');
    assert.equal(listed!.cd, 'XRP/KRW');
    assert.equal(listed!.mc, 'XRP-KRW');
    assert.equal(listed!.ls, 'listed');
    assert.equal(listed!.sq, 1);
    assert.equal(typeof listed!.ep, 'number');
    await waitFor(() => lastSubscription(feed).includes('XRP/KRW'), 10_000, 'subscription with XRP/KRW');
    assert.deepEqual(lastSubscription(feed), ['BTC/KRW', 'ETH/KRW', 'XRP/KRW']);
    // the new market is served: a client may filter on it and receives its trades
    await waitFor(async () => (await fetch(`${gw.ws.replace('ws://', 'http://').replace('/ws/exchange', '')}/api/subscriptions`).then((r) => r.json()) as { exchanges: Record<string, { symbols: string[] }> }).exchanges.feed!.symbols.includes('XRP/KRW'), 10_000, 'catalog');
    const x = await TestClient.connect(`${gw.ws}?symbol=XRP/KRW&type=trade&snapshot=false`);
    await waitFor(() => feed.sockets.size > 0, 10_000, 'feed connection');
    feed.push(JSON.stringify({ sym: 'XRP/KRW', p: 700, q: 3, ts: Date.now(), id: '1' }));
    const [trade] = await x.collect((f) => f.ty === 'trade', 1, 10_000);
    assert.equal(trade!.cd, 'XRP/KRW');
    await x.close();
    await c.close();
  });

  it('drops a delisted market and publishes the delisting', async () => {
    const c = await TestClient.connect(`${gw.ws}?type=listing&snapshot=false`);
    feed.markets = feed.markets.filter((s) => s !== 'ETH/KRW');
    const [gone] = await c.collect((f) => f.ty === 'listing', 1, 10_000);
    assert.equal(gone!.cd, 'ETH/KRW');
    assert.equal(gone!.ls, 'delisted');
    await waitFor(() => !lastSubscription(feed).includes('ETH/KRW'), 10_000, 'subscription without ETH/KRW');
    await c.close();
  });

  it('keeps the last listing record per key as a snapshot for new clients', async () => {
    const c = await TestClient.connect(`${gw.ws}?type=listing`);
    const snaps = await c.collect((f) => f.st === 'SNAPSHOT', 2, 10_000);
    assert.deepEqual(snaps.map((s) => `${s.cd} ${s.ls}`).sort(), ['ETH/KRW delisted', 'XRP/KRW listed']);
    await c.close();
  });
});

describe('market selections', () => {
  it('select every market for `all` and markets of the listed quotes otherwise', () => {
    assert.equal(selects('all', 'BTC/EUR'), true);
    assert.equal(selects({ quote: ['KRW', 'USDT'] }, 'BTC/USDT'), true);
    assert.equal(selects({ quote: ['KRW'] }, 'BTC/USDT'), false);
    assert.equal(selects({ quote: ['USD'] }, 'USD/USDT'), false);
  });
});
