// The main-thread side of the derived stage: picks the input records out of the exchange batches, runs the stage in
// its own thread while this node feeds the bus, forwards the FX rate, and hands the derived batches back.

import { Worker } from 'node:worker_threads';
import type { RecordBatch } from '../../boundary/batch.ts';
import type { Logger } from '../log.ts';
import { InputWindow } from './input-window.ts';
import type { FromDerived, ToDerived } from './thread.ts';
import { inputKeys } from './stage.ts';
import type { StagePlan } from './stage.ts';

const WORKER_URL =
  'Deno' in globalThis ? new URL('./thread.ts', import.meta.url) : new URL('./boot.mjs', import.meta.url);

/** inputs are gathered this long before they go to the stage thread (derived records wait ≤ this much more) */
export const FORWARD_MS = 50;

export interface RunnerOptions {
  plan: StagePlan;
  log: Logger;
  onBatch(batch: RecordBatch): void;
}

export class DerivedRunner {
  private worker: Worker | undefined;
  private readonly window: InputWindow;
  private ready = false;
  /** input batches posted before the thread said ready are queued by the worker port itself */
  private fxRate: number | undefined;
  private epoch = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private resumeFrom: () => Uint8Array[] = () => [];
  private forwarded = 0;
  private produced = 0;
  private restarts = 0;
  private lastError: string | undefined;
  private closed = false;
  private forwardTimer: ReturnType<typeof setTimeout> | undefined;
  private countWaiters: ((c: Record<string, number>) => void)[] = [];

  constructor(private readonly opts: RunnerOptions) {
    this.window = new InputWindow(new Map(inputKeys(opts.plan).map((key, i) => [key, i])));
  }

  /** the stage's current `ep` (0 while not running) */
  get ep(): number {
    return this.worker ? this.epoch : 0;
  }

  /** Starts the stage with a new `ep`; `resume` gives the latest derived records to continue from. */
  start(resume: () => Uint8Array[]): void {
    if (this.worker || this.closed) return;
    this.resumeFrom = resume;
    // a stage restarted within the same millisecond still gets a greater ep
    this.epoch = Math.max(Date.now(), this.epoch + 1);
    const worker = new Worker(WORKER_URL, {
      name: 'derived',
      workerData: { ep: this.epoch, plan: this.opts.plan, resume: resume(), fx: this.fxRate },
    });
    this.worker = worker;
    this.ready = false;
    worker.on('message', (msg: FromDerived) => {
      if (msg.t === 'ready') this.ready = true;
      else if (msg.t === 'counts') {
        for (const w of this.countWaiters.splice(0)) w({ ...msg.counts, activeMs: msg.activeMs, ...(msg.tid ? { tid: msg.tid } : {}) });
      }
      else if (msg.t === 'batch') {
        this.produced += msg.batch.keys.length;
        this.opts.onBatch(msg.batch);
      }
    });
    worker.on('error', (err) => {
      this.lastError = err.message;
      this.opts.log.error(`derived stage failed: ${err.message}; restarting with a new ep`);
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.closed) return;
      this.restarts++;
      this.restartTimer = setTimeout(() => this.start(this.resumeFrom), 1000);
    });
    this.opts.log.info(`derived stage started (ep ${this.epoch})`);
  }

  /** stops the stage (this node no longer feeds the bus); idempotent */
  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    clearTimeout(this.forwardTimer);
    this.forwardTimer = undefined;
    this.window.clear();
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  /**
   * The exchange records of a batch that the stage reads are copied, and sent to its thread together every
   * FORWARD_MS: one message per window rather than one per exchange batch (each postMessage costs the main thread).
   */
  input(batch: RecordBatch): void {
    if (!this.worker) return;
    this.window.add(batch);
    if (this.window.length && !this.forwardTimer) this.forwardTimer = setTimeout(() => this.forward(), FORWARD_MS);
  }

  private forward(): void {
    this.forwardTimer = undefined;
    if (!this.window.length || !this.worker) return;
    const batch = this.window.take();
    this.forwarded += batch.ids.length;
    this.post({ t: 'inputs', batch }, [batch.ids.buffer, batch.ends.buffer, batch.buf.buffer] as ArrayBuffer[]);
  }

  fx(rate: number | undefined): void {
    this.fxRate = rate;
    this.post({ t: 'fx', rate });
  }

  private post(msg: ToDerived, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(msg, transfer);
  }

  /** the stage thread's counts (inputs, emitted, late trades, ...), busy time in ms and OS thread id (Linux); undefined while not running */
  async stats(): Promise<Record<string, number> | undefined> {
    if (!this.worker) return undefined;
    const answer = new Promise<Record<string, number>>((resolve) => this.countWaiters.push(resolve));
    this.post({ t: 'counts' });
    return answer;
  }

  health(): Record<string, unknown> {
    return {
      running: this.worker !== undefined,
      ready: this.worker !== undefined && this.ready,
      ep: this.ep,
      inputsForwarded: this.forwarded,
      recordsProduced: this.produced,
      restarts: this.restarts,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }
}
