// Resume (SPEC §4a): validates a subscribe's `resume` entries and works out, from the node's history and latest
// values, what each key's client missed: trades replayed exactly after its (ep, sq), state keys their latest record,
// and keys whose history no longer reaches back their latest record too, reported as lost.

import { GatewayError } from '../../sdk/errors.ts';
import type { Catalog, Filter } from '../filter.ts';
import { matches } from '../filter.ts';
import type { History, HistoryEntry } from '../store/history.ts';
import { position } from '../store/history.ts';
import { streamKey } from '../../sdk/model.ts';
import type { SnapshotStore, StoreEntry } from '../store/snapshot-store.ts';
import { isStateType } from './shape.ts';

export interface ResumeEntry {
  key: string;
  id: ResumeId;
  ep: number;
  sq: number;
}

/** how `resumed` names a key */
export interface ResumeId {
  ex: string;
  ty: string;
  cd: string;
  rex?: string;
  iv?: string;
}

export const MAX_RESUME_ENTRIES = 10_000;
const ENTRY_KEYS = new Set(['ex', 'ty', 'cd', 'rex', 'iv', 'ep', 'sq']);

/** the stream key of an entry: (ex, ty, cd), plus rex or iv for derived records */
export function resumeKey(id: ResumeId): string {
  return streamKey(id.ex, id.ty, id.cd, id.rex ?? id.iv);
}

/** Throws BAD_REQUEST naming the first bad entry; entries must lie inside the filter being subscribed. */
export function parseResume(raw: unknown, catalog: Catalog, filter: Filter): ResumeEntry[] {
  if (!Array.isArray(raw)) throw new GatewayError('BAD_REQUEST', 'resume: expected a list of {ex, ty, cd, ep, sq}');
  if (raw.length > MAX_RESUME_ENTRIES) throw new GatewayError('BAD_REQUEST', `resume: at most ${MAX_RESUME_ENTRIES} entries`);
  const seen = new Set<string>();
  return raw.map((e, i) => {
    const bad = (why: string) => new GatewayError('BAD_REQUEST', `resume[${i}]: ${why}`);
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw bad('expected an object {ex, ty, cd, ep, sq}');
    const o = e as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!ENTRY_KEYS.has(k)) throw bad(`unknown field "${k}"`);
    for (const k of ['ex', 'ty', 'cd'] as const) if (typeof o[k] !== 'string') throw bad(`${k}: expected a string`);
    for (const k of ['rex', 'iv'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') throw bad(`${k}: expected a string`);
    if (o.rex !== undefined && o.iv !== undefined) throw bad('rex and iv cannot both be given');
    if (typeof o.ep !== 'number' || !Number.isSafeInteger(o.ep) || o.ep <= 0) throw bad('ep: expected a positive integer');
    if (typeof o.sq !== 'number' || !Number.isSafeInteger(o.sq) || o.sq < 0) throw bad('sq: expected an integer >= 0');
    try {
      catalog.filter({ exchange: o.ex, symbol: o.cd, type: o.ty });
    } catch (err) {
      throw bad((err as Error).message);
    }
    const id: ResumeId = { ex: o.ex as string, ty: o.ty as string, cd: o.cd as string };
    if (o.rex !== undefined) id.rex = o.rex as string;
    if (o.iv !== undefined) id.iv = o.iv as string;
    if (!matches(filter, id.ex, id.ty, id.cd)) throw bad(`${id.ex} ${id.ty} ${id.cd} is outside the filter being subscribed`);
    const key = resumeKey(id);
    if (seen.has(key)) throw bad(`${key} is given twice`);
    seen.add(key);
    return { key, id, ep: o.ep, sq: o.sq };
  });
}

/** what to send, in order: a record as it travelled, or a store entry as a snapshot */
export type ResumeSend = { live: Uint8Array; key: string } | { snapshot: StoreEntry };

export interface ResumePlan {
  recovered: ResumeId[];
  lost: ResumeId[];
  sends: ResumeSend[];
}

const before = (a: { ep: number; sq: number }, b: { ep: number; sq: number }) => a.ep < b.ep || (a.ep === b.ep && a.sq < b.sq);

/** index of the entry at exactly (ep, sq), or -1; entries of a key are in (ep, sq) order */
function find(list: HistoryEntry[], at: { ep: number; sq: number }): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = position(list[mid]!);
    if (p.ep === at.ep && p.sq === at.sq) return mid;
    if (before(p, at)) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * `sentFrom(key)`: the history position from which this client has already been sent the key's records live (it
 * was subscribed to it before this message), or Infinity: those are not sent twice.
 */
export function planResume(entries: ResumeEntry[], history: History, store: SnapshotStore, sentFrom: (key: string) => number): ResumePlan {
  const plan: ResumePlan = { recovered: [], lost: [], sends: [] };
  for (const r of entries) {
    const from = sentFrom(r.key);
    const latest = store.get(r.key);
    const newest = history.newest(r.key);
    // sent live since it subscribed, or the very record it holds
    const hasLatest = newest !== undefined && newest.g >= from;
    const latestAt = latest ? store.snapshotRecord(latest) : undefined;
    const atLatest = latestAt !== undefined && latestAt.ep === r.ep && latestAt.sq === r.sq;
    const holdsLatest = hasLatest || atLatest;
    if (isStateType(r.id.ty)) {
      if (!latest && !newest) {
        plan.lost.push(r.id);
        continue;
      }
      plan.recovered.push(r.id);
      if (!holdsLatest && latest) plan.sends.push({ snapshot: latest });
      continue;
    }
    const list = history.entries(r.key);
    let start = -1;
    const i = list.length ? find(list, r) : -1;
    if (i >= 0) start = i + 1;
    else if (list.length) {
      const first = position(list[0]!);
      if (first.ep === r.ep && first.sq === r.sq + 1) start = 0;
    }
    if (start >= 0) {
      plan.recovered.push(r.id);
      for (let j = start; j < list.length && list[j]!.g < from; j++) plan.sends.push({ live: list[j]!.bytes, key: r.key });
    } else if (atLatest) {
      plan.recovered.push(r.id);
    } else {
      plan.lost.push(r.id);
      if (latest && !hasLatest) plan.sends.push({ snapshot: latest });
    }
  }
  return plan;
}
