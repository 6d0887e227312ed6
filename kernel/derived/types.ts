// The derived records (SPEC §3a): premium and candle, as clients receive them. Absent inputs mean absent keys.

import type { RecordBase } from '../../sdk/model.ts';

/**
 * The common keys of SPEC §3, read for derived records: `mc` is the market code of `cd` on `ex`, `rtms` when the
 * derived stage computed the record, `ep` the stage's start time, `sq` per derived stream key (ex, ty, cd, rex|iv).
 */
export type DerivedBase = Omit<RecordBase, 'ty'>;

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
