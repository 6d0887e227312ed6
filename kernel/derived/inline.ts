// The derived stage in the main thread: it reads the exchange batches as they come (no copy, no message, no second
// isolate), ticks on a main-thread timer, and its batches go to the runner as soon as a call returns. What a
// computation throws is caught here, never reaching the exchange path: the stage is dropped and reported failed,
// and the runner starts a new one (new ep), as when a stage thread dies.

import { performance } from 'node:perf_hooks';
import type { RecordBatch } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import type { HostOptions, StageHost } from './host.ts';
import { DerivedStage } from './stage.ts';
import type { DerivedRecord } from './types.ts';

export class InlineHost implements StageHost {
  readonly mode = 'inline';
  ready = false;
  private stage: DerivedStage | undefined;
  /** batches the stage gave during the call being run, handed on after it */
  private out: RecordBatch[] = [];
  /** the stage's busy time: measured around each call into it */
  private activeMs = 0;

  constructor(private readonly opts: HostOptions) {
    const stage = new DerivedStage(opts.ep, opts.plan, (batch) => this.out.push(batch));
    this.stage = stage;
    this.run(() => {
      stage.fx(opts.fx);
      stage.resume(opts.resume.map((b) => decode<DerivedRecord>(b)));
      stage.start((tick) => this.run(tick));
    });
    this.ready = this.stage !== undefined;
  }

  get forwarded(): number {
    return this.stage?.counts.inputs ?? 0;
  }

  /** the hot path (every exchange batch): written out rather than through run(), no closure per call */
  input(batch: RecordBatch): void {
    const stage = this.stage;
    if (!stage) return;
    const t0 = performance.now();
    try {
      stage.input(batch);
    } catch (err) {
      return this.fail(err, t0);
    }
    this.done(t0);
  }

  fx(rate: number | undefined): void {
    const stage = this.stage;
    if (stage) this.run(() => stage.fx(rate));
  }

  /** one call into the stage: timed, guarded; its derived batches are handed on once it returned */
  private run(call: () => void): void {
    const t0 = performance.now();
    try {
      call();
    } catch (err) {
      return this.fail(err, t0);
    }
    this.done(t0);
  }

  private done(t0: number): void {
    this.activeMs += performance.now() - t0;
    if (!this.out.length) return;
    const out = this.out;
    this.out = [];
    for (const batch of out) this.opts.onBatch(batch);
  }

  private fail(err: unknown, t0: number): void {
    this.out = [];
    this.activeMs += performance.now() - t0;
    this.stage?.close();
    this.stage = undefined;
    this.ready = false;
    this.opts.onFailure(err instanceof Error ? err.message : String(err));
  }

  stats(): Promise<Record<string, number>> {
    return Promise.resolve({ ...(this.stage?.counts ?? {}), activeMs: this.activeMs, inline: 1 });
  }

  stop(): Promise<void> {
    this.stage?.close();
    this.stage = undefined;
    this.ready = false;
    return Promise.resolve();
  }
}
