// The derived computations the gateway knows. A new one is a module implementing DerivedModule, listed here.

import type { DerivedModule } from './computation.ts';
import { candlesModule } from './candles.ts';
import { premiumModule } from './premium.ts';

export const DERIVED_MODULES: DerivedModule<never>[] = [premiumModule as DerivedModule<never>, candlesModule as DerivedModule<never>];

export function moduleNamed(name: string): DerivedModule<never> | undefined {
  return DERIVED_MODULES.find((m) => m.name === name);
}
