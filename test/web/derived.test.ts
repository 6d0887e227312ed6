// The monitor page's premium board and candle chart in a real Chromium: the board per base asset, pair and basis,
// coloured by size; the chart loads closed candles from /api/history, then follows live candle records.
// Saves a screenshot to test-artifacts/monitor-derived.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { TestClient } from '../support/client.ts';
import type { Gateway, Harness } from '../derived/harness.ts';
import { startHarness, venue } from '../derived/harness.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface ChartHook {
  state: { ex?: string; cd?: string; iv: string; bars: number; lastTime: number; pending?: unknown[] };
  series: { data(): { time: number; open: number; close: number }[] };
}
/** the derived panel's test hook (web/derived.js) */
type Hooked = { __derived?: { board: unknown; chart: ChartHook } };

describe('premium board and candle chart in a real browser', () => {
  let h: Harness;
  let gw: Gateway;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const start = Math.floor(Date.now() / 1000) * 1000 - 12_000;

  before(async () => {
    h = await startHarness(1400);
    gw = await h.start({
      exchanges: { qa: venue(h, 'qa', ['BTC/KRW', 'ETH/KRW']), qb: venue(h, 'qb', ['BTC/KRW']), qc: venue(h, 'qc', ['BTC/USDT', 'ETH/USDT']) },
      derived: {
        minIntervalMs: 50,
        premium: [
          { exchange: 'qa', reference: 'qc' },
          { exchange: 'qb', reference: 'qc' },
          { exchange: 'qb', reference: 'qa' },
        ],
        fx: { url: h.fx.quoteUrl, intervalMs: 200 },
        candles: { intervals: ['1s', '1m'], exchanges: ['qa'] },
      },
    });
    // ten closed 1 s candles in history before the page opens
    const c = await TestClient.connect(`${gw.ws}?type=candle`);
    for (let i = 0; i <= 10; i++) h.trade('qa', 'BTC/KRW', 145_000_000 + (i % 3) * 200_000 - i * 50_000, 0.1 + i / 100, start + i * 1000 + 100);
    await c.next((f) => f.iv === '1s' && f.cl === true && f.tms === start + 9000);
    await c.close();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => process.env.DEBUG_PAGE && process.stderr.write(`console: ${m.text()}\n`));
    page.on('pageerror', (e) => process.env.DEBUG_PAGE && process.stderr.write(`pageerror: ${e.message}\n`));
    await page.goto(gw.http);
  });

  after(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page?.screenshot({ path: `${ARTIFACTS}monitor-derived.png`, fullPage: true }).catch(() => {});
    await browser?.close();
    await gw?.kernel.close();
    await h?.close();
  });

  it('shows each base asset, each pair and both bases, coloured by the size of the premium', async () => {
    await page.waitForFunction(() => !document.getElementById('premium-section')!.hidden);
    const t = Date.now();
    h.ticker('qa', 'USDT/KRW', 1420, t);
    h.ticker('qb', 'USDT/KRW', 1430, t);
    h.ticker('qc', 'BTC/USDT', 100_000, t);
    h.ticker('qc', 'ETH/USDT', 3_000, t);
    h.ticker('qa', 'BTC/KRW', 147_000_000, t + 1); // +3.52 % USDT, +5.00 % FX
    h.ticker('qa', 'ETH/KRW', 4_000_000, t + 1); // −6.10 % USDT, −4.76 % FX
    h.ticker('qb', 'BTC/KRW', 146_000_000, t + 1); // −0.68 % against qa
    const cell = (base: string, pair: string, basis: 'pu' | 'pf') => page.locator(`#premium tr[data-base="${base}"] td.pb-${basis}[data-pair="${pair}"]`);
    const waitCell = (base: string, pair: string, basis: 'pu' | 'pf', want: string) =>
      page.waitForFunction(([sel, w]) => document.querySelector(sel)?.textContent === w, [`#premium tr[data-base="${base}"] td.pb-${basis}[data-pair="${pair}"]`, want] as const);
    await waitCell('BTC', 'qa vs qc', 'pu', `+${((147_000_000 / (100_000 * 1420) - 1) * 100).toFixed(2)}%`);
    await waitCell('BTC', 'qa vs qc', 'pf', '+5.00%');
    await waitCell('ETH', 'qa vs qc', 'pf', `−${(-(4_000_000 / (3_000 * 1400) - 1) * 100).toFixed(2)}%`);
    await waitCell('BTC', 'qb vs qa', 'pu', `−${(-(146_000_000 / 147_000_000 - 1) * 100).toFixed(2)}%`);
    await waitCell('BTC', 'qb vs qc', 'pu', `+${((146_000_000 / (100_000 * 1430) - 1) * 100).toFixed(2)}%`);
    const groups = await page.locator('#premium th[scope=colgroup]').allTextContents();
    assert.deepEqual(new Set(groups), new Set(['qa vs qc', 'qb vs qc', 'qb vs qa']));
    assert.deepEqual(await page.locator('#premium tbody th[scope=row]').allTextContents(), ['BTC', 'ETH']);
    // ETH has no qb market: its qb cells stay empty
    assert.equal(await cell('ETH', 'qb vs qc', 'pu').textContent(), '–');
    const colour = (l: ReturnType<typeof cell>) => l.evaluate((e) => getComputedStyle(e).backgroundColor);
    const alpha = (c: string) => Number(/rgba\(\d+, \d+, \d+, ([\d.]+)\)/.exec(c)![1]);
    const big = await colour(cell('BTC', 'qa vs qc', 'pf'));
    const small = await colour(cell('BTC', 'qb vs qa', 'pu'));
    const negative = await colour(cell('ETH', 'qa vs qc', 'pf'));
    assert.match(big, /^rgba\(248, 81, 73,/, 'a premium above parity is red');
    assert.match(negative, /^rgba\(88, 166, 255,/, 'a discount is blue');
    assert.ok(alpha(big) > alpha(small), `stronger colour for a larger premium (${big} vs ${small})`);
  });

  it('loads closed candles from /api/history, then draws the live candle records', async () => {
    await page.waitForFunction(() => {
      const s = (window as unknown as Hooked).__derived?.chart.state;
      return s?.cd === 'BTC/KRW' && s.pending === undefined && s.bars >= 10;
    });
    const loaded = await page.evaluate(() => (window as unknown as Hooked).__derived!.chart.series.data().map((b) => b.time));
    assert.ok(loaded.length >= 10);
    assert.equal(loaded[0], start / 1000);
    assert.match(await page.locator('#chart .cc-status').textContent() ?? '', /closed from history/);
    // a live trade in a later second adds a bar; a second one in the same second moves its close
    const live = start + 20_000;
    h.trade('qa', 'BTC/KRW', 150_000_000, 0.5, live);
    await page.waitForFunction((t) => (window as unknown as Hooked).__derived!.chart.series.data().some((b) => b.time === t), live / 1000);
    h.trade('qa', 'BTC/KRW', 151_000_000, 0.5, live + 10);
    await page.waitForFunction((t) => (window as unknown as Hooked).__derived!.chart.series.data().find((b) => b.time === t)?.close === 151_000_000, live / 1000);
    const bar = await page.evaluate((t) => (window as unknown as Hooked).__derived!.chart.series.data().find((b) => b.time === t), live / 1000);
    assert.equal(bar!.open, 150_000_000);
    // the chart is drawn on canvases by lightweight-charts, served by the gateway itself
    assert.ok((await page.locator('#chart canvas').count()) > 0);
    const lib = await fetch(`${gw.http}/vendor/lightweight-charts.mjs`);
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get('content-type') ?? '', /javascript/);
    assert.deepEqual(errors, []);
  });
});
