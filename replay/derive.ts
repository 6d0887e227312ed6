// Derived records in the batch converter (SPEC §9, §3a): the merged, time-ordered record stream of every exchange
// runs through the same derived stage as live (kernel/derived/stage.ts), on the recording's clock instead of the
// wall clock, so a conversion gives the same premium and candle records every time.
//
// The stage's epoch is the first record's time; its 200 ms tick runs at the recording's times between records.
// The FX rate is not in recordings: `pf` (the FX basis of the premium) is absent, `pu` is computed.

import type { Config } from '../kernel/config.ts';
import { BatchBuilder, recordAt } from '../boundary/batch.ts';
import type { RecordBatch } from '../boundary/batch.ts';
import { decode } from '../boundary/codec.ts';
import { planDerived } from '../kernel/derived/plan.ts';
import { DerivedStage, TICK_MS } from '../kernel/derived/stage.ts';
import { recordKey } from '../sdk/model.ts';

export class ConvertDerived {
  private stage: DerivedStage | undefined;
  private readonly inputs: Set<string>;
  private readonly plan: NonNullable<ReturnType<typeof planDerived>>['plan'];
  private clock = 0;
  private nextTick = 0;
  private pending: string[] = [];
  private readonly builder = new BatchBuilder();

  /** undefined when the config has no derived computation */
  static from(config: Config): ConvertDerived | undefined {
    const setup = planDerived(structuredClone(config));
    return setup ? new ConvertDerived(setup.plan, setup.inputs) : undefined;
  }

  private constructor(plan: ConvertDerived['plan'], inputs: Set<string>) {
    this.plan = plan;
    this.inputs = inputs;
  }

  /**
   * One converted record (its JSON line, with its merge clock): `before` are the derived lines of the ticks due
   * before it (they go out ahead of the record), `after` those the record itself gave.
   */
  record(clock: number, json: string): { before: string[]; after: string[] } {
    const r = JSON.parse(json) as { ex: string; ty: string; cd: string };
    if (!this.stage) {
      this.stage = new DerivedStage(clock, this.plan, (batch) => this.collect(batch), () => this.clock);
      this.nextTick = clock + TICK_MS;
    }
    // ticks due before this record (candles close, throttled premiums go out) on the recording's clock
    while (this.nextTick <= clock) {
      this.clock = this.nextTick;
      this.stage.tick();
      this.nextTick += TICK_MS;
    }
    const before = this.pending;
    this.pending = [];
    this.clock = clock;
    const key = recordKey(r);
    if (this.inputs.has(key)) {
      this.builder.addRecord(key, r);
      this.stage.input(this.builder.take());
    }
    const after = this.pending;
    this.pending = [];
    return { before, after };
  }

  /** the end of the input: one last tick at the last record's time */
  end(): string[] {
    if (this.stage) {
      this.clock = Math.max(this.clock, this.nextTick);
      this.stage.tick();
      this.stage.close();
    }
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private collect(batch: RecordBatch): void {
    for (let i = 0; i < batch.keys.length; i++) this.pending.push(JSON.stringify(decode(recordAt(batch, i))));
  }
}
