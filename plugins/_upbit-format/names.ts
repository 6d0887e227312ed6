// The field names the gateway reads in the Upbit format (Upbit, Bithumb v1): SIMPLE and DEFAULT, one table each.

export interface FieldNames {
  type: string;
  code: string;
  /** message time (ticker, orderbook) */
  tms: string;
  /** execution time (trade) */
  ttms: string;
  tp: string;
  op: string;
  hp: string;
  lp: string;
  pcp: string;
  scp: string;
  scr: string;
  atv24h: string;
  atp24h: string;
  tv: string;
  ab: string;
  sid: string;
  obu: string;
  ap: string;
  as: string;
  bp: string;
  bs: string;
}

export const SIMPLE_NAMES: FieldNames = {
  type: 'ty',
  code: 'cd',
  tms: 'tms',
  ttms: 'ttms',
  tp: 'tp',
  op: 'op',
  hp: 'hp',
  lp: 'lp',
  pcp: 'pcp',
  scp: 'scp',
  scr: 'scr',
  atv24h: 'atv24h',
  atp24h: 'atp24h',
  tv: 'tv',
  ab: 'ab',
  sid: 'sid',
  obu: 'obu',
  ap: 'ap',
  as: 'as',
  bp: 'bp',
  bs: 'bs',
};

export const DEFAULT_NAMES: FieldNames = {
  type: 'type',
  code: 'code',
  tms: 'timestamp',
  ttms: 'trade_timestamp',
  tp: 'trade_price',
  op: 'opening_price',
  hp: 'high_price',
  lp: 'low_price',
  pcp: 'prev_closing_price',
  scp: 'signed_change_price',
  scr: 'signed_change_rate',
  atv24h: 'acc_trade_volume_24h',
  atp24h: 'acc_trade_price_24h',
  tv: 'trade_volume',
  ab: 'ask_bid',
  sid: 'sequential_id',
  obu: 'orderbook_units',
  ap: 'ask_price',
  as: 'ask_size',
  bp: 'bid_price',
  bs: 'bid_size',
};

/** SIMPLE messages carry `ty`, DEFAULT ones `type`; detected per message, so either format (or a mix) works */
export function namesOf(msg: Record<string, unknown>): FieldNames | undefined {
  if ('ty' in msg) return SIMPLE_NAMES;
  if ('type' in msg) return DEFAULT_NAMES;
  return undefined;
}
