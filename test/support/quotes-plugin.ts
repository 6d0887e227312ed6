// A test plugin factory for derived-stage tests: tickers and trades pushed as JSON text frames,
// `{"ty":"ticker","sym":"BTC/KRW","p":1,"ts":..}` or `{"ty":"trade","sym":"BTC/KRW","p":1,"q":0.1,"ts":..}`.
// The folders plugins/qa, qb, qc use it under three exchange ids, so one test can run several "venues".

import { definePlugin } from '../../sdk/plugin.ts';
import { badFrame } from '../../sdk/errors.ts';

export function quotesPlugin(id: string) {
  return definePlugin({
    id,
    apiVersion: 1,
    channels: ['ticker', 'trade'],
    defaultUrls: () => ({ url: 'ws://127.0.0.1:9' }),
    marketCode(symbol) {
      if (!/^[A-Z0-9]+\/[A-Z0-9]+$/.test(symbol)) throw new Error(`not BASE/QUOTE: ${symbol}`);
      return symbol.replace('/', '-');
    },
    connections(config) {
      return [
        {
          name: 'main',
          url: config.url,
          subscribe: [JSON.stringify({ subscribe: config.symbols })],
          createMapper: () => ({
            onMessage(text, _rtms, out) {
              const m = JSON.parse(text) as { ty?: string; sym?: string; p?: number; q?: number; ts?: number };
              if (typeof m.sym !== 'string' || typeof m.p !== 'number' || typeof m.ts !== 'number') throw badFrame(`${id}: missing fields`);
              const base = { ex: id, cd: m.sym, mc: m.sym.replace('/', '-'), tms: m.ts, tp: m.p };
              if (m.ty === 'ticker') out.emit({ ty: 'ticker', ...base });
              else if (m.ty === 'trade' && typeof m.q === 'number') out.emit({ ty: 'trade', ...base, tv: m.q, ab: 'BID' });
              else throw badFrame(`${id}: unknown frame`);
            },
          }),
        },
      ];
    },
  });
}
