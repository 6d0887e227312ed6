// Maps the private streams of Upbit-style exchanges (myOrder, myAsset; SIMPLE or DEFAULT names, single or _LIST)
// to private record drafts with Upbit's SIMPLE names. Bithumb's v2 private spec plugs in its own field table.

import { badFrame, clip, eachItem, GatewayError, isObject, num, str } from '../../sdk/index.ts';
import type { AssetUnit, Draft, Json, Mapper, MyOrderRecord, Output, PrivateDraft } from '../../sdk/index.ts';
import type { TimeReader } from './time.ts';

type OrderDraft = Omit<MyOrderRecord, 'rtms' | 'ep' | 'sq'>;
type Kind = 'str' | 'num' | 'time';

/** One output field of myOrder: where the exchange writes it (SIMPLE name first, then DEFAULT), and its kind. */
export interface FieldSource {
  out: keyof OrderDraft;
  from: readonly string[];
  kind: Kind;
}

export interface PrivateDialect {
  ex: string;
  /** a time field as ms since epoch; throws BAD_FRAME when malformed */
  readTime: TimeReader;
  /** myOrder fields beyond ty/cd/side/state/tms */
  order: readonly FieldSource[];
  /** where the side is written, and how its values read as ASK (sell) / BID (buy) */
  side: { from: readonly string[]; values: Readonly<Record<string, 'ASK' | 'BID'>> };
  /** where the order id is written */
  orderId: readonly string[];
  /** numbers may come as decimal strings (Bithumb) */
  numericStrings?: boolean;
  /** a last touch on the draft (Bithumb v2 writes order and trade price apart) */
  adjust?(m: Json, d: OrderDraft, read: (keys: readonly string[], kind: Kind) => unknown): void;
}

/** Upbit's and Bithumb v1's myOrder fields (docs: plugins/upbit/PRIVATE.md) */
export const UPBIT_ORDER_FIELDS: readonly FieldSource[] = [
  { out: 'ot', from: ['ot', 'order_type'], kind: 'str' },
  { out: 'tuid', from: ['tuid', 'trade_uuid'], kind: 'str' },
  { out: 'p', from: ['p', 'price'], kind: 'num' },
  { out: 'ap', from: ['ap', 'avg_price'], kind: 'num' },
  { out: 'v', from: ['v', 'volume'], kind: 'num' },
  { out: 'rv', from: ['rv', 'remaining_volume'], kind: 'num' },
  { out: 'ev', from: ['ev', 'executed_volume'], kind: 'num' },
  { out: 'tc', from: ['tc', 'trades_count'], kind: 'num' },
  { out: 'rsf', from: ['rsf', 'reserved_fee'], kind: 'num' },
  { out: 'rmf', from: ['rmf', 'remaining_fee'], kind: 'num' },
  { out: 'pf', from: ['pf', 'paid_fee'], kind: 'num' },
  { out: 'l', from: ['l', 'locked'], kind: 'num' },
  { out: 'ef', from: ['ef', 'executed_funds'], kind: 'num' },
  { out: 'tif', from: ['tif', 'time_in_force'], kind: 'str' },
  { out: 'ttms', from: ['ttms', 'trade_timestamp'], kind: 'time' },
  { out: 'otms', from: ['otms', 'order_timestamp'], kind: 'time' },
];

const CODE = /^([A-Z0-9]{1,20})-([A-Z0-9]{1,20})$/;

/** emits a private draft through the public Output: the worker stamps it like any record and keeps it apart */
function emit(out: Output, d: PrivateDraft): void {
  out.emit(d as unknown as Draft);
}

/** `acct`: the configured account id every draft is tagged with */
export function createPrivateMapper(dialect: PrivateDialect, acct: string): Mapper {
  const { ex } = dialect;

  function value(m: Json, keys: readonly string[], kind: Kind, ctx: string): unknown {
    const key = keys.find((k) => m[k] !== undefined && m[k] !== null);
    if (key === undefined) return undefined;
    if (kind === 'time') return dialect.readTime(m, key, ctx);
    if (kind === 'str') return str(m, key, ctx, 128);
    return num(m, key, ctx, dialect.numericStrings ? 'either' : 'number');
  }

  function myOrder(m: Json, ctx: string): OrderDraft {
    const mc = value(m, ['cd', 'code'], 'str', ctx) as string | undefined;
    const code = mc === undefined ? null : CODE.exec(mc);
    if (!code) throw badFrame(`${ctx}: code is ${clip(mc)}, not QUOTE-BASE`);
    const rawSide = m[dialect.side.from.find((k) => m[k] !== undefined) ?? ''];
    const ab = typeof rawSide === 'string' ? dialect.side.values[rawSide] : undefined;
    if (!ab) throw badFrame(`${ctx}: side is ${clip(rawSide)}`);
    const uid = value(m, dialect.orderId, 'str', ctx) as string | undefined;
    const s = value(m, ['s', 'state'], 'str', ctx) as string | undefined;
    if (uid === undefined || s === undefined) throw badFrame(`${ctx}: order id or state is missing`);
    const tms = value(m, ['tms', 'timestamp'], 'time', ctx) as number | undefined;
    if (tms === undefined) throw badFrame(`${ctx}: timestamp is missing`);
    const d: OrderDraft = { ty: 'myOrder', ex, acct, cd: `${code[2]}/${code[1]}`, mc: mc!, tms, uid, ab, s };
    for (const f of dialect.order) {
      const v = value(m, f.from, f.kind, ctx);
      if (v !== undefined) (d as unknown as Record<string, unknown>)[f.out] = v;
    }
    dialect.adjust?.(m, d, (keys, kind) => value(m, keys, kind, ctx));
    return d;
  }

  function myAsset(m: Json, ctx: string): PrivateDraft {
    const raw = m.ast ?? m.assets;
    if (!Array.isArray(raw)) throw badFrame(`${ctx}: assets is ${clip(raw)}, not a list`);
    const ast: AssetUnit[] = raw.map((u) => {
      if (!isObject(u)) throw badFrame(`${ctx}: an asset is ${clip(u)}`);
      const cu = value(u, ['cu', 'currency'], 'str', ctx) as string | undefined;
      const b = value(u, ['b', 'balance'], 'num', ctx) as number | undefined;
      const l = value(u, ['l', 'locked'], 'num', ctx) as number | undefined;
      if (cu === undefined || b === undefined || l === undefined) throw badFrame(`${ctx}: an asset lacks currency, balance or locked`);
      return { cu, b, l };
    });
    const tms = value(m, ['tms', 'timestamp'], 'time', ctx) as number | undefined;
    if (tms === undefined) throw badFrame(`${ctx}: timestamp is missing`);
    const astuid = value(m, ['astuid', 'asset_uuid'], 'str', ctx) as string | undefined;
    const asttms = value(m, ['asttms', 'asset_timestamp'], 'time', ctx) as number | undefined;
    return { ty: 'myAsset', ex, acct, tms, ...(astuid !== undefined ? { astuid } : {}), ast, ...(asttms !== undefined ? { asttms } : {}) };
  }

  function mapOne(msg: unknown, out: Output): void {
    if (!isObject(msg)) throw badFrame(`${ex} private: message is ${clip(msg)}`);
    if ('error' in msg) {
      const e = isObject(msg.error) ? msg.error : {};
      const name = typeof e.name === 'string' ? e.name.slice(0, 80) : 'UNKNOWN';
      throw new GatewayError('EXCHANGE_ERROR', `${ex} private error ${name}`);
    }
    if (msg.status === 'UP') return;
    const type = msg.ty ?? msg.type;
    if (type === 'myOrder') emit(out, myOrder(msg, `${ex} myOrder`));
    else if (type === 'myAsset') emit(out, myAsset(msg, `${ex} myAsset`));
    else throw badFrame(`${ex} private: unexpected message type ${clip(type)}`);
  }

  return {
    onMessage(text: string, _rtms: number, out: Output): void {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw badFrame(`${ex} private: frame is not JSON`);
      }
      if (!Array.isArray(value)) return mapOne(value, out);
      eachItem(value, (item) => mapOne(item, out));
    },
  };
}
