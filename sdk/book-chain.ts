// How order-book diffs are chained (BookSync's `chain` option): whether a diff continues the book where it stands,
// is older than it, or shows that something between was lost. One rule per kind of exchange sequencing.

export type Chain<D> =
  | { by: 'update-id'; first(d: D): number; last(d: D): number }
  | { by: 'sequence'; seq(d: D): number; prev(d: D): number }
  | { by: 'time'; at(d: D): number }
  | { by: 'none' };

/** where a book stands on its chain */
export interface ChainPosition {
  /** the position of the last applied update (the snapshot's, before any diff) */
  last: number;
  /** the snapshot's position (time chains: diffs at or before it are in it) */
  base: number;
  /** true until a diff is applied on the snapshot (update-id chains bracket it; sequence chains skip stale ones) */
  awaitingFirst: boolean;
}

/** The diff's chain position when it continues the book; 'stale' when the book already holds it, 'gap' when updates are missing. */
export function follows<D>(chain: Chain<D>, d: D, at: ChainPosition): number | 'stale' | 'gap' {
  switch (chain.by) {
    case 'update-id': {
      const first = chain.first(d);
      const next = chain.last(d);
      if (at.awaitingFirst) {
        if (next <= at.last) return 'stale';
        if (first > at.last + 1) return 'gap';
      } else if (first !== at.last + 1) return 'gap';
      return next;
    }
    case 'sequence':
      if (chain.prev(d) !== at.last) return chain.seq(d) <= at.last && at.awaitingFirst ? 'stale' : 'gap';
      return chain.seq(d);
    case 'time': {
      const next = chain.at(d);
      if (next <= at.base) return 'stale';
      if (next < at.last) return 'gap';
      return next;
    }
    case 'none':
      return at.last;
  }
}

/** the diff's position on its chain (-Infinity where the chain has none) */
export function position<D>(chain: Chain<D>, d: D): number {
  switch (chain.by) {
    case 'update-id':
      return chain.last(d);
    case 'sequence':
      return chain.seq(d);
    case 'time':
      return chain.at(d);
    case 'none':
      return -Infinity;
  }
}
