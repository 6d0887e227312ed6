// The derived stage: runs the planned computations over decoded input records, and stamps what they emit with the
// stage's own `ep` (its start time), `rtms` and a `sq` per derived stream key. The same stage runs in the main thread
// (kernel/derived/inline.ts) or in its own (kernel/derived/thread.ts); the batch converter drives it on its own clock.
// Once started it ticks by itself, only when a computation waits for a time, at most once per TICK_MS.

import type { RecordBatch } from '../../boundary/batch.ts';
import { BatchBuilder } from '../../boundary/batch.ts';
import type { Computation, ComputationPlan, StageContext } from './computation.ts';
import type { InputBatch } from './input-window.ts';
import { InputReader } from './read-input.ts';
import { moduleNamed } from './registry.ts';
import type { DerivedDraft, DerivedRecord, InputRecord } from './types.ts';

export interface StagePlan {
  minIntervalMs: number;
  /** module name → its plan */
  computations: { name: string; plan: ComputationPlan<unknown> }[];
}

/** the shortest time between two ticks (trailing throttled records, candle closes wait for the next one) */
export const TICK_MS = 200;
/** the longest single timer wait (re-armed after it) */
const MAX_WAIT_MS = 60_000;

/** the stage's input keys, in one order: the main thread sends a record with its key's index in this list */
export function inputKeys(plan: StagePlan): string[] {
  return [...new Set(plan.computations.flatMap((c) => c.plan.inputs))];
}

/** one input key: the computations that read it, and the record object its records are read into (reused) */
interface Input {
  key: string;
  readers: Computation[];
  rec: InputRecord;
}

export class DerivedStage {
  private readonly out = new BatchBuilder();
  private readonly sq = new Map<string, number>();
  private readonly running: Computation[] = [];
  /** by index in inputKeys(plan), and by key */
  private readonly inputs: Input[];
  private readonly byKey = new Map<string, Input>();
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** when the armed timer fires */
  private timerAt = Infinity;
  /** the stage's start (its tick grid), and the grid point of its last timer tick */
  private startedAt = 0;
  private lastGrid = -Infinity;
  private guard: (tick: () => void) => void = (tick) => tick();
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
      this.running.push(mod.create(p as never, ctx));
    }
    this.inputs = inputKeys(plan).map((key) => ({ key, readers: [], rec: { ty: '', ex: '', cd: '', mc: '', tms: 0 } }));
    for (const input of this.inputs) this.byKey.set(input.key, input);
    plan.computations.forEach(({ plan: p }, i) => {
      for (const key of new Set(p.inputs)) this.byKey.get(key)!.readers.push(this.running[i]!);
    });
  }

  /**
   * From now on the stage ticks by itself when a computation waits (without start(), only tick() calls do).
   * `guard` runs each timer tick: the inline host catches what a computation throws there.
   */
  start(guard: (tick: () => void) => void = (tick) => tick()): void {
    this.guard = guard;
    this.started = true;
    this.startedAt = this.now();
    this.schedule();
  }

  /** the latest derived records of a previous stage, to continue from (candles) */
  resume(records: DerivedRecord[]): void {
    const now = (this.at = this.now());
    for (const c of this.running) c.resume?.(records, now);
    this.flush();
  }

  /** a batch of exchange records (only input keys are read): record by record, as a recording is converted (replay/derive.ts) */
  input(batch: RecordBatch): void {
    const { keys, ends } = batch;
    let reader: InputReader | undefined;
    let now = 0;
    for (let i = 0; i < keys.length; i++) {
      const input = this.byKey.get(keys[i]!);
      if (!input) continue;
      // most exchange batches hold no input (books): they cost one look-up per record and nothing more
      if (!reader) {
        reader = new InputReader(batch.buf);
        now = this.at = this.now();
      }
      this.read(input, reader, i === 0 ? 0 : ends[i - 1]!, ends[i]!, now);
    }
    if (reader) this.flush();
  }

  /** a window of input records (kernel/derived/input-window.ts): what the hosts give the live stage */
  inputWindow(batch: InputBatch): void {
    const now = (this.at = this.now());
    const reader = new InputReader(batch.buf);
    const { ids, ends } = batch;
    for (let i = 0; i < ids.length; i++) {
      const input = this.inputs[ids[i]!];
      if (input) this.read(input, reader, i === 0 ? 0 : ends[i - 1]!, ends[i]!, now);
      else this.counts.bad_inputs!++;
    }
    this.flush();
  }

  private read(input: Input, reader: InputReader, start: number, end: number, now: number): void {
    const r = input.rec;
    r.tp = undefined;
    r.tv = undefined;
    try {
      reader.read(start, end, r);
    } catch {
      this.counts.bad_inputs!++;
      return;
    }
    this.counts.inputs!++;
    for (const c of input.readers) c.onRecord(input.key, r, now);
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
    // the draft is the stage's now (StageContext.emit): stamped in place rather than copied
    const rec = draft as DerivedDraft & { rtms: number; ep: number; sq: number };
    rec.rtms = this.at;
    rec.ep = this.ep;
    rec.sq = sq;
    this.out.addRecord(key, rec);
    this.counts.emitted!++;
  }

  /** the end of one call (a batch, a window, an FX change, a tick): changes are settled, then the batch goes out */
  private flush(): void {
    for (const c of this.running) c.settle?.(this.at);
    if (this.out.length) this.onBatch(this.out.take());
    this.schedule();
  }

  /**
   * Arms the timer for the earliest time a computation waits for, on the stage's grid of TICK_MS from its start (the
   * ticks a stage ticking every TICK_MS would have made), never two ticks on one grid point.
   */
  private schedule(): void {
    if (!this.started) return;
    let due = Infinity;
    for (const c of this.running) {
      const at = c.nextTick ? c.nextTick() : -Infinity;
      if (at !== undefined && at < due) due = at;
    }
    if (due === Infinity) return;
    const grid = this.startedAt + Math.max(0, Math.ceil((due - this.startedAt) / TICK_MS)) * TICK_MS;
    const at = Math.max(grid, this.lastGrid + TICK_MS);
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.arm(at);
  }

  private arm(at: number): void {
    this.timerAt = at;
    // a far deadline (a candle of a long interval) is reached in steps: timers hold at most 2^31 - 1 ms
    const wait = Math.min(Math.max(0, at - this.now()), MAX_WAIT_MS);
    this.timer = setTimeout(() => {
      if (this.now() < at) return this.arm(at);
      this.timer = undefined;
      this.timerAt = Infinity;
      this.lastGrid = at;
      this.guard(() => this.tick());
    }, wait);
  }

  close(): void {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
