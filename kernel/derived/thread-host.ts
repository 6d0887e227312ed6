// The derived stage in a thread of its own: the main thread copies the input records of the exchange batches into
// a window (kernel/derived/input-window.ts), posts it to the stage thread (kernel/derived/thread.ts) every WINDOW_MS,
// and hands the derived batches it posts back to the runner.

import { Worker } from 'node:worker_threads';
import type { RecordBatch } from '../../boundary/batch.ts';
import { WINDOW_MS } from './host.ts';
import type { HostOptions, StageHost } from './host.ts';
import { InputWindow } from './input-window.ts';
import { inputKeys } from './stage.ts';
import type { FromDerived, ToDerived } from './thread.ts';

const WORKER_URL =
  'Deno' in globalThis ? new URL('./thread.ts', import.meta.url) : new URL('./boot.mjs', import.meta.url);


export class ThreadHost implements StageHost {
  readonly mode = 'thread';
  ready = false;
  forwarded = 0;
  private worker: Worker | undefined;
  private readonly window: InputWindow;
  private forwardTimer: ReturnType<typeof setTimeout> | undefined;
  private countWaiters: ((c: Record<string, number>) => void)[] = [];
  private lastError: string | undefined;

  constructor(private readonly opts: HostOptions) {
    this.window = new InputWindow(new Map(inputKeys(opts.plan).map((key, i) => [key, i])));
    const worker = new Worker(WORKER_URL, {
      name: 'derived',
      workerData: { ep: opts.ep, plan: opts.plan, resume: opts.resume, fx: opts.fx },
    });
    this.worker = worker;
    worker.on('message', (msg: FromDerived) => {
      if (msg.t === 'ready') this.ready = true;
      else if (msg.t === 'counts') {
        for (const w of this.countWaiters.splice(0)) w({ ...msg.counts, activeMs: msg.activeMs, ...(msg.tid ? { tid: msg.tid } : {}) });
      } else if (msg.t === 'batch') this.opts.onBatch(msg.batch);
    });
    worker.on('error', (err) => {
      this.lastError = err.message;
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.stopped();
      this.opts.onFailure(this.lastError ?? `the stage thread exited (code ${code})`);
    });
  }

  /**
   * The exchange records of a batch that the stage reads are copied, and sent to its thread together every
   * WINDOW_MS: one message per window rather than one per exchange batch (each postMessage costs the main thread).
   */
  input(batch: RecordBatch): void {
    if (!this.worker) return;
    this.window.add(batch);
    if (this.window.length && !this.forwardTimer) this.forwardTimer = setTimeout(() => this.forward(), WINDOW_MS);
  }

  private forward(): void {
    this.forwardTimer = undefined;
    if (!this.window.length || !this.worker) return;
    const batch = this.window.take();
    this.forwarded += batch.ids.length;
    this.post({ t: 'inputs', batch }, [batch.ids.buffer, batch.ends.buffer, batch.buf.buffer] as ArrayBuffer[]);
  }

  fx(rate: number | undefined): void {
    this.post({ t: 'fx', rate });
  }

  private post(msg: ToDerived, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(msg, transfer);
  }

  stats(): Promise<Record<string, number>> {
    const answer = new Promise<Record<string, number>>((resolve) => this.countWaiters.push(resolve));
    this.post({ t: 'counts' });
    return answer;
  }

  private stopped(): void {
    this.worker = undefined;
    clearTimeout(this.forwardTimer);
    this.forwardTimer = undefined;
    this.window.clear();
    // a stats() call waiting on a dead thread gets what is known: nothing
    for (const w of this.countWaiters.splice(0)) w({});
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.stopped();
    if (w) await w.terminate();
  }
}
