// The `candle` computation (SPEC §3a): OHLCV per market and interval from trades, volumes exact (sdk/decimal-sum.ts),
// UTC-aligned; open-candle updates throttled, one closing record (`cl: true`) at the first later trade or on the tick
// after the interval's end plus a grace for trades still in flight.

import { GatewayError } from '../../sdk/errors.ts';
import { splitStreamKey, streamKey } from '../../sdk/model.ts';
import type { Computation, ComputationPlan, DerivedModule, NeededMarket, StageContext } from './computation.ts';
import { DecimalSum } from '../../sdk/decimal-sum.ts';
import { intervalMs, intervalStart } from './interval.ts';
import { Throttle } from './throttle.ts';
import type { CandleRecord, DerivedRecord, InputRecord } from './types.ts';

/** how long after an interval's end a candle waits for late trades before its closing record (≤ 1 s by SPEC) */
export const CLOSE_GRACE_MS = 500;

interface Params {
  intervals: string[];
}

export const candlesModule: DerivedModule<Params> = {
  name: 'candles',
  plan(config, symbolsOf) {
    const c = config.derived?.candles;
    if (!c) return undefined;
    const enabled = Object.entries(config.exchanges).filter(([, e]) => e.enabled).map(([id]) => id);
    const exchanges = c.exchanges ?? enabled;
    c.exchanges?.forEach((id, i) => {
      if (!enabled.includes(id)) throw new GatewayError('CONFIG_INVALID', `derived.candles.exchanges.${i}: exchange "${id}" is not configured and enabled`);
    });
    const needs: NeededMarket[] = exchanges.flatMap((exchange) => symbolsOf(exchange).map((symbol) => ({ exchange, symbol, channel: 'trade' as const })));
    return {
      inputs: needs.map((n) => streamKey(n.exchange, 'trade', n.symbol)),
      needs,
      emits: ['candle'],
      usesFx: false,
      params: { intervals: [...new Set(c.intervals)] },
    };
  },
  create: (plan, ctx) => new CandleComputation(plan, ctx),
};

interface Candle {
  key: string;
  ex: string;
  cd: string;
  mc: string;
  iv: string;
  ms: number;
  /** open time */
  start: number;
  op: number;
  hp: number;
  lp: number;
  tp: number;
  /** Σ tv and Σ tp × tv, exact */
  catv: DecimalSum;
  catp: DecimalSum;
  /** the closing record has gone out: later trades of this interval are late and dropped */
  closed: boolean;
}

/** a sum continued from a previous stage's figure (the exact decimal it stands for) */
function sumOf(x: number): DecimalSum {
  const s = new DecimalSum();
  s.add(x);
  return s;
}

class CandleComputation implements Computation {
  private readonly intervals: { iv: string; ms: number }[];
  /** per trade key, the current candle of each interval, by the interval's index in `intervals` */
  private readonly candles = new Map<string, (Candle | undefined)[]>();
  private readonly open = new Set<Candle>();
  private readonly throttle: Throttle<string>;
  /** no open candle is due to close before this (a lower bound: candles closed by trades may have made it early) */
  private closeAt = Infinity;

  constructor(
    plan: ComputationPlan<Params>,
    private readonly ctx: StageContext,
  ) {
    this.intervals = plan.params.intervals.map((iv) => ({ iv, ms: intervalMs(iv) }));
    this.throttle = new Throttle(ctx.minIntervalMs);
  }

  private slots(tradeKey: string): (Candle | undefined)[] {
    let list = this.candles.get(tradeKey);
    if (!list) this.candles.set(tradeKey, (list = this.intervals.map(() => undefined)));
    return list;
  }

  onRecord(key: string, r: InputRecord, now: number): void {
    if (r.ty !== 'trade' || typeof r.tp !== 'number' || typeof r.tv !== 'number' || !Number.isFinite(r.tp) || !Number.isFinite(r.tv) || r.tv < 0) return;
    const slots = this.slots(key);
    for (let j = 0; j < this.intervals.length; j++) {
      const { iv, ms } = this.intervals[j]!;
      const start = intervalStart(r.tms, ms);
      let c = slots[j];
      if (c && start < c.start) {
        this.ctx.count('late_trades');
        continue;
      }
      if (c && start === c.start && c.closed) {
        this.ctx.count('late_trades');
        continue;
      }
      if (c && start > c.start && !c.closed) this.close(c, now);
      if (!c || start > c.start) {
        const fresh: Candle = { key: streamKey(r.ex, 'candle', r.cd, iv), ex: r.ex, cd: r.cd, mc: r.mc, iv, ms, start, op: r.tp, hp: r.tp, lp: r.tp, tp: r.tp, catv: new DecimalSum(), catp: new DecimalSum(), closed: false };
        slots[j] = fresh;
        c = fresh;
        this.openCandle(c);
      }
      c.hp = Math.max(c.hp, r.tp);
      c.lp = Math.min(c.lp, r.tp);
      c.tp = r.tp;
      c.mc = r.mc;
      c.catv.add(r.tv);
      c.catp.addProduct(r.tp, r.tv);
      if (this.throttle.request(c.key, now)) this.publish(c, false);
    }
  }

  tick(now: number): void {
    let closeAt = Infinity;
    for (const c of this.open) {
      const at = c.start + c.ms + CLOSE_GRACE_MS;
      if (now >= at) this.close(c, now);
      else if (at < closeAt) closeAt = at;
    }
    this.closeAt = closeAt;
    for (const key of this.throttle.due(now)) {
      const { ex, cd, sub } = splitStreamKey(key);
      const c = this.candles.get(streamKey(ex, 'trade', cd))?.[this.intervals.findIndex((i) => i.iv === sub)];
      if (c && !c.closed) this.publish(c, false);
    }
  }

  /** continues the open candles of a previous stage from their latest records; closed ones mark their interval done */
  resume(records: DerivedRecord[], now: number): void {
    for (const r of records) {
      if (r.ty !== 'candle') continue;
      const j = this.intervals.findIndex((i) => i.iv === r.iv);
      const iv = this.intervals[j];
      if (!iv || intervalStart(r.tms, iv.ms) !== r.tms) continue;
      const c: Candle = {
        key: streamKey(r.ex, 'candle', r.cd, r.iv),
        ex: r.ex,
        cd: r.cd,
        mc: r.mc,
        iv: r.iv,
        ms: iv.ms,
        start: r.tms,
        op: r.op,
        hp: r.hp,
        lp: r.lp,
        tp: r.tp,
        catv: sumOf(r.catv),
        catp: sumOf(r.catp),
        closed: r.cl === true,
      };
      const slots = this.slots(streamKey(r.ex, 'trade', r.cd));
      if (slots[j]) continue; // trades of this stage came first: keep them
      slots[j] = c;
      if (!c.closed) {
        this.openCandle(c);
        // the previous stage may have died before the close: close it now if its interval is over
        if (now >= c.start + c.ms + CLOSE_GRACE_MS) this.close(c, now);
      }
    }
  }

  nextTick(): number | undefined {
    const due = Math.min(this.closeAt, this.throttle.nextDue() ?? Infinity);
    return due === Infinity ? undefined : due;
  }

  private openCandle(c: Candle): void {
    this.open.add(c);
    const at = c.start + c.ms + CLOSE_GRACE_MS;
    if (at < this.closeAt) this.closeAt = at;
  }

  private close(c: Candle, now: number): void {
    c.closed = true;
    this.open.delete(c);
    this.throttle.emitted(c.key, now);
    this.publish(c, true);
  }

  private publish(c: Candle, cl: boolean): void {
    const rec: Omit<CandleRecord, 'rtms' | 'ep' | 'sq'> = {
      ty: 'candle',
      ex: c.ex,
      cd: c.cd,
      mc: c.mc,
      iv: c.iv,
      tms: c.start,
      op: c.op,
      hp: c.hp,
      lp: c.lp,
      tp: c.tp,
      catv: c.catv.value(),
      catp: c.catp.value(),
    };
    if (cl) rec.cl = true;
    this.ctx.emit(c.key, rec);
  }
}
