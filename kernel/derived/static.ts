// Serves the charting library of the monitor page's candle chart from node_modules (no CDN); the page's own modules
// are served by kernel/fanout/web-assets.ts.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';

/** TradingView's lightweight-charts, the standalone ES module build */
function chartsPath(): string {
  // the package exports only "." and "./package.json": find its folder from the latter
  const pkg = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  return join(dirname(pkg), 'dist', 'lightweight-charts.standalone.production.mjs');
}

export function registerStaticModules(app: Hono): void {
  const cache = new Map<string, string>();
  const js = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' };
  app.get('/vendor/lightweight-charts.mjs', (c) => {
    let text = cache.get('lightweight-charts');
    if (!text) cache.set('lightweight-charts', (text = readFileSync(chartsPath(), 'utf8')));
    return c.body(text, 200, { ...js, 'cache-control': 'max-age=3600' });
  });
}
