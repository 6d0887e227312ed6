// GET /v1/market/all of the simulated Upbit-format venues (Upbit, Bithumb v1 and, on the same REST host, Bithumb's
// legacy API): the listed markets as [{market: "KRW-BTC", korean_name, english_name}], with isDetails honoured.

import type { HttpReply } from '../../sim/sim-server.ts';
import { buildUniverse, KRW_BASE_ASSETS, Listing } from '../../sim/universe.ts';

export const MARKET_ALL_PATH = '/v1/market/all';

/** Korean names of the majors; the long tail is written with its English name in both fields */
const KOREAN: Record<string, string> = {
  BTC: '비트코인',
  ETH: '이더리움',
  XRP: '리플',
  SOL: '솔라나',
  DOGE: '도지코인',
  ADA: '에이다',
  TRX: '트론',
  LINK: '체인링크',
  DOT: '폴카닷',
  AVAX: '아발란체',
};

/** The KRW venues' initial universe: every KRW base against KRW, the first 30 against BTC, the first 10 against USDT. */
export function krwListing(nowMs = Date.now()): Listing {
  return new Listing(
    buildUniverse({ bases: KRW_BASE_ASSETS, quotes: [['KRW', KRW_BASE_ASSETS.length], ['BTC', 30], ['USDT', 10]], extra: ['USDT/KRW', 'USDC/KRW'] }),
    nowMs,
  );
}

/**
 * The answer to GET /v1/market/all. With isDetails=true Upbit adds `market_event` (warning and caution flags) and
 * Bithumb adds `market_warning`; the simulated venues flag nothing.
 */
export function marketAll(listing: Listing, url: URL, variant: 'upbit' | 'bithumb'): HttpReply {
  const details = url.searchParams.get('isDetails') === 'true';
  const body = listing.all().map((m) => {
    const entry: Record<string, unknown> = {
      market: `${m.quote}-${m.base}`,
      korean_name: KOREAN[m.base] ?? m.base,
      english_name: m.base,
    };
    if (details && variant === 'upbit') {
      entry.market_event = {
        warning: false,
        caution: {
          PRICE_FLUCTUATIONS: false,
          TRADING_VOLUME_SOARING: false,
          DEPOSIT_AMOUNT_SOARING: false,
          GLOBAL_PRICE_DIFFERENCES: false,
          CONCENTRATION_OF_SMALL_ACCOUNTS: false,
        },
      };
    }
    if (details && variant === 'bithumb') entry.market_warning = 'NONE';
    return entry;
  });
  return { status: 200, body: JSON.stringify(body) };
}
