// Starts the four simulated exchanges together; also the entry point for each one on its own.

import { startBinanceSim } from './binance.ts';
import { startBithumbLegacySim } from './bithumb-legacy.ts';
import { startBithumbSim } from './bithumb.ts';
import type { SimAccount } from './private-auth.ts';
import type { SimHandle, SimOptions } from './sim-types.ts';
import { startUpbitSim } from './upbit.ts';

export { startBinanceSim, startBithumbLegacySim, startBithumbSim, startUpbitSim };
export type { SimAccount, SimHandle, SimOptions };
export { defineSim } from './define.ts';
export type { DiscoveredSim, SimDefinition } from './sim-types.ts';
export type { UpbitSimOptions } from './upbit.ts';

export interface SimulatorsOptions extends Omit<SimOptions, 'port'> {
  /** binance, upbit, bithumb and bithumb legacy listen on portBase .. portBase+3; default: random ports */
  portBase?: number;
  /** accounts the Upbit and Bithumb private endpoints accept */
  accounts?: SimAccount[];
}

export interface Simulators {
  binance: SimHandle;
  upbit: SimHandle;
  bithumb: SimHandle;
  bithumbLegacy: SimHandle;
  /** closes all four; idempotent */
  close(): Promise<void>;
}

export async function startSimulators(options: SimulatorsOptions = {}): Promise<Simulators> {
  const { portBase, accounts, ...rest } = options;
  const port = (offset: number): number => (portBase === undefined ? 0 : portBase + offset);
  const starters = [startBinanceSim, (o: SimOptions) => startUpbitSim({ ...o, accounts }), (o: SimOptions) => startBithumbSim({ ...o, accounts }), startBithumbLegacySim];
  const results = await Promise.allSettled(starters.map((start, i) => start({ ...rest, port: port(i) })));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    // Do not leave the ones that did start listening behind.
    await Promise.all(started.map((h) => h.close()));
    throw failure.reason;
  }
  const [binance, upbit, bithumb, bithumbLegacy] = started as [SimHandle, SimHandle, SimHandle, SimHandle];
  let closing: Promise<void> | undefined;
  return {
    binance,
    upbit,
    bithumb,
    bithumbLegacy,
    close: () => (closing ??= Promise.all(started.map((h) => h.close())).then(() => undefined)),
  };
}
