// The Bithumb legacy mapper: status answers, transaction / ticker records, and orderbookdepth diffs into books.
//
// One reader per frame kind: JSON.parse, then each field once through the SDK's strict readers (legacy-records.ts
// for trades and tickers, depth() below for diffs).

import { badFrame, clip, eachItem, GatewayError, isObject, nonNegative, oneOf, positive } from '../../sdk/index.ts';
import type { Json, Mapper, Output, SymbolTable } from '../../sdk/index.ts';
import { LegacyBooks } from './legacy-book.ts';
import type { LegacyBookOptions, Level } from './legacy-book.ts';
import { legacyMarket, legacyTicker, legacyTrade } from './legacy-records.ts';
import { epochInt } from './legacy-values.ts';

export interface LegacyMapperOptions extends Omit<LegacyBookOptions, 'markets'> {
  /** the configured symbols and their BASE_QUOTE codes */
  markets: SymbolTable;
}

const ORDER_TYPES = ['ask', 'bid'] as const;

export function createLegacyMapper(opts: LegacyMapperOptions): Mapper {
  const { ex, markets } = opts;
  const books = new LegacyBooks({ ...opts, markets: markets.byCode });

  function transactions(c: Json, out: Output): void {
    const list = c.list;
    if (!Array.isArray(list) || list.length === 0) throw badFrame(`${ex} transaction: list is ${clip(list)}`);
    // each item is a trade of its own: a bad one is reported without dropping the others
    eachItem(list, (item) => out.emit(legacyTrade(ex, markets, item)));
  }

  /** the whole frame is validated before any book changes, so a malformed diff cannot leave a book half-updated */
  function depth(c: Json, out: Output): void {
    const us = epochInt(c.datetime, `${ex} orderbookdepth datetime`);
    const list = c.list;
    if (!Array.isArray(list)) throw badFrame(`${ex} orderbookdepth: list is ${clip(list)}`);
    const byMarket = new Map<string, Level[]>();
    for (const item of list) {
      if (!isObject(item)) throw badFrame(`${ex} orderbookdepth: item is ${clip(item)}`);
      const [mc] = legacyMarket(markets, item.symbol, `${ex} orderbookdepth`);
      const what = `${ex} orderbookdepth ${mc}`;
      const level: Level = {
        bid: oneOf(item, 'orderType', ORDER_TYPES, what) === 'bid',
        price: positive(item, 'price', what),
        size: nonNegative(item, 'quantity', what),
      };
      const levels = byMarket.get(mc);
      if (levels) levels.push(level);
      else byMarket.set(mc, [level]);
    }
    for (const [mc, levels] of byMarket) books.onDiff(mc, { us, levels }, out);
  }

  return {
    onMessage(text: string, _rtms: number, out: Output): void {
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        throw badFrame(`${ex}: frame is not JSON`);
      }
      if (!isObject(msg)) throw badFrame(`${ex}: message is ${clip(msg)}`);
      if (msg.type === undefined && 'status' in msg) {
        // "Connected Successfully" / "Filter Registered Successfully"; anything else is a refusal
        if (msg.status === '0000') return;
        throw new GatewayError('EXCHANGE_ERROR', `${ex} status ${clip(msg.status)}: ${clip(msg.resmsg)}`);
      }
      const c = msg.content;
      if (!isObject(c)) throw badFrame(`${ex} ${clip(msg.type)}: content is ${clip(c)}`);
      if (msg.type === 'transaction') transactions(c, out);
      else if (msg.type === 'orderbookdepth') depth(c, out);
      else if (msg.type === 'ticker') {
        const d = legacyTicker(ex, markets, c);
        if (d) out.emit(d);
      } else throw badFrame(`${ex}: unexpected message type ${clip(msg.type)}`);
    },
    onResponse(tag, response, _rtms, out): void {
      books.onSnapshot(tag, response, out);
    },
  };
}
