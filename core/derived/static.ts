// Serves the monitor page's ES modules (web/*.js) and the charting library from node_modules (no CDN).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';

const WEB_DIR = new URL('../../web/', import.meta.url);
const MODULE_NAME = /^[a-z][a-z0-9-]{0,40}\.js$/;

/** TradingView's lightweight-charts, the standalone ES module build */
function chartsPath(): string {
  // the package exports only "." and "./package.json": find its folder from the latter
  const pkg = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  return join(dirname(pkg), 'dist', 'lightweight-charts.standalone.production.mjs');
}

export function registerStaticModules(app: Hono): void {
  const cache = new Map<string, string>();
  const js = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' };
  app.get('/web/:file', (c) => {
    const file = c.req.param('file');
    if (!MODULE_NAME.test(file)) return c.json({ error: 'NOT_FOUND', message: `no module ${file}` }, 404);
    try {
      const text = cache.get(file) ?? readFileSync(new URL(file, WEB_DIR), 'utf8');
      cache.set(file, text);
      return c.body(text, 200, js);
    } catch {
      return c.json({ error: 'NOT_FOUND', message: `no module ${file}` }, 404);
    }
  });
  app.get('/vendor/lightweight-charts.mjs', (c) => {
    let text = cache.get('lightweight-charts');
    if (!text) cache.set('lightweight-charts', (text = readFileSync(chartsPath(), 'utf8')));
    return c.body(text, 200, { ...js, 'cache-control': 'max-age=3600' });
  });
}
