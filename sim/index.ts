// The simulators' public module: the contract a plugin folder's sim.ts implements (defineSim, SimOptions, SimHandle)
// and `startSimulators`, which starts every simulator found by folder (or the ones named) together.

import { SimError } from './define.ts';
import { discoverSims } from './discover.ts';
import type { DiscoveredSim, SimAccount, SimHandle, SimOptions } from './sim-types.ts';

export { defineSim, SimError } from './define.ts';
export { discoverSims, simFolders } from './discover.ts';
export { portsFromConfig } from './config-ports.ts';
export type { PortPlan, PortSource } from './config-ports.ts';
export type { DiscoveredSim, SimAccount, SimDefinition, SimHandle, SimOptions } from './sim-types.ts';

export interface SimulatorsOptions extends Omit<SimOptions, 'port'> {
  /**
   * the n-th simulator in discovery order (all of them, started or not) listens on portBase + n, so a simulator's
   * port does not depend on `names`; default: random free ports
   */
  portBase?: number;
  /** ports by simulator name, over portBase (sim/config-ports.ts reads them from a configuration file) */
  ports?: ReadonlyMap<string, number>;
  /** start only these (simulator names, e.g. 'binance', 'bithumb-legacy'); default: every one found */
  names?: readonly string[];
  /** accounts the simulators with private endpoints (Upbit, Bithumb) accept */
  accounts?: SimAccount[];
}

/** a started simulator */
export interface RunningSim {
  readonly name: string;
  /** the plugin it serves: `exchanges.<exchange>` */
  readonly exchange: string;
  readonly handle: SimHandle;
  /** the plugin's config section pointing at this simulator (url, restUrl, options, symbols) */
  config(): Record<string, unknown>;
}

export interface Simulators {
  /** the started simulators in discovery order */
  readonly list: readonly RunningSim[];
  readonly byName: ReadonlyMap<string, RunningSim>;
  /** the handle of a started simulator; throws SIM_UNKNOWN for a name not started */
  get(name: string): SimHandle;
  /** closes every one; idempotent */
  close(): Promise<void>;
}

/** The simulators to start, in discovery order; throws SIM_UNKNOWN for a name no plugin folder defines. */
export async function selectSims(names?: readonly string[]): Promise<DiscoveredSim[]> {
  const all = await discoverSims();
  const unknown = (names ?? []).filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) {
    throw new SimError('SIM_UNKNOWN', `no simulator named ${unknown.join(', ')} (found: ${all.map((s) => s.name).join(', ')})`);
  }
  return names ? all.filter((s) => names.includes(s.name)) : all;
}

export async function startSimulators(options: SimulatorsOptions = {}): Promise<Simulators> {
  const { portBase, ports, names, ...rest } = options;
  const all = await discoverSims();
  const chosen = await selectSims(names);
  const port = (s: DiscoveredSim): number => ports?.get(s.name) ?? (portBase === undefined ? 0 : portBase + all.indexOf(s));
  const results = await Promise.allSettled(chosen.map((s) => s.start({ ...rest, port: port(s) })));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    // Do not leave the ones that did start listening behind.
    await Promise.all(started.map((h) => h.close()));
    throw failure.reason;
  }
  const list: RunningSim[] = chosen.map((s, i) => {
    const handle = (results[i] as PromiseFulfilledResult<SimHandle>).value;
    return { name: s.name, exchange: s.exchange, handle, config: () => s.config(handle) };
  });
  const byName = new Map(list.map((s) => [s.name, s]));
  let closing: Promise<void> | undefined;
  return {
    list,
    byName,
    get(name) {
      const s = byName.get(name);
      if (!s) throw new SimError('SIM_UNKNOWN', `simulator ${name} was not started (started: ${[...byName.keys()].join(', ')})`);
      return s.handle;
    },
    close: () => (closing ??= Promise.all(list.map((s) => s.handle.close())).then(() => undefined)),
  };
}
