// Stream-health messages (SPEC §4a): status per exchange and resync per book key, as clients receive them and as
// they travel on the bus beside the records (control keys start with "!", record keys never do).

import type { RecordBatch } from '../batch.ts';
import { BatchBuilder, recordAt } from '../batch.ts';
import { decode } from '../codec.ts';

export type StatusState = 'up' | 'degraded' | 'down';

export interface StatusEvent {
  event: 'status';
  exchange: string;
  state: StatusState;
  /** when this state began, ms */
  since: number;
  /** when this was said, ms */
  tms: number;
  /** why; present on every state but up */
  reason?: string;
}

export interface ResyncEvent {
  event: 'resync';
  exchange: string;
  symbol: string;
  type: 'orderbook';
  tms: number;
}

export type StreamEvent = StatusEvent | ResyncEvent;

/** bus keys of stream-health messages begin with this; stream keys never do */
const CONTROL = 0x21; // '!'

export const statusKey = (exchange: string) => `!status|${exchange}`;
export const resyncKey = (exchange: string, symbol: string) => `!resync|${exchange}|${symbol}`;

export function isControlKey(key: string): boolean {
  return key.charCodeAt(0) === CONTROL;
}

/** the messages as one batch for the bus */
export function eventBatch(events: StreamEvent[]): RecordBatch {
  const b = new BatchBuilder();
  for (const e of events) b.addRecord(e.event === 'status' ? statusKey(e.exchange) : resyncKey(e.exchange, e.symbol), e);
  return b.take();
}

/**
 * Walks what the bus delivered in order: runs of records go to `records`, stream-health messages to `event`. A batch
 * without control keys (nearly all of them) is passed on as it is.
 */
export function splitEvents(batch: RecordBatch, records: (b: RecordBatch) => void, event: (e: StreamEvent) => void): void {
  const { keys } = batch;
  let i = 0;
  while (i < keys.length && !isControlKey(keys[i]!)) i++;
  if (i === keys.length) return records(batch);
  const run = new BatchBuilder();
  for (i = 0; i < keys.length; i++) {
    const bytes = recordAt(batch, i);
    if (!isControlKey(keys[i]!)) {
      run.add(keys[i]!, bytes);
      continue;
    }
    if (run.length) records(run.take());
    try {
      const e = decode<StreamEvent>(bytes);
      if (e && (e.event === 'status' || e.event === 'resync')) event(e);
    } catch {
      /* a malformed control message from another node is dropped */
    }
  }
  if (run.length) records(run.take());
}
