// The Bithumb plugin: both APIs, chosen by `api` in config: v1 (default, Upbit-compatible) or legacy.

import { definePlugin, PLUGIN_API_VERSION } from '../../sdk/index.ts';
import { quoteBaseCode } from '../_upbit-format/code.ts';
import { upbitStyleMarkets } from '../_upbit-format/markets.ts';
import { upbitStylePrivatePlan } from '../_upbit-format/private.ts';
import { apiOf, ENDPOINTS } from './api.ts';
import { legacyCode, legacyPlan } from './legacy-plan.ts';
import { BITHUMB_PRIVATE } from './private.ts';
import { v1Plan } from './v1.ts';

export default definePlugin({
  id: 'bithumb',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  // Published: 10 connection attempts per second per IP. REST (legacy book snapshots): no limit in our notes, so a
  // conservative 10 per second.
  limits: { connectsPerSecond: 10, requestsPerMinute: 600, windowMs: 1000 },
  defaultUrls: (options) => ({ ...ENDPOINTS[apiOf(options)] }),
  marketCode: (symbol, config) => (apiOf(config.options) === 'legacy' ? legacyCode(symbol) : quoteBaseCode(symbol)),
  // both APIs: the v1 market list on the same REST host (the legacy API lists markets per quote only)
  markets: upbitStyleMarkets('bithumb', ENDPOINTS.v1.restUrl),
  connections: (config) => [apiOf(config.options) === 'legacy' ? legacyPlan(config) : v1Plan(config)],
  // the private streams are the same for both public APIs; their URL follows the v1 public URL unless configured
  privateConnection: (account, config) =>
    upbitStylePrivatePlan(account, apiOf(config.options) === 'legacy' ? { ...config, url: 'wss://ws-api.bithumb.com/websocket/v1' } : config, BITHUMB_PRIVATE),
});
