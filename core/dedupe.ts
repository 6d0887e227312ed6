// Drops records an exchange sends twice across a connection switch (reconnect or rollover): repeated trade ids,
// and on a new connection, trades and tickers no newer than what the previous connection already delivered.

import type { Draft } from './model.ts';
import { streamKey } from './model.ts';

/** trade ids remembered per key; far more than can overlap at a switch */
const IDS_PER_KEY = 512;

interface KeyState {
  ids?: Set<string>;
  order?: string[];
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
  private readonly keys = new Map<string, KeyState>();

  /**
   * true when `draft` (from connection `link`) repeats or predates one already delivered.
   * Books are never dropped here: each new epoch starts with a full book.
   */
  isRepeat(draft: Draft, link: number): boolean {
    if (draft.ty === 'orderbook') return false;
    const key = streamKey(draft.ex, draft.ty, draft.cd);
    let s = this.keys.get(key);
    if (!s) {
      s = { link, lastTms: -Infinity, atLast: new Set() };
      this.keys.set(key, s);
    }
    if (draft.ty === 'trade' && draft.sid !== undefined) return this.seenId(s, draft.sid);
    const fp = fingerprint(draft);
    // Within one connection the exchange's order is trusted; across connections, older or equal-and-identical repeats.
    if (s.link !== link && (draft.tms < s.lastTms || (draft.tms === s.lastTms && s.atLast.has(fp)))) return true;
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
    s.order ??= [];
    if (s.ids.has(id)) return true;
    s.ids.add(id);
    s.order.push(id);
    if (s.order.length > IDS_PER_KEY) s.ids.delete(s.order.shift()!);
    return false;
  }
}
