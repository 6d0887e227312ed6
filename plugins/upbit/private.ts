// Upbit's private streams (myOrder, myAsset): the Upbit-format private connection, signed HS512. Facts: PRIVATE.md.

import { UPBIT_ORDER_FIELDS } from '../_upbit-format/private-map.ts';
import type { PrivateSpec } from '../_upbit-format/private.ts';
import { numberTime } from '../_upbit-format/time.ts';

/** Upbit: HS512 (the algorithm its documentation shows) over {access_key, nonce}; `<public url>/private` */
export const UPBIT_PRIVATE: PrivateSpec = {
  dialect: {
    ex: 'upbit',
    readTime: numberTime,
    order: UPBIT_ORDER_FIELDS,
    side: { from: ['ab', 'ask_bid'], values: { ASK: 'ASK', BID: 'BID' } },
    orderId: ['uid', 'uuid'],
  },
  alg: 'HS512',
  claims: (c, input) => ({ access_key: c.accessKey, nonce: input.nonce }),
  privateUrl: (url) => `${url.replace(/\/+$/, '')}/private`,
};
