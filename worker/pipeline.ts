// Turns a plugin's drafts into final records for one connection epoch: book cut and dedupe, rtms, ep, sq.
// Used by the worker and by the replay tests and benchmarks, so all of them run the same code.

import { exactSum } from '../sdk/decimal-sum.ts';
import { badFrame } from '../sdk/errors.ts';
import type { BookUnit, Draft, MarketRecord } from '../sdk/model.ts';
import { streamKey } from '../sdk/model.ts';

/** What the pipeline keeps per stream key. */
interface KeyState {
  ex: string;
  ty: string;
  key: string;
  sq: number;
  /** the last published book's units */
  book: BookUnit[] | undefined;
}

export class RecordPipeline {
  /**
   * Per-key state, found by symbol and then by (ex, ty) among a handful: cheaper than building the `ex|ty|cd` key
   * string for every record (the profile showed it), and the key is built once per stream.
   */
  private readonly states = new Map<string, KeyState[]>();

  /** `ep`: the epoch of the connection whose frames this pipeline sees; `depth`: order-book levels per record */
  constructor(
    readonly ep: number,
    private readonly depth: number,
  ) {}

  private state(ex: string, ty: string, cd: string): KeyState {
    let list = this.states.get(cd);
    if (!list) this.states.set(cd, (list = []));
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.ty === ty && s.ex === ex) return s;
    }
    const s: KeyState = { ex, ty, key: streamKey(ex, ty, cd), sq: 0, book: undefined };
    list.push(s);
    return s;
  }

  /** forgets the key's last book, so its next book is published even if unchanged; the key if it had published */
  invalidate(ex: string, ty: string, cd: string): string | undefined {
    const s = this.state(ex, ty, cd);
    s.book = undefined;
    return s.sq > 0 ? s.key : undefined;
  }

  /** the keys of one type this pipeline has published, with their (ex, cd) */
  published(ty: string): { key: string; ex: string; cd: string }[] {
    const out = [];
    for (const [cd, list] of this.states) for (const s of list) if (s.ty === ty && s.sq > 0) out.push({ key: s.key, ex: s.ex, cd });
    return out;
  }

  /**
   * The final record for a draft, with its stream key; undefined for an order book whose top N did not change.
   * Throws BAD_FRAME for a draft without a usable time. The draft becomes the record (its keys stay in the same
   * order, the assigned ones follow): the caller MUST NOT use it afterwards.
   */
  accept(draft: Draft, rtms: number): { key: string; record: MarketRecord } | undefined {
    if (!Number.isFinite(draft.tms)) throw badFrame(`${draft.ex} ${draft.ty} ${draft.cd}: no valid time`);
    const s = this.state(draft.ex, draft.ty, draft.cd);
    const record = draft as MarketRecord;
    if (draft.ty === 'orderbook') {
      const obu = draft.obu.length > this.depth ? draft.obu.slice(0, this.depth) : draft.obu;
      if (s.book && sameUnits(s.book, obu)) return undefined;
      s.book = obu;
      const book = record as Extract<MarketRecord, { ty: 'orderbook' }>;
      book.obu = obu;
      // exact decimal sums of the sizes kept (SPEC §3), not float additions
      book.tas = exactSum(obu, 'as');
      book.tbs = exactSum(obu, 'bs');
    }
    record.tms = Math.floor(draft.tms);
    record.rtms = rtms;
    record.ep = this.ep;
    record.sq = ++s.sq;
    return { key: s.key, record };
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
