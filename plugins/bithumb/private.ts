// Bithumb's private streams (myOrder, myAsset): the Upbit-style connection with Bithumb's current private spec (v2:
// `/websocket/v2/private`, renamed order fields, side buy/sell) and its JWT (HS256 over access_key, nonce,
// timestamp). Records use Upbit's SIMPLE names like every other exchange. Facts: plugins/upbit/PRIVATE.md.

import { UPBIT_ORDER_FIELDS } from '../_upbit-format/private-map.ts';
import type { FieldSource } from '../_upbit-format/private-map.ts';
import type { PrivateSpec } from '../_upbit-format/private.ts';
import { bithumbTime } from './v1-time.ts';

/** v2 names → the record's (Upbit's) names; both generations are read, v2 first */
const BITHUMB_ORDER_FIELDS: readonly FieldSource[] = [
  { out: 'coid', from: ['coid', 'client_order_id'], kind: 'str' },
  { out: 'tuid', from: ['tid', 'trade_id', 'tuid', 'trade_uuid'], kind: 'str' },
  { out: 'rv', from: ['rq', 'remaining_quantity', 'rv', 'remaining_volume'], kind: 'num' },
  { out: 'ev', from: ['eq', 'executed_quantity', 'ev', 'executed_volume'], kind: 'num' },
  { out: 'ef', from: ['ea', 'executed_amount', 'ef', 'executed_funds'], kind: 'num' },
  ...UPBIT_ORDER_FIELDS.filter((f) => !['tuid', 'rv', 'ev', 'ef'].includes(f.out)),
];

export const BITHUMB_PRIVATE: PrivateSpec = {
  dialect: {
    ex: 'bithumb',
    readTime: bithumbTime,
    order: BITHUMB_ORDER_FIELDS,
    side: { from: ['sd', 'side', 'ab', 'ask_bid'], values: { sell: 'ASK', buy: 'BID', ASK: 'ASK', BID: 'BID' } },
    orderId: ['oid', 'order_id', 'uid', 'uuid'],
    numericStrings: true,
    // v2 writes order and trade price/quantity apart; the record keeps Upbit's rule: on a trade, the trade's own
    adjust(_m, d, read) {
      const trade = d.s === 'trade';
      const p = read(trade ? ['tp', 'trade_price'] : ['op', 'order_price'], 'num');
      const v = read(trade ? ['tq', 'trade_quantity'] : ['oq', 'order_quantity'], 'num');
      if (typeof p === 'number') d.p = p;
      if (typeof v === 'number') d.v = v;
    },
  },
  alg: 'HS256',
  claims: (c, input) => ({ access_key: c.accessKey, nonce: input.nonce, timestamp: input.tms }),
  privateUrl: (url) => url.replace(/\/websocket\/v1\/?$/, '/websocket/v2/private'),
};
