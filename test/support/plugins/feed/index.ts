// A minimal plugin for kernel tests: trades as `{"sym":"BTC/KRW","p":1,"q":2,"ts":..,"id":"7"}` text frames.
// The frame `crash` makes it throw outside the mapper's call (an uncaught error), as a buggy plugin would.

import { definePlugin } from '../../../../sdk/plugin.ts';
import { badFrame } from '../../../../sdk/errors.ts';

export default definePlugin({
  id: 'feed',
  apiVersion: 1,
  channels: ['trade'],
  defaultUrls: () => ({ url: 'ws://127.0.0.1:9' }),
  marketCode(symbol) {
    if (!/^[A-Z0-9]+\/[A-Z0-9]+$/.test(symbol)) throw new Error(`not BASE/QUOTE: ${symbol}`);
    return symbol.replace('/', '-');
  },
  // whole-universe selections: GET <restUrl>/markets → [{"s":"BTC/KRW"}, ...] (test/support/feed-server.ts)
  markets: {
    url: (config) => `${config.restUrl}/markets`,
    parse(body) {
      const list = JSON.parse(body) as { s: string }[];
      if (!Array.isArray(list)) throw badFrame('feed: market list is not an array');
      return list.map((m) => ({ symbol: m.s, code: m.s.replace('/', '-') }));
    },
  },
  connections(config) {
    return [
      {
        name: 'main',
        url: config.url,
        subscribe: [JSON.stringify({ subscribe: config.symbols })],
        createMapper: () => ({
          onMessage(text, _rtms, out) {
            if (text === 'crash') {
              setTimeout(() => {
                throw new Error('plugin bug: crash requested');
              });
              return;
            }
            const m = JSON.parse(text) as { sym?: string; p?: number; q?: number; ts?: number; id?: string };
            if (typeof m.sym !== 'string' || typeof m.p !== 'number' || typeof m.q !== 'number' || typeof m.ts !== 'number') {
              throw badFrame('feed: missing fields');
            }
            out.emit({ ty: 'trade', ex: 'feed', cd: m.sym, mc: m.sym.replace('/', '-'), tms: m.ts, tp: m.p, tv: m.q, ab: 'BID', ...(m.id ? { sid: m.id } : {}) });
          },
        }),
      },
    ];
  },
});
