// Kraken v2 times: RFC 3339 text (`2023-09-25T09:04:31.742648Z`) to integer ms, sub-millisecond digits floored.
// (The SDK's time readers take epoch numbers only.)

import { badFrame, clip } from '../../sdk/index.ts';
import type { Json } from '../../sdk/index.ts';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

export function rfc3339Ms(o: Json, key: string, what: string): number {
  const v = o[key];
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  if (!m) throw badFrame(`${what}: ${key} is ${clip(v)}, not an RFC 3339 time`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Number(((frac ?? '') + '000').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone !== 'Z') t -= (zone!.startsWith('-') ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  if (!Number.isFinite(t) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    throw badFrame(`${what}: ${key} is ${clip(v)}, not a valid time`);
  }
  return t;
}

export function optRfc3339Ms(o: Json, key: string, what: string): number | undefined {
  return o[key] === undefined || o[key] === null ? undefined : rfc3339Ms(o, key, what);
}
