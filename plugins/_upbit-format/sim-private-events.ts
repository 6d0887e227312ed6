// One simulated account's orders and balances: limit orders placed at the market, filled in two trades or
// cancelled, each step producing the myOrder / myAsset messages the exchange would push (Upbit names, or Bithumb's
// v2 private names), in DEFAULT form; `toSimple` renames them for SIMPLE requests.

import { roundTo } from '../../sim/price-grid.ts';
import { createRng, hashString, type Rng } from '../../sim/prng.ts';
import type { Variant } from './sim-messages.ts';

type Message = Record<string, unknown>;
/** Upbit's fee rate (0.05 %) */
const FEE = 0.0005;
const r8 = (x: number): number => roundTo(x, 8);

interface Order {
  uuid: string;
  code: string;
  side: 'ASK' | 'BID';
  price: number;
  volume: number;
  executed: number;
  funds: number;
  trades: number;
  paidFee: number;
  orderTms: number;
  /** what happens at the next step */
  next: 'first-fill' | 'last-fill' | 'cancel';
}

const ORDER_SIMPLE: Record<Variant, Record<string, string>> = {
  upbit: {
    type: 'ty', code: 'cd', uuid: 'uid', ask_bid: 'ab', order_type: 'ot', state: 's', trade_uuid: 'tuid', price: 'p',
    avg_price: 'ap', volume: 'v', remaining_volume: 'rv', executed_volume: 'ev', trades_count: 'tc', reserved_fee: 'rsf',
    remaining_fee: 'rmf', paid_fee: 'pf', locked: 'l', executed_funds: 'ef', time_in_force: 'tif', trade_timestamp: 'ttms',
    order_timestamp: 'otms', timestamp: 'tms', stream_type: 'st',
  },
  bithumb: {
    type: 'ty', stream_type: 'st', code: 'cd', order_id: 'oid', client_order_id: 'coid', side: 'sd', order_type: 'ot', state: 's',
    time_in_force: 'tif', order_price: 'op', order_quantity: 'oq', order_amount: 'oa', trade_id: 'tid', trade_price: 'tp',
    trade_quantity: 'tq', trade_amount: 'ta', remaining_quantity: 'rq', executed_quantity: 'eq', executed_amount: 'ea',
    reserved_fee: 'rsf', remaining_fee: 'rmf', paid_fee: 'pf', cancel_type: 'ct', trade_timestamp: 'ttms',
    order_timestamp: 'otms', timestamp: 'tms',
  },
};
const ASSET_SIMPLE: Record<string, string> = { type: 'ty', asset_uuid: 'astuid', assets: 'ast', asset_timestamp: 'asttms', timestamp: 'tms', stream_type: 'st' };
const UNIT_SIMPLE: Record<string, string> = { currency: 'cu', balance: 'b', locked: 'l' };

export function toSimple(msg: Message, variant: Variant): Message {
  const table = msg.type === 'myAsset' ? ASSET_SIMPLE : ORDER_SIMPLE[variant];
  const out: Message = {};
  for (const [k, v] of Object.entries(msg)) {
    out[table[k] ?? k] = k === 'assets' ? (v as Message[]).map((u) => Object.fromEntries(Object.entries(u).map(([a, b]) => [UNIT_SIMPLE[a] ?? a, b]))) : v;
  }
  return out;
}

/** a uuid-shaped id from the account's random stream (deterministic per seed) */
function uuidOf(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export class SimAccountBook {
  private readonly rng: Rng;
  private readonly balances = new Map<string, { balance: number; locked: number }>();
  private order: Order | undefined;
  private readonly assetUuid: string;
  private sellNext = false;

  constructor(
    private readonly variant: Variant,
    accessKey: string,
    seed: number,
  ) {
    this.rng = createRng(hashString(accessKey, seed));
    this.assetUuid = uuidOf(this.rng);
    this.balances.set('KRW', { balance: 10_000_000, locked: 0 });
  }

  private wallet(cu: string) {
    let w = this.balances.get(cu);
    if (!w) this.balances.set(cu, (w = { balance: 0, locked: 0 }));
    return w;
  }

  /**
   * The messages of one step on `code` (QUOTE-BASE) at the market's last price: a new order, a fill, or a cancel,
   * each followed by the balances it changed.
   */
  step(code: string, lastPrice: number, nowMs: number): Message[] {
    const o = this.order;
    if (!o) return this.rng.chance(0.6) ? this.place(code, lastPrice, nowMs) : [];
    if (o.next === 'cancel') return this.cancel(o, nowMs);
    return this.fill(o, nowMs);
  }

  private place(code: string, price: number, nowMs: number): Message[] {
    const [quote, base] = code.split('-') as [string, string];
    const held = this.wallet(base).balance;
    const side: 'ASK' | 'BID' = this.sellNext && held > 0 ? 'ASK' : 'BID';
    const volume = side === 'ASK' ? held : r8(Math.max(1e-8, (50_000 + this.rng.int(0, 100_000)) / price));
    const o: Order = {
      uuid: uuidOf(this.rng), code, side, price, volume, executed: 0, funds: 0, trades: 0, paidFee: 0, orderTms: nowMs,
      next: this.rng.chance(0.2) ? 'cancel' : 'first-fill',
    };
    this.order = o;
    if (side === 'BID') this.lock(quote, r8(price * volume * (1 + FEE)));
    else this.lock(base, volume);
    return [this.orderMessage(o, 'wait', nowMs), this.assetMessage([side === 'BID' ? quote : base], nowMs)];
  }

  private lock(cu: string, amount: number): void {
    const w = this.wallet(cu);
    w.balance = r8(w.balance - amount);
    w.locked = r8(w.locked + amount);
  }

  private fill(o: Order, nowMs: number): Message[] {
    const [quote, base] = o.code.split('-') as [string, string];
    const qty = o.next === 'first-fill' ? r8(o.volume / 2) : r8(o.volume - o.executed);
    const funds = r8(qty * o.price);
    const fee = r8(funds * FEE);
    o.executed = r8(o.executed + qty);
    o.funds = r8(o.funds + funds);
    o.trades++;
    o.paidFee = r8(o.paidFee + fee);
    const q = this.wallet(quote);
    const b = this.wallet(base);
    if (o.side === 'BID') {
      q.locked = r8(Math.max(0, q.locked - funds - fee));
      b.balance = r8(b.balance + qty);
    } else {
      b.locked = r8(Math.max(0, b.locked - qty));
      q.balance = r8(q.balance + funds - fee);
    }
    const out = [this.orderMessage(o, 'trade', nowMs, { uuid: uuidOf(this.rng), qty, funds })];
    if (o.next === 'first-fill') o.next = 'last-fill';
    else {
      out.push(this.orderMessage(o, 'done', nowMs));
      this.order = undefined;
      this.sellNext = o.side === 'BID';
    }
    out.push(this.assetMessage([quote, base], nowMs));
    return out;
  }

  private cancel(o: Order, nowMs: number): Message[] {
    const [quote, base] = o.code.split('-') as [string, string];
    const cu = o.side === 'BID' ? quote : base;
    const w = this.wallet(cu);
    w.balance = r8(w.balance + w.locked);
    w.locked = 0;
    this.order = undefined;
    return [this.orderMessage(o, 'cancel', nowMs), this.assetMessage([cu], nowMs)];
  }

  private orderMessage(o: Order, state: string, nowMs: number, trade?: { uuid: string; qty: number; funds: number }): Message {
    const remaining = state === 'cancel' || state === 'done' ? 0 : r8(o.volume - o.executed);
    const avg = o.executed > 0 ? r8(o.funds / o.executed) : 0;
    const reservedFee = r8(o.price * o.volume * FEE);
    if (this.variant === 'bithumb') {
      return {
        type: 'myOrder', stream_type: 'REALTIME', code: o.code, order_id: o.uuid, side: o.side === 'BID' ? 'buy' : 'sell',
        order_type: 'limit', state, order_price: o.price, order_quantity: o.volume, order_amount: r8(o.price * o.volume),
        ...(trade ? { trade_id: trade.uuid, trade_price: o.price, trade_quantity: trade.qty, trade_amount: trade.funds, trade_timestamp: nowMs } : {}),
        remaining_quantity: remaining, executed_quantity: o.executed, executed_amount: o.funds, reserved_fee: reservedFee,
        remaining_fee: r8(Math.max(0, reservedFee - o.paidFee)), paid_fee: o.paidFee, order_timestamp: o.orderTms, timestamp: nowMs,
      };
    }
    return {
      type: 'myOrder', code: o.code, uuid: o.uuid, ask_bid: o.side, order_type: 'limit', state, trade_uuid: trade?.uuid ?? null,
      price: o.price, avg_price: avg, volume: trade ? trade.qty : o.volume, remaining_volume: remaining, executed_volume: o.executed,
      trades_count: o.trades, reserved_fee: reservedFee, remaining_fee: r8(Math.max(0, reservedFee - o.paidFee)), paid_fee: o.paidFee,
      locked: o.side === 'BID' ? r8(remaining * o.price * (1 + FEE)) : remaining, executed_funds: o.funds, time_in_force: null,
      trade_timestamp: trade ? nowMs : null, order_timestamp: o.orderTms, timestamp: nowMs, stream_type: 'REALTIME',
    };
  }

  private assetMessage(currencies: string[], nowMs: number): Message {
    return {
      type: 'myAsset',
      asset_uuid: this.assetUuid,
      assets: currencies.map((cu) => ({ currency: cu, balance: this.wallet(cu).balance, locked: this.wallet(cu).locked })),
      asset_timestamp: nowMs,
      timestamp: nowMs,
      stream_type: 'REALTIME',
    };
  }
}
