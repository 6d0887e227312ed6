// Stream-health messages (SPEC §4a): status per exchange and resync per book key, as clients receive them and as
// they travel on the bus beside the records. A message is a msgpack map whose first key is `event` (records begin
// with `ty` and never carry `event`). Status goes under the key `!status|<exchange>`; a resync under the book's own
// stream key, so that on Kafka it shares the book's partition and stays in order with its records.

import type { RecordBatch } from '../../boundary/batch.ts';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import { streamKey } from '../../sdk/model.ts';

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

/** the bus key of status messages begins with this; stream keys never do */
const CONTROL = 0x21; // '!'

export const statusKey = (exchange: string) => `!status|${exchange}`;
export const resyncKey = (exchange: string, symbol: string) => streamKey(exchange, 'orderbook', symbol);

export function isControlKey(key: string): boolean {
  return key.charCodeAt(0) === CONTROL;
}

/** the encoded value at `at` is a map whose first key is "event": a stream-health message */
function isEventAt(buf: Uint8Array, at: number): boolean {
  const b0 = buf[at]!;
  const k = at + (b0 >= 0x80 && b0 <= 0x8f ? 1 : b0 === 0xde ? 3 : b0 === 0xdf ? 5 : buf.length);
  // fixstr of 5: "event"
  return buf[k] === 0xa5 && buf[k + 1] === 0x65 && buf[k + 2] === 0x76 && buf[k + 3] === 0x65 && buf[k + 4] === 0x6e && buf[k + 5] === 0x74;
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
  const { keys, ends, buf } = batch;
  const control = (i: number) => isControlKey(keys[i]!) || isEventAt(buf, i === 0 ? 0 : ends[i - 1]!);
  let i = 0;
  while (i < keys.length && !control(i)) i++;
  if (i === keys.length) return records(batch);
  const run = new BatchBuilder();
  for (i = 0; i < keys.length; i++) {
    const bytes = recordAt(batch, i);
    if (!control(i)) {
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
