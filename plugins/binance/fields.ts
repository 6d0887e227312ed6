// The SDK readers in Binance's terms, for depth.ts and map.ts: Binance writes prices, sizes and changes as decimal
// strings ("68250.01000000", "-1.234"), so a JSON number in their place is refused (the NumberForm 'string').

import { levels as sdkLevels } from '../../sdk/index.ts';
import type { Json } from '../../sdk/index.ts';

export { integer, isObject as isObj } from '../../sdk/index.ts';
export type { Json as Obj } from '../../sdk/index.ts';

/** Price levels `[["68250.01","0.5"], ...]` as number pairs; sizes may be zero (a removal), prices may not. */
export function levels(o: Json, key: string, what: string): [number, number][] {
  return sdkLevels(o, key, what, 'string');
}
