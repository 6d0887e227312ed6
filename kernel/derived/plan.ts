// Plans the derived stage for a configuration: which computations run, the input keys they read, and the markets
// they need, which are added to the exchanges' subscriptions (USDT/KRW, reference symbols, trade channels).

import type { Config } from '../config.ts';
import type { DerivedType } from '../../sdk/model.ts';
import type { NeededMarket } from './computation.ts';
import { DERIVED_MODULES } from './registry.ts';
import type { StagePlan } from './stage.ts';

export interface DerivedSetup {
  plan: StagePlan;
  /** exchange stream keys the stage reads */
  inputs: Set<string>;
  emits: DerivedType[];
  usesFx: boolean;
  /** markets added to the configured subscriptions */
  added: NeededMarket[];
}

function symbolsOf(config: Config, exchange: string): string[] {
  const ex = config.exchanges[exchange];
  return ex?.enabled && Array.isArray(ex.symbols) ? ex.symbols : [];
}

/** adds the needed markets to the exchanges' symbols and channels; returns what was not already there */
function subscribe(config: Config, needs: NeededMarket[]): NeededMarket[] {
  const added: NeededMarket[] = [];
  for (const n of needs) {
    const ex = config.exchanges[n.exchange];
    if (!ex?.enabled || !Array.isArray(ex.symbols)) continue;
    let changed = false;
    if (!ex.symbols.includes(n.symbol)) {
      ex.symbols = [...ex.symbols, n.symbol];
      changed = true;
    }
    if (!ex.channels.includes(n.channel)) {
      ex.channels = [...ex.channels, n.channel];
      changed = true;
    }
    if (changed) added.push(n);
  }
  return added;
}

/**
 * The derived setup of `config`, which it changes in place (subscriptions the computations need); undefined when no
 * computation is configured. Throws CONFIG_INVALID naming the key of a pair or exchange that cannot work.
 */
export function planDerived(config: Config): DerivedSetup | undefined {
  const d = config.derived;
  if (!d) return undefined;
  const setup: DerivedSetup = { plan: { minIntervalMs: d.minIntervalMs, computations: [] }, inputs: new Set(), emits: [], usesFx: false, added: [] };
  for (const mod of DERIVED_MODULES) {
    // each module sees the subscriptions the earlier ones added (candles on USDT/KRW and the reference markets too)
    const plan = mod.plan(config, (ex) => symbolsOf(config, ex));
    if (!plan) continue;
    setup.plan.computations.push({ name: mod.name, plan });
    for (const k of plan.inputs) setup.inputs.add(k);
    setup.emits.push(...plan.emits);
    setup.usesFx ||= plan.usesFx;
    setup.added.push(...subscribe(config, plan.needs));
  }
  return setup.plan.computations.length ? setup : undefined;
}
