// Drops records an exchange sends twice across a connection switch (reconnect or rollover): repeated trade ids,
// and on a new connection, trades and tickers no newer than what the previous connection already delivered.

import type { Draft } from '../sdk/model.ts';

/** trade ids remembered per key; far more than can overlap at a switch */
const IDS_PER_KEY = 512;

interface KeyState {
  ids?: Set<string>;
  /** ring of the remembered ids, oldest at `next` once full */
  ring?: string[];
  next?: number;
  /** connection that produced the newest record */
  link: number;
  lastTms: number;
  /** fingerprints of records at lastTms, to tell a repeat from a new record in the same ms */
  atLast: Set<string>;
}

function fingerprint(d: Draft): string {
  if (d.ty === 'trade') return `${d.tp}|${d.tv}|${d.ab ?? ''}`;
  if (d.ty === 'ticker') return `${d.tp}|${d.atv24h ?? ''}|${d.scp ?? ''}`;
  return '';
}

export class RecentRecords {
  /** per record type, per symbol: no key string is built on this per-record path (one feed = one exchange) */
  private readonly byType = { ticker: new Map<string, KeyState>(), trade: new Map<string, KeyState>() };

  /**
   * true when `draft` (from connection `link`) repeats or predates one already delivered.
   * Books are never dropped here: each new epoch starts with a full book.
   */
  isRepeat(draft: Draft, link: number): boolean {
    // books start full in each epoch; private records (myOrder, myAsset) are not repeated by the exchanges
    if (draft.ty !== 'ticker' && draft.ty !== 'trade') return false;
    const states = this.byType[draft.ty];
    let s = states.get(draft.cd);
    if (!s) {
      s = { link, lastTms: -Infinity, atLast: new Set() };
      states.set(draft.cd, s);
    }
    if (draft.ty === 'trade' && draft.sid !== undefined) return this.seenId(s, draft.sid);
    // Within one connection the exchange's order is trusted; across connections, older or equal-and-identical
    // records are repeats. Fingerprints are only needed for that comparison.
    if (s.link === link) {
      if (draft.tms !== s.lastTms) {
        s.lastTms = draft.tms;
        s.atLast.clear();
      }
      if (s.atLast.size < 64) s.atLast.add(fingerprint(draft));
      return false;
    }
    const fp = fingerprint(draft);
    if (draft.tms < s.lastTms || (draft.tms === s.lastTms && s.atLast.has(fp))) return true;
    s.link = link;
    if (draft.tms !== s.lastTms) {
      s.lastTms = draft.tms;
      s.atLast.clear();
    }
    s.atLast.add(fp);
    return false;
  }

  private seenId(s: KeyState, id: string): boolean {
    s.ids ??= new Set();
    s.ring ??= [];
    if (s.ids.has(id)) return true;
    s.ids.add(id);
    if (s.ring.length < IDS_PER_KEY) s.ring.push(id);
    else {
      const at = s.next ?? 0;
      s.ids.delete(s.ring[at]!);
      s.ring[at] = id;
      s.next = (at + 1) % IDS_PER_KEY;
    }
    return false;
  }
}
