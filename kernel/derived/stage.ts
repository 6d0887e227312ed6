// The derived stage: runs the planned computations over decoded input records, and stamps what they emit with the
// stage's own `ep` (its start time), `rtms` and a `sq` per derived stream key. Runs in its own thread
// (kernel/derived/thread.ts); tests and benchmarks may run it in-thread.

import type { RecordBatch } from '../../boundary/batch.ts';
import { BatchBuilder, recordAt } from '../../boundary/batch.ts';
import type { Computation, ComputationPlan, StageContext } from './computation.ts';
import { readInput } from './read-input.ts';
import { moduleNamed } from './registry.ts';
import type { DerivedDraft, DerivedRecord, InputRecord } from './types.ts';

export interface StagePlan {
  minIntervalMs: number;
  /** module name → its plan */
  computations: { name: string; plan: ComputationPlan<unknown> }[];
}

export const TICK_MS = 200;

export class DerivedStage {
  private readonly out = new BatchBuilder();
  private readonly sq = new Map<string, number>();
  private readonly running: Computation[] = [];
  /** input key → the computations that read it */
  private readonly readers = new Map<string, Computation[]>();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** the time of the input, tick or FX change being handled: computations throttle by it and records carry it */
  private at = 0;
  readonly counts: Record<string, number> = { inputs: 0, emitted: 0, bad_inputs: 0 };

  constructor(
    readonly ep: number,
    plan: StagePlan,
    private readonly onBatch: (batch: RecordBatch) => void,
    private readonly now: () => number = Date.now,
  ) {
    const ctx: StageContext = {
      minIntervalMs: plan.minIntervalMs,
      emit: (key, draft) => this.emit(key, draft),
      count: (what) => (this.counts[what] = (this.counts[what] ?? 0) + 1),
    };
    for (const { name, plan: p } of plan.computations) {
      const mod = moduleNamed(name);
      if (!mod) throw new Error(`unknown derived computation "${name}"`);
      const c = mod.create(p as never, ctx);
      this.running.push(c);
      for (const key of p.inputs) {
        let list = this.readers.get(key);
        if (!list) this.readers.set(key, (list = []));
        list.push(c);
      }
    }
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  /** the latest derived records of a previous stage, to continue from (candles) */
  resume(records: DerivedRecord[]): void {
    const now = (this.at = this.now());
    for (const c of this.running) c.resume?.(records, now);
    this.flush();
  }

  /** a batch of exchange records (only input keys are read) */
  input(batch: RecordBatch): void {
    const now = (this.at = this.now());
    for (let i = 0; i < batch.keys.length; i++) {
      const readers = this.readers.get(batch.keys[i]!);
      if (!readers) continue;
      let r: InputRecord;
      try {
        r = readInput(recordAt(batch, i));
      } catch {
        this.counts.bad_inputs!++;
        continue;
      }
      this.counts.inputs!++;
      for (const c of readers) c.onRecord(batch.keys[i]!, r, now);
    }
    this.flush();
  }

  fx(rate: number | undefined): void {
    const now = (this.at = this.now());
    for (const c of this.running) c.onFx?.(rate, now);
    this.flush();
  }

  tick(): void {
    const now = (this.at = this.now());
    for (const c of this.running) c.tick(now);
    this.flush();
  }

  private emit(key: string, draft: DerivedDraft): void {
    const sq = (this.sq.get(key) ?? 0) + 1;
    this.sq.set(key, sq);
    this.out.addRecord(key, { ...draft, rtms: this.at, ep: this.ep, sq });
    this.counts.emitted!++;
  }

  private flush(): void {
    if (this.out.length) this.onBatch(this.out.take());
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
