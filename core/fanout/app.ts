// The HTTP side of the gateway as a Hono app: monitor page, health, info, snapshot, infra health, metrics.

import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { GatewayError } from '../errors.ts';
import type { Catalog } from '../filter.ts';
import type { Metrics } from '../metrics.ts';
import type { SnapshotStore } from '../snapshot-store.ts';
import { parseFilterQuery } from './client-protocol.ts';
import type { SubscriptionChange } from '../exchanges.ts';
import type { PluginConfig } from '../plugin.ts';
import { registerStaticModules } from '../derived/static.ts';

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
    /** throws BAD_REQUEST for an invalid change */
    change(exchange: string, change: SubscriptionChange): PluginConfig;
  };
  /** further routes (the derived stage's /api/history, /api/stats) */
  routes?(app: Hono): void;
  /** when set, admin calls need `Authorization: Bearer <token>`; when not, only loopback clients may make them */
  adminToken?: string;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** the address of the peer, where the server adapter provides it */
function remoteAddress(env: unknown): string | undefined {
  return (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

const SNAPSHOT_QUERY = new Set(['exchange', 'symbol', 'type']);

export function createApp(view: GatewayView): Hono {
  const app = new Hono();
  const page = readFileSync(MONITOR_PAGE, 'utf8');
  const started = Date.now();

  app.get('/', (c) => c.html(page));
  app.get('/health', (c) => c.json({ status: 'ok', ...view.info(), uptimeMs: Date.now() - started }));
  app.get('/ws/info', (c) => c.json({ endpoint: WS_PATH, formats: ['json', 'msgpack'], ...view.info() }));
  app.get('/api/ws/infra-health', (c) => c.json(view.infraHealth()));
  app.get('/api/snapshot', (c) => {
    const filter = parseFilterQuery(new URL(c.req.url).searchParams, view.catalog, SNAPSHOT_QUERY);
    return c.json(view.store.select(filter).map((e) => view.store.snapshotRecord(e)));
  });
  app.get('/metrics', (c) =>
    c.body(view.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  // Admin: live subscription changes (docs/configuration.md, "Changing subscriptions at run time").
  app.use('/api/subscriptions', async (c, next) => {
    if (c.req.method === 'GET') return next();
    const token = view.adminToken;
    const auth = c.req.header('authorization');
    if (token ? auth !== `Bearer ${token}` : !LOOPBACK.test(remoteAddress(c.env) ?? '')) {
      view.metrics.counter('gateway_admin_refused_total', 'Admin calls refused for missing credentials').inc();
      return c.json({ error: 'FORBIDDEN', message: token ? 'a valid admin bearer token is required' : 'admin calls are accepted from loopback only (or set GATEWAY_ADMIN_TOKEN)' }, 403);
    }
    return next();
  });
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
    const next = view.subscriptions.change(exchange, change);
    return c.json({ exchange, symbols: next.symbols, channels: next.channels });
  });
  registerStaticModules(app);
  view.routes?.(app);
  app.get(WS_PATH, (c) => c.json({ error: 'UPGRADE_REQUIRED', message: `${WS_PATH} is a WebSocket endpoint` }, 426));

  app.notFound((c) => c.json({ error: 'NOT_FOUND', message: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((err, c) => {
    if (err instanceof GatewayError && err.code === 'BAD_REQUEST') return c.json({ error: err.code, message: err.message }, 400);
    view.metrics.counter('gateway_http_errors_total', 'HTTP requests that failed inside the gateway').inc();
    return c.json({ error: 'INTERNAL', message: 'internal error' }, 500);
  });
  return app;
}
