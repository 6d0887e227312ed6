// The HTTP side of the gateway as a Hono app: monitor page, health, info, snapshot, infra health, metrics.

import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { GatewayError } from '../../sdk/errors.ts';
import type { Catalog } from '../filter.ts';
import type { Metrics } from '../metrics.ts';
import type { SnapshotStore } from '../store/snapshot-store.ts';
import { parseFilterQuery } from './client-protocol.ts';
import type { SubscriptionChange } from '../exchanges.ts';
import type { PluginConfig } from '../../sdk/plugin.ts';
import { registerStaticModules } from '../derived/static.ts';
import { installHttpSecurity, requestIdentity } from '../security/http-guard.ts';
import { restrictFilter } from '../security/identity.ts';
import { pageHeaders } from '../security/page-headers.ts';
import type { Security } from '../security/security.ts';
import { mountWebAssets } from './web-assets.ts';

export const WS_PATH = '/ws/exchange';
const MONITOR_PAGE = new URL('../../web/index.html', import.meta.url);

/** What the app reads from the running gateway. */
export interface GatewayView {
  info(): { mode: string; role: string; nodeId: string };
  infraHealth(): Record<string, unknown>;
  store: SnapshotStore;
  catalog: Catalog;
  metrics: Metrics;
  subscriptions: {
    list(): Record<string, unknown>;
    /** throws BAD_REQUEST for an invalid change, UNAVAILABLE when a cluster cannot store it */
    change(exchange: string, change: SubscriptionChange): PluginConfig | Promise<PluginConfig>;
    /** back to the config file (in a cluster: removes the stored set, for every node) */
    reset?(): Promise<void>;
  };
  /** further routes (the derived stage's /api/history, /api/stats) */
  routes?(app: Hono): void;
  /** client auth, admin guard (GATEWAY_ADMIN_TOKEN or loopback through trusted proxies), limits: kernel/security/ */
  security: Security;
}

const SNAPSHOT_QUERY = new Set(['exchange', 'symbol', 'type']);

export function createApp(view: GatewayView): Hono {
  const app = new Hono();
  const page = readFileSync(MONITOR_PAGE, 'utf8');
  const started = Date.now();
  const headersFor = pageHeaders(page);
  installHttpSecurity(app, view.security);

  app.get('/', (c) => c.html(page, 200, headersFor(c.req.header('host'))));
  mountWebAssets(app);
  app.get('/health', (c) => c.json({ status: 'ok', ...view.info(), uptimeMs: Date.now() - started }));
  app.get('/ws/info', (c) => c.json({ endpoint: WS_PATH, formats: ['json', 'msgpack'], ...view.info() }));
  app.get('/api/ws/infra-health', (c) => c.json(view.infraHealth()));
  app.get('/api/snapshot', (c) => {
    const filter = restrictFilter(parseFilterQuery(new URL(c.req.url).searchParams, view.catalog, SNAPSHOT_QUERY), requestIdentity(c));
    return c.json(view.store.select(filter).map((e) => view.store.snapshotRecord(e)));
  });
  app.get('/metrics', (c) =>
    c.body(view.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  // Admin: live subscription changes (docs/configuration.md, "Changing subscriptions at run time"); guarded by
  // installHttpSecurity (every state-changing /api/* call is an admin call).
  app.get('/api/subscriptions', (c) => c.json({ exchanges: view.subscriptions.list() }));
  app.post('/api/subscriptions', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new GatewayError('BAD_REQUEST', 'body: expected a JSON object');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('BAD_REQUEST', 'body: expected a JSON object');
    const { exchange, ...change } = body as Record<string, unknown>;
    for (const k of Object.keys(change)) {
      if (!['symbols', 'add', 'remove', 'channels'].includes(k)) throw new GatewayError('BAD_REQUEST', `unknown field "${k}"`);
    }
    if (typeof exchange !== 'string') throw new GatewayError('BAD_REQUEST', 'exchange: expected an exchange id');
    const next = await view.subscriptions.change(exchange, change);
    return c.json({ exchange, symbols: next.symbols, channels: next.channels });
  });
  app.delete('/api/subscriptions', async (c) => {
    if (!view.subscriptions.reset) return c.json({ error: 'NOT_FOUND', message: 'nothing to reset' }, 404);
    await view.subscriptions.reset();
    return c.json({ exchanges: view.subscriptions.list() });
  });
  registerStaticModules(app);
  view.routes?.(app);
  app.get(WS_PATH, (c) => c.json({ error: 'UPGRADE_REQUIRED', message: `${WS_PATH} is a WebSocket endpoint` }, 426));

  app.notFound((c) => c.json({ error: 'NOT_FOUND', message: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((err, c) => {
    if (err instanceof GatewayError && err.code === 'BAD_REQUEST') return c.json({ error: err.code, message: err.message }, 400);
    if (err instanceof GatewayError && err.code === 'UNAVAILABLE') return c.json({ error: err.code, message: err.message }, 503);
    if (err instanceof GatewayError && err.code === 'FORBIDDEN') return c.json({ error: err.code, message: err.message }, 403);
    view.metrics.counter('gateway_http_errors_total', 'HTTP requests that failed inside the gateway').inc();
    return c.json({ error: 'INTERNAL', message: 'internal error' }, 500);
  });
  return app;
}
