// Stream keys: (ex, ty, cd) plus rex for premium and iv for candles (SPEC §3a), as strings and as resume entries.

import type { KeyRef } from './events.ts';

export function keyRef(r: KeyRef): KeyRef {
  const k: KeyRef = { ex: r.ex, ty: r.ty, cd: r.cd };
  if (typeof r.rex === 'string') k.rex = r.rex;
  if (typeof r.iv === 'string') k.iv = r.iv;
  return k;
}

export function keyString(r: KeyRef): string {
  let s = `${r.ex}|${r.ty}|${r.cd}`;
  if (typeof r.rex === 'string') s += `|rex=${r.rex}`;
  if (typeof r.iv === 'string') s += `|iv=${r.iv}`;
  return s;
}
