// The derived stage's thread: reads the input records it is sent, runs the computations (kernel/derived/stage.ts)
// and posts the derived records back as batches.

import { readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordBatch } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import type { InputBatch } from './input-window.ts';
import { DerivedStage } from './stage.ts';
import type { StagePlan } from './stage.ts';
import type { DerivedRecord } from './types.ts';

export interface DerivedWorkerData {
  ep: number;
  plan: StagePlan;
  /** encoded latest derived records of a previous stage */
  resume: Uint8Array[];
  fx: number | undefined;
}

export type ToDerived = { t: 'inputs'; batch: InputBatch } | { t: 'fx'; rate: number | undefined } | { t: 'counts' };
export type FromDerived =
  | { t: 'ready' }
  | { t: 'batch'; batch: RecordBatch }
  /** counts, this thread's busy time (ms) since it started, and its OS thread id where known (Linux: benchmarks) */
  | { t: 'counts'; counts: Record<string, number>; activeMs: number; tid?: number };

const port = parentPort!;
/** /proc/thread-self → "<pid>/task/<tid>" on Linux */
const tid = (() => {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
})();
const data = workerData as DerivedWorkerData;
const post = (msg: FromDerived, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer);
const stage = new DerivedStage(data.ep, data.plan, (batch) => post({ t: 'batch', batch }, [batch.buf.buffer as ArrayBuffer]));
stage.fx(data.fx);
stage.resume(data.resume.map((b) => decode<DerivedRecord>(b)));
stage.start();
port.on('message', (msg: ToDerived) => {
  switch (msg.t) {
    case 'inputs':
      return stage.inputWindow(msg.batch);
    case 'fx':
      return stage.fx(msg.rate);
    case 'counts':
      return post({ t: 'counts', counts: { ...stage.counts }, activeMs: performance.eventLoopUtilization().active, ...(tid ? { tid } : {}) });
  }
});
post({ t: 'ready' });
