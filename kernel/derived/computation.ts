// The contract of one derived computation (docs/derived.md): what it needs (input stream keys, markets to subscribe),
// what it emits, and how it runs inside the derived stage (in the main thread or its own, kernel/derived/runner.ts).
// A new computation is one module of this shape listed in registry.ts.

import type { Config } from '../config.ts';
import type { DerivedType } from '../../sdk/model.ts';
import type { DerivedDraft, DerivedRecord, InputRecord } from './types.ts';

/** A market the computation needs, subscribed by itself when the exchange's config does not list it. */
export interface NeededMarket {
  exchange: string;
  symbol: string;
  channel: 'ticker' | 'trade' | 'orderbook';
}

/** What planning a computation for a configuration gives (on the main thread; must be structured-cloneable). */
export interface ComputationPlan<P = unknown> {
  /** exchange stream keys (`ex|ty|cd`) whose records the computation reads */
  inputs: string[];
  needs: NeededMarket[];
  emits: DerivedType[];
  /** whether it uses the FX rate */
  usesFx: boolean;
  params: P;
}

/** What the stage gives a running computation. */
export interface StageContext {
  /** publishes a record on `key` (recordKey of the draft); the stage adds rtms, ep and sq to the draft, which is its own from then on */
  emit(key: string, draft: DerivedDraft): void;
  /** counts a noteworthy event (late trade, ...) in the stage's figures */
  count(what: string): void;
  minIntervalMs: number;
}

export interface Computation {
  /** a decoded input record, `key` its stream key; the stage reuses `r` for the key's next record: copy what you keep */
  onRecord(key: string, r: InputRecord, now: number): void;
  /**
   * Called once the stage has read all the records of one call (an exchange batch, a thread's input window, an FX
   * change): a throttled computation emits here, once per key, from the newest values of the whole call rather than
   * from its first record.
   */
  settle?(now: number): void;
  /** the FX rate changed: a number, or undefined while the source is down */
  onFx?(rate: number | undefined, now: number): void;
  /** called on the stage's ticks (at most one per 200 ms): trailing emits after throttling, timers */
  tick(now: number): void;
  /**
   * When its tick next has something to do (a throttled key due, a candle to close): a time no later than that
   * (an early tick is harmless), or undefined when nothing waits. The stage does not tick while no computation
   * waits. Without this method the computation is ticked every 200 ms.
   */
  nextTick?(): number | undefined;
  /** the latest records of a previous stage (from the snapshot store), to continue from */
  resume?(records: DerivedRecord[], now: number): void;
}

export interface DerivedModule<P = unknown> {
  name: string;
  /** undefined when the configuration does not ask for this computation */
  plan(config: Config, symbolsOf: (exchange: string) => string[]): ComputationPlan<P> | undefined;
  create(plan: ComputationPlan<P>, ctx: StageContext): Computation;
}
