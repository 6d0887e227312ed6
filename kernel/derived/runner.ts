// The main-thread side of the derived stage: runs it while this node feeds the bus, in the main thread (inline,
// the default) or in a thread of its own (`derived.thread: true`), forwards the exchange batches and the FX rate,
// hands the derived batches on, and starts a new stage (new ep, resumed from the latest derived records) after one
// fails.

import type { RecordBatch } from '../../boundary/batch.ts';
import type { Logger } from '../log.ts';
import type { HostOptions, StageHost } from './host.ts';
import { InlineHost } from './inline.ts';
import type { StagePlan } from './stage.ts';
import { ThreadHost } from './thread-host.ts';

/** a failed stage is replaced after this long */
export const RESTART_MS = 1000;

export interface RunnerOptions {
  plan: StagePlan;
  log: Logger;
  /** run the stage in a thread of its own rather than in the main thread */
  thread: boolean;
  onBatch(batch: RecordBatch): void;
}

export class DerivedRunner {
  private host: StageHost | undefined;
  private fxRate: number | undefined;
  private epoch = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private resumeFrom: () => Uint8Array[] = () => [];
  /** inputs handed to stages that have ended (the running one's are its own count) */
  private forwardedBefore = 0;
  private produced = 0;
  private restarts = 0;
  private lastError: string | undefined;
  private closed = false;

  constructor(private readonly opts: RunnerOptions) {}

  /** the stage's current `ep` (0 while not running) */
  get ep(): number {
    return this.host ? this.epoch : 0;
  }

  /** Starts the stage with a new `ep`; `resume` gives the latest derived records to continue from. */
  start(resume: () => Uint8Array[]): void {
    if (this.host || this.closed) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.resumeFrom = resume;
    // a stage restarted within the same millisecond still gets a greater ep
    this.epoch = Math.max(Date.now(), this.epoch + 1);
    let failed: string | undefined;
    let host: StageHost | undefined;
    const options: HostOptions = {
      ep: this.epoch,
      plan: this.opts.plan,
      resume: resume(),
      fx: this.fxRate,
      onBatch: (batch) => {
        this.produced += batch.keys.length;
        this.opts.onBatch(batch);
      },
      onFailure: (message) => {
        // an inline stage may fail while it is being built, before `host` is set
        if (!host) failed = message;
        else if (this.host === host) this.failed(host, message);
      },
    };
    host = this.opts.thread ? new ThreadHost(options) : new InlineHost(options);
    this.host = host;
    this.opts.log.info(`derived stage started (ep ${this.epoch}, ${host.mode})`);
    if (failed !== undefined) this.failed(host, failed);
  }

  private failed(host: StageHost, message: string): void {
    this.lastError = message;
    this.forwardedBefore += host.forwarded;
    this.host = undefined;
    this.restarts++;
    this.opts.log.error(`derived stage failed (ep ${this.epoch}): ${message}; a new stage starts in ${RESTART_MS} ms`);
    if (this.closed) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start(this.resumeFrom);
    }, RESTART_MS);
  }

  /** stops the stage (this node no longer feeds the bus); idempotent */
  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const host = this.host;
    this.host = undefined;
    if (host) {
      this.forwardedBefore += host.forwarded;
      await host.stop();
    }
  }

  /** an exchange batch (the stage reads only its input keys) */
  input(batch: RecordBatch): void {
    this.host?.input(batch);
  }

  fx(rate: number | undefined): void {
    this.fxRate = rate;
    this.host?.fx(rate);
  }

  /**
   * The stage's counts (inputs, emitted, late trades, ...), busy time in ms (`activeMs`) and, in a thread, its OS
   * thread id (`tid`, Linux) or, inline, `inline: 1`; undefined while not running.
   */
  async stats(): Promise<Record<string, number> | undefined> {
    return this.host?.stats();
  }

  health(): Record<string, unknown> {
    const host = this.host;
    return {
      mode: this.opts.thread ? 'thread' : 'inline',
      running: host !== undefined,
      ready: host?.ready ?? false,
      ep: this.ep,
      inputsForwarded: this.forwardedBefore + (host?.forwarded ?? 0),
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
