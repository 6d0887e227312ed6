// Finds the exchange simulators by folder: every plugins/<id>/sim.ts (folders starting with `_` are shared formats,
// not plugins) default-exports one definition or an array of them (sim/define.ts).

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defineSim, SimError } from './define.ts';
import type { DiscoveredSim, SimDefinition } from './sim-types.ts';

export const PLUGINS_DIR = fileURLToPath(new URL('../plugins/', import.meta.url));

/** the plugin folders with a sim.ts, sorted */
export function simFolders(dir = PLUGINS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && existsSync(join(dir, d.name, 'sim.ts')))
    .map((d) => d.name)
    .sort();
}

let cached: Promise<DiscoveredSim[]> | undefined;

/**
 * Every simulator, in discovery order: plugin folders by name, and within a folder the order of its array. This
 * order is the order of ports from a port base (sim/main.ts). Throws on a malformed sim.ts or a name used twice.
 */
export function discoverSims(dir = PLUGINS_DIR): Promise<DiscoveredSim[]> {
  if (dir !== PLUGINS_DIR) return load(dir);
  return (cached ??= load(dir).catch((err) => {
    cached = undefined;
    throw err;
  }));
}

async function load(dir: string): Promise<DiscoveredSim[]> {
  const out: DiscoveredSim[] = [];
  const names = new Map<string, string>();
  for (const exchange of simFolders(dir)) {
    const file = join(dir, exchange, 'sim.ts');
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    const list = Array.isArray(mod.default) ? mod.default : [mod.default];
    if (list.length === 0) throw new SimError('SIM_INVALID', `${file}: default-exports an empty list of simulators`);
    for (const value of list) {
      let def: SimDefinition;
      try {
        def = defineSim(value as SimDefinition);
      } catch (err) {
        throw new SimError('SIM_INVALID', `${file}: ${(err as Error).message} (export default defineSim({...}) or an array of them)`);
      }
      const twin = names.get(def.name);
      if (twin) throw new SimError('SIM_INVALID', `${file}: simulator name "${def.name}" is also used by ${twin}`);
      names.set(def.name, file);
      out.push({ name: def.name, start: def.start, config: def.config, exchange, file });
    }
  }
  return out;
}
