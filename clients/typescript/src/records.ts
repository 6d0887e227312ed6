// Typed records of the gateway's SIMPLE model (SPEC §3, §3a, §7), one interface per `ty`.

/** Keys every record carries. A field the exchange does not provide is absent, never null. */
export interface BaseRecord {
  ty: string;
  /** exchange id, lower case */
  ex: string;
  /** unified symbol BASE/QUOTE */
  cd: string;
  /** the market code as the exchange writes it */
  mc?: string;
  /** the exchange's time for this record, ms */
  tms: number;
  /** when the gateway received the frame, ms */
  rtms?: number;
  /** epoch: the time (ms) the producing connection was established */
  ep: number;
  /** sequence per stream key within an epoch, from 1 in steps of 1 */
  sq: number;
  /** only on records replayed from the latest-value store */
  st?: 'SNAPSHOT';
}

export interface TickerRecord extends BaseRecord {
  ty: 'ticker';
  tp?: number;
  op?: number;
  hp?: number;
  lp?: number;
  pcp?: number;
  scp?: number;
  /** signed change rate as a fraction: 0.01 = +1 % */
  scr?: number;
  atv24h?: number;
  atp24h?: number;
}

export interface TradeRecord extends BaseRecord {
  ty: 'trade';
  tp: number;
  tv: number;
  /** taker side: ASK = the taker sold, BID = the taker bought */
  ab?: 'ASK' | 'BID';
  /** the exchange's trade id as an exact string */
  sid?: string;
}

export interface BookUnit {
  ap?: number;
  as?: number;
  bp?: number;
  bs?: number;
}

export interface OrderbookRecord extends BaseRecord {
  ty: 'orderbook';
  obu: BookUnit[];
  tas?: number;
  tbs?: number;
}

export interface PremiumRecord extends BaseRecord {
  ty: 'premium';
  /** the reference exchange and symbol */
  rex: string;
  rcd: string;
  tp?: number;
  rtp?: number;
  usdt?: number;
  fx?: number;
  /** premium on the USDT basis (fraction) */
  pu?: number;
  /** premium on the FX basis (fraction) */
  pf?: number;
}

export interface CandleRecord extends BaseRecord {
  ty: 'candle';
  /** interval: "1s", "1m", "5m", "1h", "1d", ... */
  iv: string;
  op: number;
  hp: number;
  lp: number;
  tp: number;
  catv: number;
  catp: number;
  /** on the last record of a candle */
  cl?: true;
}

export interface ListingRecord extends Omit<BaseRecord, 'ep' | 'sq'> {
  ty: 'listing';
  ls: 'listed' | 'delisted';
  ep?: number;
  sq?: number;
}

export interface RecordByType {
  ticker: TickerRecord;
  trade: TradeRecord;
  orderbook: OrderbookRecord;
  premium: PremiumRecord;
  candle: CandleRecord;
  listing: ListingRecord;
}

export type RecordType = keyof RecordByType;
export type GatewayRecord = RecordByType[RecordType];

/** Types whose latest record is the whole state (conflated by `interval`, snapshotted on resume). */
export const STATE_TYPES: ReadonlySet<string> = new Set(['ticker', 'orderbook', 'premium', 'candle']);

export function isRecord(frame: unknown): frame is GatewayRecord {
  return typeof frame === 'object' && frame !== null && typeof (frame as { ty?: unknown }).ty === 'string';
}
