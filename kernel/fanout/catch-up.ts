// What one client is sent to catch up, outside the routed stream: the snapshot of the keys its filter selects, the
// records an interval group still held when it moved, and a resume (replayed records, or the latest as a snapshot).

import type { Filter } from '../filter.ts';
import { matches, matchesKey } from '../filter.ts';
import type { History } from '../store/history.ts';
import type { Metrics } from '../metrics.ts';
import type { SnapshotStore } from '../store/snapshot-store.ts';
import { arrayPayload } from './batch-frame.ts';
import type { Client } from './hub-types.ts';
import type { ResumeEntry } from './resume.ts';
import { planResume } from './resume.ts';
import { replayPayload, snapshotPayload } from './shaped-outs.ts';

/** how the hub writes to one client (counted, cut when slow) */
export interface ClientSink {
  send(c: Client, payload: string | Uint8Array, records?: number): void;
  /** a control answer in the client's format */
  reply(c: Client, msg: Record<string, unknown>): void;
}

/** records for one client: one array frame with batch=true, else one frame each */
export function sendRecords(sink: ClientSink, c: Client, payloads: (string | Uint8Array)[]): void {
  if (payloads.length === 0) return;
  if (c.shape.batch) sink.send(c, arrayPayload(payloads), payloads.length);
  else for (const p of payloads) sink.send(c, p);
}

/** replays the latest record of every key matching the client's filter but not `previous`, except `skip` keys */
export function sendSnapshot(sink: ClientSink, store: SnapshotStore, c: Client, previous: Filter | null, skip: Set<string> | undefined): void {
  const payloads = [];
  for (const e of store.select(c.filter)) {
    if (previous && matches(previous, e.ex, e.ty, e.cd)) continue;
    if (skip?.has(e.key)) continue;
    payloads.push(snapshotPayload(store, e, c.format, c.shape.depth));
  }
  sendRecords(sink, c, payloads);
}

/** what a client that moves to another group has not yet been sent from its interval group */
export function sendConflated(sink: ClientSink, c: Client): void {
  const pending = c.group?.conflated;
  if (pending?.size) sendRecords(sink, c, [...pending.values()].map((o) => o.payload));
}

export interface ResumeSources {
  store: SnapshotStore;
  history?: History;
  /** keys asked for in resume, by outcome */
  resumes: ReturnType<Metrics['counter']>;
}

/** `resumed`, then what each key missed (replayed records, or the latest as a snapshot) */
export function sendResume(
  sink: ClientSink,
  src: ResumeSources,
  c: Client,
  asked: ResumeEntry[],
  previous: Filter,
  since: number,
  withId: Record<string, unknown>,
): void {
  const { history, store } = src;
  // keys the filter in force does not select (the security guard may narrow it) are lost, and nothing is sent
  const entries = asked.filter((e) => matches(c.filter, e.id.ex, e.id.ty, e.id.cd));
  const denied = asked.filter((e) => !entries.includes(e)).map((e) => e.id);
  if (!history) {
    sink.reply(c, { event: 'resumed', recovered: [], lost: [...entries.map((e) => e.id), ...denied], ...withId });
    sendRecords(sink, c, entries.flatMap((e) => {
      const s = store.get(e.key);
      return s ? [snapshotPayload(store, s, c.format, c.shape.depth)] : [];
    }));
    return;
  }
  const plan = planResume(entries, history, store, (key) => (matchesKey(previous, key) ? since : Infinity));
  src.resumes.inc({ outcome: 'recovered' }, plan.recovered.length);
  src.resumes.inc({ outcome: 'lost' }, plan.lost.length + denied.length);
  sink.reply(c, { event: 'resumed', recovered: plan.recovered, lost: [...plan.lost, ...denied], ...withId });
  const types = new Map(entries.map((e) => [e.key, e.id.ty]));
  const payloads: (string | Uint8Array)[] = [];
  for (const s of plan.sends) {
    if ('snapshot' in s) payloads.push(snapshotPayload(store, s.snapshot, c.format, c.shape.depth));
    else payloads.push(replayPayload(s.live, types.get(s.key) ?? '', c.format, c.shape.depth));
  }
  sendRecords(sink, c, payloads);
}
