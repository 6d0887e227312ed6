// The client SDK's record and event types against the gateway's own: the client package (clients/typescript) is
// standalone, so it states the wire format itself; this file makes `npm run typecheck` fail when the two drift (every
// record or event the gateway sends must be a value of the client's type for it), and checks a sample at run time.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as Client from '../../clients/typescript/src/index.ts';
import type { ListingRecord, OrderbookRecord, TickerRecord, TradeRecord } from '../../sdk/model.ts';
import type { CandleRecord, PremiumRecord } from '../../kernel/derived/types.ts';
import type { ResyncEvent, StatusEvent } from '../../kernel/status/events.ts';
import { STATE_TYPES } from '../../clients/typescript/src/records.ts';
import { isStateType } from '../../kernel/fanout/shape.ts';
import { DERIVED_TYPES, LISTING_TYPE, RECORD_TYPES } from '../../sdk/model.ts';

/** compiles only when every value of `Sent` is a value of `Received` */
type Accepts<Received, Sent extends Received> = Sent;

// one line per record type and event the gateway sends (SPEC §3, §3a, §4a, §7)
export type Checked = [
  Accepts<Client.TickerRecord, TickerRecord>,
  Accepts<Client.TradeRecord, TradeRecord>,
  Accepts<Client.OrderbookRecord, OrderbookRecord>,
  Accepts<Client.PremiumRecord, PremiumRecord>,
  Accepts<Client.CandleRecord, CandleRecord>,
  Accepts<Client.ListingRecord, ListingRecord>,
  Accepts<Client.StatusEvent, StatusEvent>,
  Accepts<Client.ResyncEvent, ResyncEvent>,
];

/** every client record type once (the compiler rejects a missing or an unknown one) */
const CLIENT_TYPES: Record<Client.RecordType, true> = { ticker: true, trade: true, orderbook: true, premium: true, candle: true, listing: true };

describe('client SDK wire types', () => {
  it('name every record type the gateway sends, and treat the state types as the gateway conflates them', () => {
    // the gateway's own lists of what it sends, at run time: a type added there must be added to the client too
    const sent = [...RECORD_TYPES, ...DERIVED_TYPES, LISTING_TYPE].sort();
    assert.deepEqual(Object.keys(CLIENT_TYPES).sort(), sent);
    for (const ty of sent) assert.equal(STATE_TYPES.has(ty), isStateType(ty), ty);
  });
});
