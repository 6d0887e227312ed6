// Korbit's public WebSocket v2 on the wire: endpoints, market codes, the subscribe request, keep-alive and limits.

import { marketCode as codeOf } from '../../sdk/index.ts';
import type { CodeFormat, ExchangeLimits, RecordType } from '../../sdk/index.ts';

/** Korbit (now Digital X) still serves its public socket on the former host; `url` can name the new one. */
export const DEFAULT_URL = 'wss://ws-api.korbit.co.kr/v2/public';
export const DEFAULT_REST_URL = 'https://api.korbit.co.kr';

/**
 * The server sends a WebSocket ping every 30 s (answered by the socket layer). We ping it too, every 30 s, so a
 * dead link is seen from our side as well; Korbit answers protocol pings.
 */
export const KEEP_ALIVE_MS = 30_000;

/** Not published. One connection carries every market (one request, one frame); reconnects paced to 2 a second. */
export const LIMITS: ExchangeLimits = { connectsPerSecond: 2, windowMs: 1000 };

/** `BTC/KRW` → `btc_krw`: Korbit's codes are lower case and case sensitive (`BTC_KRW` is INVALID_SYMBOL) */
export const CODE: CodeFormat = (base, quote) => `${base.toLowerCase()}_${quote.toLowerCase()}`;

export const marketCode = (symbol: string): string => codeOf(symbol, CODE);

/**
 * The one subscribe request: a JSON array (a bare object is refused as `invalid_format`) with one entry per type,
 * each listing every market. `requestId` makes the server acknowledge each entry (`{"status":"success",...}`).
 */
export function subscribeFrame(channels: readonly RecordType[], codes: readonly string[]): string {
  return JSON.stringify(channels.map((type, i) => ({ requestId: i + 1, method: 'subscribe', type, symbols: codes })));
}
