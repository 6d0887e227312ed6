// The `premium` computation (SPEC §3a): a market against a reference market for every base the market exchange
// lists, on the USDT basis (`pu`) and the FX basis (`pf`); same-quote pairs as a plain ratio.

import { GatewayError } from '../../sdk/errors.ts';
import { splitSymbol, streamKey } from '../../sdk/model.ts';
import type { Computation, ComputationPlan, DerivedModule, NeededMarket, StageContext } from './computation.ts';
import { Throttle } from './throttle.ts';
import type { InputRecord, PremiumRecord } from './types.ts';

/** one premium stream: market (ex, cd) against reference (rex, rcd); `usdtCd` when the quotes differ */
export interface PremiumPair {
  ex: string;
  cd: string;
  rex: string;
  rcd: string;
  /** the reference quote priced in the market quote on the market's exchange, e.g. USDT/KRW */
  usdtCd?: string;
  /** whether the FX rate applies (the market is quoted in the FX source's quote) */
  fx: boolean;
}

function mostCommonQuote(symbols: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const s of symbols) counts.set(splitSymbol(s).quote, (counts.get(splitSymbol(s).quote) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

const tickerKey = (ex: string, cd: string) => streamKey(ex, 'ticker', cd);

export const premiumModule: DerivedModule<{ pairs: PremiumPair[] }> = {
  name: 'premium',
  plan(config, symbolsOf) {
    const d = config.derived;
    if (!d || d.premium.length === 0) return undefined;
    const pairs: PremiumPair[] = [];
    const needs: NeededMarket[] = [];
    d.premium.forEach((p, i) => {
      for (const id of [p.exchange, p.reference]) {
        if (!config.exchanges[id]?.enabled) {
          throw new GatewayError('CONFIG_INVALID', `derived.premium.${i}: exchange "${id}" is not configured and enabled`);
        }
      }
      if (p.exchange === p.reference) throw new GatewayError('CONFIG_INVALID', `derived.premium.${i}: exchange and reference are the same`);
      const rq = p.referenceQuote ?? mostCommonQuote(symbolsOf(p.reference));
      if (!rq) throw new GatewayError('CONFIG_INVALID', `derived.premium.${i}: referenceQuote is needed (the reference lists no symbols)`);
      for (const cd of symbolsOf(p.exchange)) {
        const { base, quote } = splitSymbol(cd);
        if (base === rq) continue; // USDT/KRW itself is an input, not a market to compare
        const pair: PremiumPair = { ex: p.exchange, cd, rex: p.reference, rcd: `${base}/${rq}`, fx: quote !== rq && quote === d.fx.quote };
        if (quote !== rq) pair.usdtCd = `${rq}/${quote}`;
        pairs.push(pair);
        needs.push({ exchange: pair.ex, symbol: cd, channel: 'ticker' }, { exchange: pair.rex, symbol: pair.rcd, channel: 'ticker' });
        if (pair.usdtCd) needs.push({ exchange: pair.ex, symbol: pair.usdtCd, channel: 'ticker' });
      }
    });
    const inputs = new Set(needs.map((n) => tickerKey(n.exchange, n.symbol)));
    return { inputs: [...inputs], needs, emits: ['premium'], usesFx: pairs.some((p) => p.fx), params: { pairs } };
  },
  create: (plan, ctx) => new PremiumComputation(plan, ctx),
};

interface Price {
  tp: number;
  tms: number;
  mc: string;
}

interface Stream {
  pair: PremiumPair;
  key: string;
  /** what the last record said, to skip recomputations that change nothing */
  last: string | undefined;
}

class PremiumComputation implements Computation {
  private readonly prices = new Map<string, Price>();
  /** input key → the premium streams it feeds */
  private readonly byInput = new Map<string, Stream[]>();
  private readonly streams: Stream[] = [];
  private readonly throttle: Throttle<Stream>;
  /** throttled (minIntervalMs > 0): streams whose inputs changed during the stage's current call, for settle() */
  private readonly changed = new Set<Stream>();
  private readonly throttled: boolean;
  private fx: number | undefined;

  constructor(
    plan: ComputationPlan<{ pairs: PremiumPair[] }>,
    private readonly ctx: StageContext,
  ) {
    this.throttle = new Throttle(ctx.minIntervalMs);
    this.throttled = ctx.minIntervalMs > 0;
    for (const pair of plan.params.pairs) {
      const s: Stream = { pair, key: streamKey(pair.ex, 'premium', pair.cd, pair.rex), last: undefined };
      this.streams.push(s);
      const inputs = [tickerKey(pair.ex, pair.cd), tickerKey(pair.rex, pair.rcd)];
      if (pair.usdtCd) inputs.push(tickerKey(pair.ex, pair.usdtCd));
      for (const k of inputs) {
        let list = this.byInput.get(k);
        if (!list) this.byInput.set(k, (list = []));
        list.push(s);
      }
    }
  }

  onRecord(key: string, r: InputRecord, now: number): void {
    if (r.ty !== 'ticker' || typeof r.tp !== 'number' || !Number.isFinite(r.tp) || r.tp <= 0) return;
    const streams = this.byInput.get(key);
    if (!streams) return;
    const old = this.prices.get(key);
    if (old && old.tp === r.tp) {
      old.tms = Math.max(old.tms, r.tms);
      return;
    }
    this.prices.set(key, { tp: r.tp, tms: Math.max(r.tms, old?.tms ?? 0), mc: r.mc });
    for (const s of streams) this.request(s, now);
  }

  onFx(rate: number | undefined, now: number): void {
    if (rate === this.fx) return;
    this.fx = rate;
    for (const s of this.streams) if (s.pair.fx) this.request(s, now);
  }

  tick(now: number): void {
    for (const s of this.throttle.due(now)) this.publish(s);
  }

  nextTick(): number | undefined {
    return this.throttle.nextDue();
  }

  settle(now: number): void {
    if (!this.changed.size) return;
    for (const s of this.changed) if (this.throttle.request(s, now)) this.publish(s);
    this.changed.clear();
  }

  /** unthrottled, every change is a record at once; throttled, one per key per call at most, from its newest inputs */
  private request(s: Stream, now: number): void {
    if (this.throttled) this.changed.add(s);
    else if (this.throttle.request(s, now)) this.publish(s);
  }

  private publish(s: Stream): void {
    const rec = this.compute(s.pair);
    if (!rec) return;
    const { tms: _tms, ...values } = rec;
    const text = JSON.stringify(values);
    if (text === s.last) return;
    s.last = text;
    this.ctx.emit(s.key, rec);
  }

  /** the record for the current inputs; undefined until both prices are known */
  compute(p: PremiumPair): Omit<PremiumRecord, 'rtms' | 'ep' | 'sq'> | undefined {
    const m = this.prices.get(tickerKey(p.ex, p.cd));
    const ref = this.prices.get(tickerKey(p.rex, p.rcd));
    if (!m || !ref) return undefined;
    const tp = m.tp;
    const rtp = ref.tp;
    const rec: Omit<PremiumRecord, 'rtms' | 'ep' | 'sq'> = { ty: 'premium', ex: p.ex, cd: p.cd, mc: m.mc, tms: Math.max(m.tms, ref.tms), rex: p.rex, rcd: p.rcd, tp, rtp };
    if (!p.usdtCd) {
      rec.pu = tp / rtp - 1;
      rec.pf = rec.pu;
      return rec;
    }
    const u = this.prices.get(tickerKey(p.ex, p.usdtCd));
    if (u) {
      rec.tms = Math.max(rec.tms, u.tms);
      rec.usdt = u.tp;
    }
    if (p.fx && this.fx !== undefined) rec.fx = this.fx;
    if (rec.usdt !== undefined) rec.pu = tp / (rtp * rec.usdt) - 1;
    if (rec.fx !== undefined) rec.pf = tp / (rtp * rec.fx) - 1;
    return rec;
  }
}
