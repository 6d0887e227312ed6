// The derived stage in the main thread: the input records of the exchange batches are gathered in a window
// (kernel/derived/input-window.ts) and the stage reads the window with the first exchange batch at least WINDOW_MS
// after it opened, or on a timer at twice that when inputs go quiet; no message, no second isolate. It ticks on a
// main-thread timer, and its batches go to the runner as soon as a call returns, so derived records leave in the
// same flush as the exchange batch that ran them. What a computation throws is caught here, never reaching the
// exchange path: the stage is dropped and reported failed, and the runner starts a new one (new ep), as when a stage
// thread dies.

import { performance } from 'node:perf_hooks';
import type { RecordBatch } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import { WINDOW_MS } from './host.ts';
import type { HostOptions, StageHost } from './host.ts';
import { InputWindow } from './input-window.ts';
import { DerivedStage, inputKeys } from './stage.ts';
import type { DerivedRecord } from './types.ts';

export class InlineHost implements StageHost {
  readonly mode = 'inline';
  ready = false;
  private stage: DerivedStage | undefined;
  /** batches the stage gave during the call being run, handed on after it */
  private out: RecordBatch[] = [];
  /** the stage's busy time: measured around each call into it */
  private activeMs = 0;
  private readonly window: InputWindow;
  /** when the window's first record came (-1: empty), and the timer that reads it if no batch comes */
  private openedAt = -1;
  private quiet: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: HostOptions) {
    this.window = new InputWindow(new Map(inputKeys(opts.plan).map((key, i) => [key, i])));
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

  /** the hot path (every exchange batch): its input records join the window; the stage reads a window once it is old enough */
  input(batch: RecordBatch): void {
    if (!this.stage) return;
    this.window.add(batch);
    if (!this.window.length) return;
    const now = performance.now();
    if (this.openedAt < 0) {
      this.openedAt = now;
      this.quiet = setTimeout(() => this.drain(), 2 * WINDOW_MS);
    } else if (now - this.openedAt >= WINDOW_MS) this.drain();
  }

  /** the stage reads the window (written out rather than through run(): no closure per window) */
  private drain(): void {
    this.closeWindow();
    const stage = this.stage;
    if (!stage || !this.window.length) return;
    const t0 = performance.now();
    try {
      stage.inputWindow(this.window.view());
    } catch (err) {
      return this.fail(err, t0);
    } finally {
      this.window.clear();
    }
    this.done(t0);
  }

  fx(rate: number | undefined): void {
    const stage = this.stage;
    if (stage) this.run(() => stage.fx(rate));
  }

  /**
   * One call into the stage (a tick, an FX change): the window is read first, so what it computes stands on every
   * input already served (a trailing premium never lags a ticker its clients have); timed, guarded; its derived
   * batches are handed on once it returned.
   */
  private run(call: () => void): void {
    if (this.window.length) this.drain();
    if (!this.stage) return;
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
    this.dropWindow();
    this.activeMs += performance.now() - t0;
    this.stage?.close();
    this.stage = undefined;
    this.ready = false;
    this.opts.onFailure(err instanceof Error ? err.message : String(err));
  }

  stats(): Promise<Record<string, number>> {
    return Promise.resolve({ ...(this.stage?.counts ?? {}), activeMs: this.activeMs, inline: 1 });
  }

  /** the window's next records open a new one */
  private closeWindow(): void {
    clearTimeout(this.quiet);
    this.quiet = undefined;
    this.openedAt = -1;
  }

  private dropWindow(): void {
    this.closeWindow();
    this.window.clear();
  }

  stop(): Promise<void> {
    this.dropWindow();
    this.stage?.close();
    this.stage = undefined;
    this.ready = false;
    return Promise.resolve();
  }
}
