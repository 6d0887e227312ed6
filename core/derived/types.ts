// The derived records (SPEC §3a): premium and candle, as clients receive them. Absent inputs mean absent keys.

export interface DerivedBase {
  ex: string;
  cd: string;
  /** the market code of `cd` on `ex`, as the exchange writes it */
  mc: string;
  tms: number;
  /** when the derived stage computed the record (ms) */
  rtms: number;
  /** the derived stage's start time */
  ep: number;
  /** per derived stream key (ex, ty, cd, rex|iv) within `ep` */
  sq: number;
  st?: 'SNAPSHOT';
}

export interface PremiumRecord extends DerivedBase {
  ty: 'premium';
  /** the reference exchange and its symbol */
  rex: string;
  rcd: string;
  tp: number;
  rtp: number;
  /** the last price of the reference quote (USDT) in the market's quote (KRW) on the market's own exchange */
  usdt?: number;
  /** the USD/KRW rate of the FX source */
  fx?: number;
  pu?: number;
  pf?: number;
}

export interface CandleRecord extends DerivedBase {
  ty: 'candle';
  iv: string;
  op: number;
  hp: number;
  lp: number;
  tp: number;
  catv: number;
  catp: number;
  cl?: true;
}

export type DerivedRecord = PremiumRecord | CandleRecord;
/** what a computation emits; the stage adds rtms, ep and sq */
export type DerivedDraft = Omit<PremiumRecord, 'rtms' | 'ep' | 'sq' | 'st'> | Omit<CandleRecord, 'rtms' | 'ep' | 'sq' | 'st'>;

/** The input records a computation reads: decoded exchange tickers and trades. */
export interface InputRecord {
  ty: string;
  ex: string;
  cd: string;
  mc: string;
  tms: number;
  tp?: number;
  tv?: number;
}
