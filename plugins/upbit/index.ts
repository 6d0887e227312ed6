// The Upbit plugin: Upbit's endpoints and limits wired to the shared Upbit-format plan and mapper (_upbit-format/).

import { definePlugin, PLUGIN_API_VERSION } from '../../sdk/index.ts';
import { quoteBaseCode } from '../_upbit-format/code.ts';
import { upbitStyleMarkets } from '../_upbit-format/markets.ts';
import { upbitStylePlan } from '../_upbit-format/plan.ts';
import { upbitStylePrivatePlan } from '../_upbit-format/private.ts';
import { numberTime } from '../_upbit-format/time.ts';
import { UPBIT_PRIVATE } from './private.ts';

export default definePlugin({
  id: 'upbit',
  apiVersion: PLUGIN_API_VERSION,
  channels: ['ticker', 'trade', 'orderbook'],
  // Published: 5 connection attempts and 5 data requests per second per IP.
  limits: { connectsPerSecond: 5, sendsPerSecond: 5, windowMs: 1000 },
  defaultUrls: () => ({ url: 'wss://api.upbit.com/websocket/v1', restUrl: 'https://api.upbit.com' }),
  marketCode: (symbol) => quoteBaseCode(symbol),
  markets: upbitStyleMarkets('upbit', 'https://api.upbit.com'),
  // Upbit sends its times as JSON numbers (ms, sometimes µs)
  connections: (config) => [upbitStylePlan(config, { ex: 'upbit', readTime: numberTime })],
  privateConnection: (account, config) => upbitStylePrivatePlan(account, config, UPBIT_PRIVATE),
});
