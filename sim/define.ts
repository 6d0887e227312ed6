// `defineSim`: how a plugin folder's sim.ts declares its simulator, checked when it is defined rather than when run.

import type { SimDefinition, SimHandle } from './sim-types.ts';

/** a simulator error with a stable code: SIM_INVALID (a malformed sim.ts), SIM_UNKNOWN (no simulator of that name) */
export class SimError extends Error {
  constructor(
    readonly code: 'SIM_INVALID' | 'SIM_UNKNOWN',
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

/** sim names: lower-case letters, digits and dashes, like plugin ids */
export const SIM_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Returns the definition as given, after checking its shape; throws SIM_INVALID naming what is wrong. */
export function defineSim<H extends SimHandle>(definition: SimDefinition<H>): SimDefinition<H> {
  const d = definition as Partial<SimDefinition<H>> | undefined;
  if (!d || typeof d !== 'object') throw new SimError('SIM_INVALID', 'defineSim: expected { name, start(options), config(handle) }');
  if (typeof d.name !== 'string' || !SIM_NAME.test(d.name)) {
    throw new SimError('SIM_INVALID', `defineSim: name must be lower-case letters, digits and dashes, got ${JSON.stringify(d.name)}`);
  }
  if (typeof d.start !== 'function') throw new SimError('SIM_INVALID', `defineSim ${d.name}: start(options) is missing`);
  if (typeof d.config !== 'function') throw new SimError('SIM_INVALID', `defineSim ${d.name}: config(handle) is missing`);
  return definition;
}
