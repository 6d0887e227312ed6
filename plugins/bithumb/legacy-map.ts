// The Bithumb legacy mapper: status answers, transaction / ticker records, and orderbookdepth diffs into books.

import { badFrame, GatewayError } from '../../sdk/errors.ts';
import type { Mapper, Output } from '../../sdk/plugin.ts';
import { clip, isObject } from '../upbit/read.ts';
import type { Json } from '../upbit/read.ts';
import { LegacyBooks } from './legacy-book.ts';
import { readLegacyFast } from './legacy-fast.ts';
import type { LegacyBookOptions, Level } from './legacy-book.ts';
import { legacyMarket, legacyTicker, legacyTrade } from './legacy-records.ts';
import { decimal, epochInt, positive } from './legacy-values.ts';

export function createLegacyMapper(opts: LegacyBookOptions): Mapper {
  const { ex, markets } = opts;
  const books = new LegacyBooks(opts);

  function transactions(c: Json, out: Output): void {
    const list = c.list;
    if (!Array.isArray(list) || list.length === 0) throw badFrame(`${ex} transaction: list is ${clip(list)}`);
    // each item is a trade of its own: a bad one is reported without dropping the others
    let failure: { err: unknown } | undefined;
    for (const item of list) {
      try {
        out.emit(legacyTrade(ex, markets, item));
      } catch (err) {
        failure ??= { err };
      }
    }
    if (failure) throw failure.err;
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
      if (item.orderType !== 'ask' && item.orderType !== 'bid') throw badFrame(`${what}: orderType is ${clip(item.orderType)}`);
      const level: Level = {
        bid: item.orderType === 'bid',
        price: positive(item.price, `${what} price`),
        size: decimal(item.quantity, `${what} quantity`),
      };
      const levels = byMarket.get(mc);
      if (levels) levels.push(level);
      else byMarket.set(mc, [level]);
    }
    for (const [mc, levels] of byMarket) books.onDiff(mc, { us, levels }, out);
  }

  return {
    onMessage(text: string, _rtms: number, out: Output): void {
      // Most frames are read straight from the text (legacy-fast.ts); whatever it is unsure of is decided below.
      const fast = readLegacyFast(text, ex, markets);
      if (fast) {
        if (fast.kind === 'drafts') for (const d of fast.drafts) out.emit(d);
        else if (fast.kind === 'depth') for (const [mc, levels] of fast.byMarket) books.onDiff(mc, { us: fast.us, levels }, out);
        return;
      }
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
