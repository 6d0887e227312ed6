// Turns a plugin's drafts into final records for one connection epoch: book cut and dedupe, rtms, ep, sq.
// Used by the worker and by the replay tests and benchmarks, so all of them run the same code.

import { roundSum } from './book.ts';
import { badFrame } from './errors.ts';
import type { BookUnit, Draft, MarketRecord } from './model.ts';
import { streamKey } from './model.ts';

export class RecordPipeline {
  private readonly seq = new Map<string, number>();
  private readonly lastBook = new Map<string, BookUnit[]>();

  /** `ep`: the epoch of the connection whose frames this pipeline sees; `depth`: order-book levels per record */
  constructor(
    readonly ep: number,
    private readonly depth: number,
  ) {}

  /**
   * The final record for a draft, with its stream key; undefined for an order book whose top N did not change.
   * Throws BAD_FRAME for a draft without a usable time.
   */
  accept(draft: Draft, rtms: number): { key: string; record: MarketRecord } | undefined {
    if (!Number.isFinite(draft.tms)) throw badFrame(`${draft.ex} ${draft.ty} ${draft.cd}: no valid time`);
    const key = streamKey(draft.ex, draft.ty, draft.cd);
    let record: MarketRecord;
    if (draft.ty === 'orderbook') {
      const obu = draft.obu.length > this.depth ? draft.obu.slice(0, this.depth) : draft.obu;
      const last = this.lastBook.get(key);
      if (last && sameUnits(last, obu)) return undefined;
      this.lastBook.set(key, obu);
      let tas = 0;
      let tbs = 0;
      for (const u of obu) {
        if (u.as !== undefined) tas += u.as;
        if (u.bs !== undefined) tbs += u.bs;
      }
      record = { ...draft, obu, tas: roundSum(tas), tbs: roundSum(tbs), tms: Math.floor(draft.tms), rtms, ep: this.ep, sq: 0 };
    } else {
      record = { ...draft, tms: Math.floor(draft.tms), rtms, ep: this.ep, sq: 0 } as MarketRecord;
    }
    const sq = (this.seq.get(key) ?? 0) + 1;
    this.seq.set(key, sq);
    record.sq = sq;
    return { key, record };
  }
}

function sameUnits(a: BookUnit[], b: BookUnit[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.ap !== y.ap || x.as !== y.as || x.bp !== y.bp || x.bs !== y.bs) return false;
  }
  return true;
}
