// GET /api/history and GET /api/stats (SPEC §5) over the derived history; bad parameters are 400 JSON errors.

import type { Hono } from 'hono';
import { GatewayError } from '../../sdk/errors.ts';
import { isSymbol, streamKey } from '../../sdk/model.ts';
import type { HistoryBackend } from './history.ts';
import { durationMs } from './interval.ts';
import type { PremiumPair } from './premium.ts';
import { summarize } from './stats.ts';
import type { PremiumRecord } from './types.ts';

export interface HistoryCatalog {
  /** the configured premium streams */
  pairs: PremiumPair[];
  /** candle intervals and the exchanges that have candles */
  intervals: string[];
  candleExchanges: Set<string>;
  premiumRetentionMs: number;
  history: HistoryBackend;
}

const HISTORY_KEYS = new Set(['type', 'exchange', 'symbol', 'reference', 'interval', 'from', 'to', 'limit']);
const STATS_KEYS = new Set(['type', 'exchange', 'symbol', 'reference', 'window']);
export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 100_000;

const bad = (message: string) => new GatewayError('BAD_REQUEST', message);

function params(url: string, allowed: Set<string>): URLSearchParams {
  const p = new URL(url).searchParams;
  for (const k of p.keys()) if (!allowed.has(k)) throw bad(`unknown query parameter "${k}" (known: ${[...allowed].join(', ')})`);
  return p;
}

function integer(p: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const v = p.get(name);
  if (v === null) return fallback;
  if (!/^\d{1,16}$/.test(v) || Number(v) < min || Number(v) > max) throw bad(`${name}: expected an integer from ${min} to ${max}, got "${v}"`);
  return Number(v);
}

function required(p: URLSearchParams, name: string): string {
  const v = p.get(name);
  if (v === null || v === '') throw bad(`${name}: required`);
  return v;
}

/** the premium stream keys for exchange/symbol (and reference, when given) */
function premiumKeys(cat: HistoryCatalog, p: URLSearchParams, single: boolean): { keys: string[]; pairs: PremiumPair[] } {
  const exchange = required(p, 'exchange');
  const symbol = required(p, 'symbol');
  if (!isSymbol(symbol)) throw bad(`symbol: malformed symbol "${symbol}" (expected BASE/QUOTE)`);
  const reference = p.get('reference');
  let pairs = cat.pairs.filter((x) => x.ex === exchange && x.cd === symbol);
  if (!pairs.length) throw bad(`no premium is configured for exchange "${exchange}" and symbol "${symbol}"`);
  if (reference !== null) {
    pairs = pairs.filter((x) => x.rex === reference);
    if (!pairs.length) throw bad(`reference: no premium of ${exchange} ${symbol} against "${reference}"`);
  } else if (single && pairs.length > 1) {
    throw bad(`reference: ${exchange} ${symbol} has premiums against ${pairs.map((x) => x.rex).join(', ')}; name one`);
  }
  return { keys: pairs.map((x) => streamKey(x.ex, 'premium', x.cd, x.rex)), pairs };
}

/** the history store's answer, or a 503 JSON error when it cannot answer (Redis down) */
async function guarded<T>(fn: () => Promise<T>): Promise<T | Response> {
  try {
    return await fn();
  } catch (err) {
    const body = { error: 'UNAVAILABLE', message: `history store unavailable: ${(err as Error).message}` };
    return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/json' } });
  }
}

export function registerDerivedRoutes(app: Hono, cat: HistoryCatalog): void {
  // what the monitor page (and any client) needs to know to ask for history
  app.get('/api/derived', (c) =>
    c.json({ premium: cat.pairs.map(({ ex, cd, rex, rcd }) => ({ exchange: ex, symbol: cd, reference: rex, rcd })), candles: { intervals: cat.intervals, exchanges: [...cat.candleExchanges] } }),
  );
  app.get('/api/history', async (c) => {
    const p = params(c.req.url, HISTORY_KEYS);
    const type = required(p, 'type');
    const from = integer(p, 'from', 0, 0, 8.64e15);
    const to = integer(p, 'to', 8.64e15, 0, 8.64e15);
    if (from > to) throw bad('from: must not be after to');
    const limit = integer(p, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
    let keys: string[];
    if (type === 'premium') {
      if (p.has('interval')) throw bad('interval: only for type=candle');
      keys = premiumKeys(cat, p, false).keys;
    } else if (type === 'candle') {
      if (p.has('reference')) throw bad('reference: only for type=premium');
      const exchange = required(p, 'exchange');
      const symbol = required(p, 'symbol');
      const interval = required(p, 'interval');
      if (!isSymbol(symbol)) throw bad(`symbol: malformed symbol "${symbol}" (expected BASE/QUOTE)`);
      if (!cat.candleExchanges.has(exchange)) throw bad(`exchange: no candles are configured for "${exchange}"`);
      if (!cat.intervals.includes(interval)) throw bad(`interval: "${interval}" is not configured (configured: ${cat.intervals.join(', ') || 'none'})`);
      keys = [streamKey(exchange, 'candle', symbol, interval)];
    } else throw bad(`type: expected premium or candle, got "${type}"`);
    const records = await guarded(() => cat.history.query({ keys, from, to, limit }));
    return records instanceof Response ? records : c.json(records);
  });

  app.get('/api/stats', async (c) => {
    const p = params(c.req.url, STATS_KEYS);
    const type = required(p, 'type');
    if (type !== 'premium') throw bad(`type: expected premium, got "${type}"`);
    const window = p.get('window') ?? '24h';
    const windowMs = durationMs(window);
    if (windowMs === undefined) throw bad(`window: expected a duration such as 15m, 1h or 24h, got "${window}"`);
    if (windowMs > cat.premiumRetentionMs) throw bad(`window: longer than the premium history kept (${cat.premiumRetentionMs} ms)`);
    const { keys, pairs } = premiumKeys(cat, p, true);
    const to = Date.now();
    const from = to - windowMs;
    const answer = await guarded(() => cat.history.query({ keys, from, to, limit: MAX_LIMIT * 10 }));
    if (answer instanceof Response) return answer;
    const records = answer as PremiumRecord[];
    const pu = summarize(records.flatMap((r) => (r.pu === undefined ? [] : [r.pu])));
    const pf = summarize(records.flatMap((r) => (r.pf === undefined ? [] : [r.pf])));
    const pair = pairs[0]!;
    return c.json({
      type,
      exchange: pair.ex,
      symbol: pair.cd,
      reference: pair.rex,
      rcd: pair.rcd,
      window,
      from,
      to,
      samples: records.length,
      ...(pu ? { pu } : {}),
      ...(pf ? { pf } : {}),
    });
  });
}
