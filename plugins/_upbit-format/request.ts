// The Upbit-format subscription request: one JSON array with the full set, since each request replaces the last.

import type { RecordType } from '../../sdk/index.ts';

const DEPTHS = [1, 5, 15, 30] as const;

/** the smallest orderbook size Upbit offers (`.1`, `.5`, `.15`, `.30`) that covers `depth`; 30 at most */
export function depthSuffix(depth: number): number {
  return DEPTHS.find((d) => d >= depth) ?? 30;
}

/**
 * `[{"ticket"},{"type":"ticker",...},{"type":"trade",...},{"type":"orderbook","codes":["KRW-BTC.15"]},{"format":"SIMPLE"}]`
 * with only the configured channels. The ticket is derived from the request itself: deterministic (plugins are
 * pure) and distinct between different subscription sets.
 */
export function requestFrame(ex: string, codes: readonly string[], channels: readonly RecordType[], depth: number): string {
  const types: { type: RecordType; codes: string[] }[] = [];
  if (channels.includes('ticker')) types.push({ type: 'ticker', codes: [...codes] });
  if (channels.includes('trade')) types.push({ type: 'trade', codes: [...codes] });
  if (channels.includes('orderbook')) {
    const n = depthSuffix(depth);
    types.push({ type: 'orderbook', codes: codes.map((c) => `${c}.${n}`) });
  }
  const ticket = `gateway-${ex}-${fnv1a(JSON.stringify(types))}`;
  return JSON.stringify([{ ticket }, ...types, { format: 'SIMPLE' }]);
}

/** 32-bit FNV-1a as 8 hex digits: short, stable, no crypto dependency (the plugin runs under Node and Deno) */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
