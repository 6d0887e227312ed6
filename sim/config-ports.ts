// Ports from a gateway configuration: `sim/main.ts --config config.demo.yaml` starts each simulator the file points
// an exchange at on the port of that URL, and the FX source on the port of `derived.fx.url`, so the demo's
// configuration is the one place its ports are written.

import type { DiscoveredSim, SimHandle } from './sim-types.ts';

/** the parts of a gateway configuration file that name simulator URLs */
export interface PortSource {
  exchanges?: Record<string, Record<string, unknown> | null>;
  derived?: { fx?: { url?: unknown } };
}

export interface PortPlan {
  /** simulator name → port, for the simulators the configuration uses */
  sims: Map<string, number>;
  /** the FX source's port, when the configuration names one */
  fx?: number;
  /** exchange sections no simulator serves (a plugin without sim.ts), or with a URL without a port */
  unserved: string[];
}

/** a handle standing in for a running simulator, to read the options a definition's config() sets (e.g. `api`) */
const PROBE = { url: 'ws://127.0.0.1:0', restUrl: 'http://127.0.0.1:0', port: 0 } as SimHandle;

const portOf = (url: unknown): number | undefined => {
  if (typeof url !== 'string') return undefined;
  try {
    const port = Number(new URL(url).port);
    return port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Which simulator serves each exchange section, and on which port: of the simulators of the section's plugin, the
 * one whose config() sets the same `api` (a section without `api`: the folder's first). Sections sharing a port
 * are the caller's mistake and fail when the second simulator listens.
 */
export function portsFromConfig(config: PortSource, sims: readonly DiscoveredSim[]): PortPlan {
  const plan: PortPlan = { sims: new Map(), fx: portOf(config.derived?.fx?.url), unserved: [] };
  for (const [exchange, section] of Object.entries(config.exchanges ?? {})) {
    const port = portOf(section?.url);
    const own = sims.filter((s) => s.exchange === exchange);
    const sim = section?.api === undefined ? own[0] : own.find((s) => s.config(PROBE).api === section.api);
    if (!sim || port === undefined) plan.unserved.push(exchange);
    else plan.sims.set(sim.name, port);
  }
  return plan;
}
