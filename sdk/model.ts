// The normalized record model ("SIMPLE" keys, SPEC §3) shared by plugins, workers, the bus and clients.

export const RECORD_TYPES = ['ticker', 'trade', 'orderbook'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
/** Records the gateway computes from the exchanges' records (SPEC §3a; kernel/derived/). */
export const DERIVED_TYPES = ['premium', 'candle'] as const;
export type DerivedType = (typeof DERIVED_TYPES)[number];
/** A market listed or delisted on an exchange (SPEC §7), published when a whole-universe selection changes. */
export const LISTING_TYPE = 'listing';

/** `{ty:'listing', ex, cd, mc, tms, ls}` plus the worker's `rtms`/`ep`/`sq`; `tms` = when the change was seen */
export interface ListingRecord {
  ty: typeof LISTING_TYPE;
  ex: string;
  cd: string;
  mc: string;
  tms: number;
  ls: 'listed' | 'delisted';
  rtms: number;
  ep: number;
  sq: number;
  st?: 'SNAPSHOT';
}

/** Keys every record carries. `rtms`, `ep` and `sq` are assigned by the worker, never by a plugin. */
export interface RecordBase {
  ty: RecordType;
  /** exchange id, lower case */
  ex: string;
  /** unified symbol BASE/QUOTE, upper case */
  cd: string;
  /** market code exactly as the exchange writes it */
  mc: string;
  /** the exchange's time for this record, integer ms since epoch */
  tms: number;
  /** the time the gateway received the frame, ms */
  rtms: number;
  /** epoch: the time (ms) the producing exchange connection was established */
  ep: number;
  /** sequence per stream key within an epoch, from 1, +1 per record */
  sq: number;
  /** only on records replayed from the latest-value store */
  st?: 'SNAPSHOT';
}

export interface TickerRecord extends RecordBase {
  ty: 'ticker';
  tp?: number;
  op?: number;
  hp?: number;
  lp?: number;
  pcp?: number;
  scp?: number;
  scr?: number;
  atv24h?: number;
  atp24h?: number;
}

export interface TradeRecord extends RecordBase {
  ty: 'trade';
  tp: number;
  tv: number;
  /** taker side: ASK = the taker sold, BID = the taker bought */
  ab?: 'ASK' | 'BID';
  /** the exchange's trade id as an exact string */
  sid?: string;
}

/** One order-book level pair; a side that has run out is absent. */
export interface BookUnit {
  ap?: number;
  as?: number;
  bp?: number;
  bs?: number;
}

export interface OrderbookRecord extends RecordBase {
  ty: 'orderbook';
  obu: BookUnit[];
  /** sum of the ask sizes in obu */
  tas: number;
  /** sum of the bid sizes in obu */
  tbs: number;
}

export type MarketRecord = TickerRecord | TradeRecord | OrderbookRecord;

type Assigned = 'rtms' | 'ep' | 'sq' | 'st';
/**
 * What a plugin emits: a record without the keys the worker assigns. Order-book drafts carry the book's best
 * levels (at least N where the exchange has them); the pipeline cuts them to N and computes `tas`/`tbs`.
 */
export type Draft =
  | Omit<TickerRecord, Assigned>
  | Omit<TradeRecord, Assigned>
  | Omit<OrderbookRecord, Assigned | 'tas' | 'tbs'>;
/** the draft of one record type */
export type TickerDraft = Extract<Draft, { ty: 'ticker' }>;
export type TradeDraft = Extract<Draft, { ty: 'trade' }>;
export type BookDraft = Extract<Draft, { ty: 'orderbook' }>;

/**
 * The stream key: one sequence of records (`sq` counts per key). Derived records add a fourth part (SPEC §3a): the
 * reference exchange `rex` of a premium, the interval `iv` of a candle. This is the one key function for the bus,
 * the snapshot store, history and resume.
 */
export function streamKey(ex: string, ty: string, cd: string, sub?: string): string {
  return sub === undefined ? `${ex}|${ty}|${cd}` : `${ex}|${ty}|${cd}|${sub}`;
}

/** The stream key of a record: `rex` (premium) or `iv` (candle) joins (ex, ty, cd) where present. */
export function recordKey(r: { ex: string; ty: string; cd: string; rex?: string; iv?: string }): string {
  return streamKey(r.ex, r.ty, r.cd, r.rex ?? r.iv);
}

export function splitStreamKey(key: string): { ex: string; ty: string; cd: string; sub?: string } {
  const [ex, ty, cd, sub] = key.split('|');
  return sub === undefined ? { ex: ex!, ty: ty!, cd: cd! } : { ex: ex!, ty: ty!, cd: cd!, sub };
}

const SYMBOL_RE = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/;

/** A unified symbol is `BASE/QUOTE`, upper-case letters and digits. */
export function isSymbol(s: unknown): s is string {
  return typeof s === 'string' && SYMBOL_RE.test(s);
}

export function splitSymbol(symbol: string): { base: string; quote: string } {
  const i = symbol.indexOf('/');
  return { base: symbol.slice(0, i), quote: symbol.slice(i + 1) };
}
