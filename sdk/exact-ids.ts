// Exact id strings: integer ids beyond 2^53 keep every digit. Part of the SDK's field readers (sdk/readers.ts).

import { absent, fail } from './read-core.ts';
import type { Json } from './read-core.ts';

const quoteCache = new Map<string, RegExp>();

/**
 * The frame text with every integer literal under one of `keys` turned into a string, so `JSON.parse` keeps all its
 * digits: JSON.parse turns 9007199254740993 into 9007199254740992, and Node 20 gives a reviver no source text. Only a
 * member spelled exactly `"<key>":` followed by a JSON integer is touched; such a key cannot appear unescaped inside
 * a JSON string, so string contents are left alone. A float or a negative number stays a number (and `exactId` rejects it).
 * Call it on the raw text before JSON.parse; frames without these keys come back unchanged.
 */
export function quoteIds(frame: string, keys: readonly string[]): string {
  const cacheKey = keys.join('\u0000');
  let re = quoteCache.get(cacheKey);
  if (!re) {
    const names = keys.map((k) => k.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`)).join('|');
    re = new RegExp(`"(${names})"(\\s*:\\s*)(0|[1-9][0-9]*)(?=\\s*[,}\\]])`, 'g');
    quoteCache.set(cacheKey, re);
  }
  return frame.replace(re, '"$1"$2"$3"');
}

/**
 * An exact id as a string: a string of 1 to 64 characters as sent, or a non-negative safe integer (below 2^53, so
 * JSON.parse kept it exact) in decimal. Anything else is refused: a float, a negative number, or an integer beyond
 * 2^53 that reached JSON.parse unquoted (quote such ids in the text first: quoteIds, or re-parse the rare frame that
 * has one, as Binance's plugin does).
 */
export function exactId(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) fail(what, key, v, 'an exact id');
  return v;
}

export function optExactId(o: Json, key: string, what: string): string | undefined {
  return absent(o[key]) ? undefined : exactId(o, key, what);
}

/**
 * True when a parsed frame holds, under one of `keys`, an integer JSON.parse could not keep exact (beyond 2^53):
 * then parse the text again through quoteIds. Looks at `value` itself and, for a list frame, at each element. This
 * keeps the quoting off the common path (ids below 2^53 are exact as parsed, and exactId takes them):
 *
 *   let msg = JSON.parse(frame);
 *   if (needsQuotedIds(msg, ['sid'])) msg = JSON.parse(quoteIds(frame, ['sid']));
 */
export function needsQuotedIds(value: unknown, keys: readonly string[]): boolean {
  if (Array.isArray(value)) {
    for (const item of value) if (wide(item, keys)) return true;
    return false;
  }
  return wide(value, keys);
}

function wide(o: unknown, keys: readonly string[]): boolean {
  if (typeof o !== 'object' || o === null) return false;
  for (const k of keys) {
    const v = (o as Json)[k];
    if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v)) return true;
  }
  return false;
}
