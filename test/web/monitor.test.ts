// The monitor page in a real Chromium against an in-process gateway fed by the `feed` test plugin.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { GatewayClient } from '../../clients/typescript/src/index.ts';
import { waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

declare global {
  interface Window {
    /** the page's test hook: feeds one record through the same path as a WebSocket frame */
    __monitor: {
      ingest(record: Record<string, unknown>): void;
      event(ev: Record<string, unknown>): void;
      state: { trades: { tp?: number }[]; gaps: number };
      client: GatewayClient;
    };
    __sdk?: { got: Record<string, unknown>[]; client: GatewayClient };
    __pwned?: unknown;
  }
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const GREEN = 'rgb(63, 185, 80)';
const RED = 'rgb(248, 81, 73)';

const feedExchange = (url: string) => ({
  feed: { url, symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } },
});

describe('monitor page in a real browser', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let restarted: Awaited<ReturnType<typeof startGateway>> | undefined;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** the URLs of the WebSockets the page opened, and the text frames it sent */
  const sockets: string[] = [];
  const sent: string[] = [];

  const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();
  const waitText = (selector: string, want: string | RegExp) =>
    page.waitForFunction(
      ([sel, src, isRe]) => {
        const t = document.querySelector(sel)?.textContent?.trim() ?? '';
        return isRe ? new RegExp(src).test(t) : t === src;
      },
      [selector, typeof want === 'string' ? want : want.source, typeof want !== 'string'] as const,
    );
  const ingest = (record: Record<string, unknown>) => page.evaluate((r) => window.__monitor.ingest(r), record);
  const firstTrade = () =>
    page.evaluate(() => {
      const tr = document.querySelector<HTMLTableRowElement>('#trades tbody tr');
      if (!tr) return null;
      const side = tr.querySelector('td.side')!;
      return { cls: tr.className, cells: Array.from(tr.cells, (c) => c.textContent), colour: getComputedStyle(side).color };
    });

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway({ nodeId: 'monitor-a', exchanges: feedExchange(feed.url) }, { pluginsDir: TEST_PLUGINS_DIR });
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    // Uncaught errors only: refused connections while the gateway restarts are logged by Chromium itself.
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('websocket', (ws) => {
      sockets.push(ws.url());
      ws.on('framesent', (f) => typeof f.payload === 'string' && sent.push(f.payload));
    });
    await page.goto(gw.http);
  });

  after(async () => {
    await page?.screenshot({ path: '/tmp/monitor.png', fullPage: true }).catch(() => {});
    await browser?.close();
    await restarted?.kernel.close();
    await gw?.kernel.close();
    await feed?.close();
  });

  it('shows the node id, mode and role from /ws/info and its own WebSocket as connected', async () => {
    await waitText('#ws-status', 'connected');
    await waitText('#node', 'monitor-a');
    assert.equal(await text('#mode'), 'standalone');
    assert.equal(await text('#role'), 'standalone');
    assert.match(await text('#rate'), /^\d+$/);
  });

  it('connects through the client SDK served by the gateway, with one WebSocket and no second client in the page', async () => {
    const sdk = await fetch(`${gw.http}/web/sdk.js`);
    assert.equal(sdk.status, 200);
    assert.match(sdk.headers.get('content-type') ?? '', /javascript/);
    assert.match(await sdk.text(), /GatewayClient = class extends Emitter/);
    assert.equal((await fetch(`${gw.http}/web/..%2Fpackage.json`)).status, 404);
    assert.equal(await page.evaluate(() => typeof window.__monitor.client.latest), 'function');
    assert.deepEqual(sockets.map((u) => new URL(u).pathname), ['/ws/exchange']);
    const modules = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js')));
    assert.ok(modules.includes('/web/sdk.js') && modules.includes('/web/monitor.js'), modules.join());
  });

  it('lists pushed trades newest first, BID rows green and ASK rows red', async () => {
    const ts = Date.now();
    for (let i = 1; i <= 3; i++) feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 100 + i, q: i, ts: ts + i, id: String(i) }));
    await page.waitForFunction(() => document.querySelector('#trades tbody tr td:nth-child(4)')?.textContent === '103');
    const bid = (await firstTrade())!;
    assert.match(bid.cells[0]!, /^\d\d:\d\d:\d\d\.\d{3}$/);
    assert.deepEqual(bid.cells.slice(1), ['feed', 'BTC/KRW', '103', '3', 'BID']);
    assert.match(bid.cls, /\bbid\b/);
    assert.equal(bid.colour, GREEN);
    assert.equal(await page.locator('#trades tbody tr').count(), 3);

    await ingest({ ty: 'trade', ex: 'upbit', cd: 'BTC/KRW', tms: ts, tp: 95_000_000, tv: 0.0123, ab: 'ASK', sid: '9' });
    await page.waitForFunction(() => document.querySelector('#trades tbody tr td:nth-child(2)')?.textContent === 'upbit');
    const ask = (await firstTrade())!;
    assert.deepEqual(ask.cells.slice(1), ['upbit', 'BTC/KRW', '95,000,000', '0.0123', 'ASK']);
    assert.match(ask.cls, /\bask\b/);
    assert.equal(ask.colour, RED);
  });

  it('shows the feed exchange as connected and healthy in the status panel', async () => {
    // The panel polls every 2 s: wait for a poll that has seen the trades pushed above.
    await page.waitForFunction(() => {
      const row = document.querySelector('#status tr[data-ex="feed"]');
      const badges = Array.from(row?.querySelectorAll('.badge') ?? [], (b) => b.textContent);
      const messages = Number(row?.querySelectorAll('td')[5]?.textContent?.replace(/,/g, '') ?? 0);
      return badges.join() === 'connected,healthy' && messages >= 3;
    });
    const row = page.locator('#status tr[data-ex="feed"]');
    assert.equal(await row.locator('th').textContent(), 'feed');
    const cells = await row.locator('td').allTextContents();
    assert.match(cells[0]!, /^connected\s*healthy$/);
    assert.equal(cells[2], 'main');
    assert.equal(cells[3], 'open');
    assert.ok(Number(cells[5]!.replace(/,/g, '')) >= 3, `messages ${cells[5]}`);
    const infra = await text('#infra');
    assert.match(infra, /bus direct ok/);
    assert.match(infra, /kafka off/);
    assert.match(infra, /zookeeper off/);
    assert.match(infra, /redis off/);
    assert.ok(await page.locator('#ex-filters input[data-ex="feed"]').isChecked());
  });

  it('shows each exchange\'s stream status from status events, with since, reason and resync counts', async () => {
    const since = Date.now() - 5000;
    const ev = (e: Record<string, unknown>) => page.evaluate((x) => window.__monitor.event(x), e);
    await ev({ event: 'status', exchange: 'upbit', state: 'degraded', since, tms: Date.now(), reason: 'orderbook resynchronizing' });
    await ev({ event: 'status', exchange: 'binance', state: 'down', since, tms: Date.now(), reason: 'connection refused (429)' });
    await ev({ event: 'resync', exchange: 'upbit', symbol: 'BTC/KRW', type: 'orderbook', tms: Date.now() });
    await page.waitForFunction(() => document.querySelector('#streams tr[data-ex="binance"]')?.getAttribute('data-state') === 'down' &&
      document.querySelector('#streams tr[data-ex="upbit"] td:last-child')?.textContent === '1');
    const row = (ex: string) => page.locator(`#streams tr[data-ex="${ex}"] td`).allTextContents();
    const upbit = await row('upbit');
    assert.equal(upbit[0], 'degraded');
    assert.match(upbit[1]!, /^\d\d:\d\d:\d\d$/);
    assert.deepEqual(upbit.slice(2), ['orderbook resynchronizing', '1']);
    assert.equal((await row('binance'))[2], 'connection refused (429)');
    assert.match((await page.locator('#streams tr[data-ex="binance"] .badge').getAttribute('class'))!, /\bbad\b/);
    await ev({ event: 'status', exchange: 'upbit', state: 'up', since: Date.now(), tms: Date.now() });
    await page.waitForFunction(() => document.querySelector('#streams tr[data-ex="upbit"]')?.getAttribute('data-state') === 'up');
    assert.equal((await row('upbit'))[2], '');
    const order = await page.locator('#streams tbody th').allTextContents();
    assert.deepEqual(order.filter((x) => x !== 'feed'), ['binance', 'upbit']);
  });

  it('shows the status the gateway itself sends for the feed exchange', async () => {
    await page.waitForFunction(() => document.querySelector('#streams tr[data-ex="feed"]')?.getAttribute('data-state') === 'up', undefined, { timeout: 15_000 });
  });

  it('renders one ticker row per market with a column group per exchange, and updates only the changed cell', async () => {
    const tms = Date.now();
    await ingest({ ty: 'ticker', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tms, tp: 95_000_000, scr: 0.0123, atp24h: 123_456_000_000, atv24h: 1300.5 });
    await ingest({ ty: 'ticker', ex: 'bithumb', cd: 'BTC/KRW', mc: 'BTC_KRW', tms, tp: 95_010_000, scr: -0.004, atp24h: 45_000_000_000 });
    await ingest({ ty: 'ticker', ex: 'binance', cd: 'BTC/USDT', mc: 'BTCUSDT', tms, tp: 67_000.5, scr: 0.002, atp24h: 1_500_000_000 });
    await ingest({ ty: 'ticker', ex: 'binance', cd: 'ETH/USDT', mc: 'ETHUSDT', tms, tp: 3_150.25, scr: -0.0151, atp24h: 820_000_000 });
    await ingest({ ty: 'ticker', ex: 'upbit', cd: 'ETH/KRW', mc: 'KRW-ETH', tms, tp: 4_420_000, scr: 0, atp24h: 38_000_000_000 });
    await page.waitForFunction(() => document.querySelectorAll('#tickers tbody tr').length === 4);
    const groups = await page.locator('#tickers th[scope=colgroup]').allTextContents();
    assert.deepEqual(groups, ['binance', 'upbit', 'bithumb']);
    const markets = await page.locator('#tickers tbody th[scope=row]').allTextContents();
    assert.deepEqual(markets, ['BTC/KRW', 'BTC/USDT', 'ETH/KRW', 'ETH/USDT']);

    const cell = (cd: string, ex: string, cls: string) => page.locator(`#tickers tr[data-cd="${cd}"] td.${cls}[data-ex="${ex}"]`);
    assert.equal(await cell('BTC/KRW', 'upbit', 'price').textContent(), '95,000,000');
    assert.equal(await cell('BTC/KRW', 'bithumb', 'price').textContent(), '95,010,000');
    assert.equal(await cell('BTC/KRW', 'binance', 'price').textContent(), '');
    assert.equal(await cell('BTC/USDT', 'binance', 'price').textContent(), '67,000.50');
    assert.equal(await cell('BTC/KRW', 'upbit', 'chg').textContent(), '+1.23%');
    assert.match((await cell('BTC/KRW', 'upbit', 'chg').getAttribute('class'))!, /\bup\b/);
    assert.equal(await cell('BTC/KRW', 'bithumb', 'chg').textContent(), '-0.40%');
    assert.match((await cell('BTC/KRW', 'bithumb', 'chg').getAttribute('class'))!, /\bdown\b/);
    assert.equal(await cell('BTC/KRW', 'upbit', 'vol').textContent(), '123.46B');
    assert.equal(await cell('BTC/USDT', 'binance', 'vol').textContent(), '1.5B');

    // The row element survives an update (no re-render), and the changed price flashes.
    await page.evaluate(() => Object.assign(document.querySelector('#tickers tr[data-cd="BTC/KRW"]')!, { __mark: 1 }));
    await ingest({ ty: 'ticker', ex: 'upbit', cd: 'BTC/KRW', tms: tms + 1, tp: 95_100_000, scr: 0.0134 });
    await page.waitForFunction(() => document.querySelector('#tickers tr[data-cd="BTC/KRW"] td.price[data-ex="upbit"]')?.textContent === '95,100,000');
    const after = await page.evaluate(() => {
      const row = document.querySelector('#tickers tr[data-cd="BTC/KRW"]') as HTMLTableRowElement & { __mark?: number };
      return { mark: row.__mark, animations: row.querySelector('td.price[data-ex="upbit"]')!.getAnimations().length };
    });
    assert.deepEqual(after, { mark: 1, animations: 1 });
  });

  it('shows the order book of a clicked ticker cell with asks above bids', async () => {
    await ingest({
      ty: 'orderbook', ex: 'upbit', cd: 'BTC/KRW', mc: 'KRW-BTC', tms: Date.now(),
      obu: [{ ap: 95_010_000, as: 0.5, bp: 95_000_000, bs: 1.2 }, { ap: 95_020_000, as: 0.1, bp: 94_990_000, bs: 2 }, { bp: 94_980_000, bs: 0.3 }],
      tas: 0.6, tbs: 3.5,
    });
    await page.locator('#tickers tr[data-cd="BTC/KRW"] td.price[data-ex="upbit"]').click();
    await waitText('#book-caption', /^upbit BTC\/KRW/);
    const rows = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLTableRowElement>('#book tbody tr'), (tr) => `${tr.className}:${Array.from(tr.cells, (c) => c.textContent).join(' ')}`),
    );
    assert.deepEqual(rows, [
      'ask:95,020,000 0.1', 'ask:95,010,000 0.5', 'spread:spread 10,000 (0.011%)',
      'bid:95,000,000 1.2', 'bid:94,990,000 2', 'bid:94,980,000 0.3',
    ]);
    assert.match((await page.locator('#tickers tr[data-cd="BTC/KRW"]').getAttribute('class'))!, /\bsel\b/);
  });

  it('puts text from the wire into the page as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    await ingest({ ty: 'trade', ex: evil, cd: `${evil}/KRW`, tms: Date.now(), tp: 1, tv: 1, ab: evil });
    await page.waitForFunction(() => document.querySelector('#trades tbody tr td:nth-child(2)')?.textContent?.startsWith('<img'));
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator(`#trades tbody tr >> nth=0 >> td >> nth=2`).textContent(), `${evil}/KRW`);
  });

  it('hides trades and ticker rows that do not match the symbol filter, and columns of unchecked exchanges', async () => {
    await page.locator('#sym-filter').fill('eth');
    feed.push(JSON.stringify({ sym: 'ETH/KRW', p: 5, q: 2, ts: Date.now(), id: '10' }));
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 104, q: 1, ts: Date.now(), id: '11' }));
    await page.waitForFunction(() => document.querySelector('#trades tbody tr td:nth-child(3)')?.textContent === 'ETH/KRW');
    // wait for the BTC trade to have been processed, then check it is not listed
    await page.waitForFunction(() => window.__monitor.state.trades.some((t) => t.tp === 104));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const listed = await page.locator('#trades tbody tr td:nth-child(3)').allTextContents();
    assert.ok(listed.length > 0 && listed.every((cd) => cd.includes('ETH')), listed.join());
    const visibleRows = await page.locator('#tickers tbody tr:not([hidden]) th').allTextContents();
    assert.deepEqual(visibleRows, ['ETH/KRW', 'ETH/USDT']);

    await page.locator('#ex-filters input[data-ex="upbit"]').uncheck();
    assert.equal(await page.locator('#tickers th[scope=colgroup][data-ex="upbit"]').isHidden(), true);
    assert.equal(await page.locator('#tickers td[data-ex="upbit"]:not([hidden])').count(), 0);
    assert.deepEqual(await page.locator('#tickers tbody tr:not([hidden]) th').allTextContents(), ['ETH/USDT']);

    await page.locator('#ex-filters input[data-ex="upbit"]').check();
    await page.locator('#sym-filter').fill('');
    assert.equal(await page.locator('#tickers tbody tr[hidden]').count(), 0);
    const all = await page.locator('#trades tbody tr td:nth-child(3)').allTextContents();
    assert.ok(all.includes('BTC/KRW') && all.includes('ETH/KRW'), all.join());
  });

  it('reconnects when the gateway restarts and shows the new node', async () => {
    const port = gw.kernel.port;
    await gw.kernel.close();
    await waitText('#ws-status', /^reconnecting/);
    restarted = await startGateway(
      { nodeId: 'monitor-b', server: { host: '127.0.0.1', port }, exchanges: feedExchange(feed.url) },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker reconnection');
    await waitText('#node', 'monitor-b');
    await waitText('#ws-status', 'connected');
    feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 777, q: 1, ts: Date.now(), id: '12' }));
    await page.waitForFunction(() => document.querySelector('#trades tbody tr td:nth-child(4)')?.textContent === '777');
    // The SDK asked to resume every key it held; the new process has no history of the old epoch, so gaps are shown.
    const resume = sent.map((t) => JSON.parse(t) as { method?: string; resume?: { ex: string; ty: string; cd: string; ep: number; sq: number }[] })
      .find((m) => m.method === 'subscribe' && Array.isArray(m.resume));
    assert.ok(resume, `frames sent: ${sent.join(' ')}`);
    assert.ok(resume.resume!.some((e) => e.ex === 'feed' && e.ty === 'trade' && e.cd === 'BTC/KRW' && e.sq >= 1), JSON.stringify(resume));
    assert.equal(new URL(sockets[1]!).searchParams.get('wait'), 'true', 'a resuming reconnect asks for nothing before its subscribe');
    await page.waitForFunction(() => window.__monitor.state.gaps >= 1);
    assert.deepEqual(pageErrors, []);
  });

  it('runs the SDK in the browser with msgpack frames, typed callbacks and the latest pool', async () => {
    await page.evaluate((url) => {
      const Client = window.__monitor.client.constructor as unknown as new (o: Record<string, unknown>) => GatewayClient;
      const client = new Client({ url, format: 'msgpack', type: 'trade', snapshot: false });
      const got: Record<string, unknown>[] = [];
      client.on('trade', (t) => got.push(t as unknown as Record<string, unknown>));
      window.__sdk = { got, client };
      return client.start();
    }, restarted!.ws);
    feed.push(JSON.stringify({ sym: 'ETH/KRW', p: 4321, q: 2, ts: Date.now(), id: '13' }));
    await page.waitForFunction(() => (window.__sdk?.got.length ?? 0) >= 1);
    const seen = await page.evaluate(() => {
      const { got, client } = window.__sdk!;
      const latest = client.latest('feed', 'ETH/KRW', 'trade');
      client.close();
      return { first: got[0], latest: latest && { tp: latest.tp, sid: latest.sid }, binary: sockets() };
      function sockets() { return client.connected; }
    });
    assert.equal(seen.first!.tp, 4321);
    assert.equal(seen.first!.sid, '13');
    assert.deepEqual(seen.latest, { tp: 4321, sid: '13' });
    assert.equal(seen.binary, false);
    assert.ok(sockets.some((u) => new URL(u).searchParams.get('format') === 'msgpack'));
  });
});
