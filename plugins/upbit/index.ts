// The Upbit plugin: wires Upbit's endpoints, market codes and its Upbit-format mapper into the contract.

import { definePlugin, PLUGIN_API_VERSION } from '../../sdk/plugin.ts';
import { msTime } from './map.ts';
import { quoteBaseCode } from './market.ts';
import { upbitStylePlan } from './plan.ts';
import { UPBIT_PRIVATE, upbitStylePrivatePlan } from './private.ts';

export default definePlugin({
  id: 'upbit',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  // Published: 5 connection attempts and 5 data requests per second per IP.
  limits: { connectsPerSecond: 5, sendsPerSecond: 5, windowMs: 1000 },
  defaultUrls: () => ({ url: 'wss://api.upbit.com/websocket/v1', restUrl: 'https://api.upbit.com' }),
  marketCode: (symbol) => quoteBaseCode(symbol),
  connections: (config) => [upbitStylePlan(config, { ex: 'upbit', readTime: msTime })],
  privateConnection: (account, config) => upbitStylePrivatePlan(account, config, UPBIT_PRIVATE),
});
