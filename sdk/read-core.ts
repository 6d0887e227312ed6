// What the SDK's reader modules share (sdk/readers.ts, epoch-time.ts, exact-ids.ts): the JSON object type, the
// error text of a rejected field. `clip` and `Json` are public through sdk/readers.ts; `absent` and `fail` are not.

import { badFrame } from './errors.ts';

export type Json = Record<string, unknown>;

/** A short, safe description of a value for error messages (frames can be megabytes of hostile text). */
export function clip(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

/** absent or null: the exchange left the field out */
export const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

/** throws BAD_FRAME `<what>: <key> is <value>, not <expected>` */
export function fail(what: string, key: string, v: unknown, expected: string): never {
  throw badFrame(`${what}: ${key} is ${clip(v)}, not ${expected}`);
}
