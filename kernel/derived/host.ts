// What runs one derived stage (one `ep`) for the runner (kernel/derived/runner.ts): in the main thread
// (kernel/derived/inline.ts) or in a thread of its own (kernel/derived/thread-host.ts). Both run the same stage
// (kernel/derived/stage.ts); a stage that fails is not revived by its host: the runner starts a new one.

import type { RecordBatch } from '../../boundary/batch.ts';
import type { StagePlan } from './stage.ts';

/**
 * The stage reads its inputs in windows of this long rather than per exchange batch: fewer, warmer calls into the
 * computations (BENCHMARKS.md §5). A derived record waits at most this much more (in a thread), or until the first
 * exchange batch after it, at most twice this (inline).
 */
export const WINDOW_MS = 50;

export interface HostOptions {
  ep: number;
  plan: StagePlan;
  /** the encoded latest derived records of a previous stage, to continue from */
  resume: Uint8Array[];
  /** the FX rate known at start */
  fx: number | undefined;
  /** a batch of derived records (already stamped with ep, sq, rtms) */
  onBatch(batch: RecordBatch): void;
  /** the stage failed (a computation threw, the thread died) and is stopped: called once, not after stop() */
  onFailure(message: string): void;
}

export interface StageHost {
  readonly mode: 'inline' | 'thread';
  /** the stage has taken its plan and resume records */
  readonly ready: boolean;
  /** input records handed to the stage so far */
  readonly forwarded: number;
  /** an exchange batch (the host picks the input keys) */
  input(batch: RecordBatch): void;
  fx(rate: number | undefined): void;
  /** the stage's counts, its busy time in ms (`activeMs`), and its OS thread id where it has its own (`tid`) */
  stats(): Promise<Record<string, number>>;
  /** stops the stage; idempotent */
  stop(): Promise<void>;
}
