// Seeded generators of hostile client input: random and mutated JSON and msgpack control frames, deep nesting,
// huge arrays, and HTTP paths, queries and bodies. Reproducible from the seed printed by the test.

import { encode } from '../../boundary/codec.ts';
import type { Rng } from '../../sim/prng.ts';

const WORDS = ['method', 'subscribe', 'ping', 'auth', 'exchange', 'symbol', 'type', 'snapshot', 'id', 'resume', 'token', 'BTC/KRW', 'feed', 'trade', '__proto__', 'constructor', 'ep', 'sq', ''];
const VALID: unknown[] = [
  { method: 'subscribe', symbol: ['BTC/KRW'], type: 'trade', snapshot: false },
  { method: 'ping', id: 1 },
  { method: 'subscribe', exchange: 'feed', id: 'x' },
];

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(0, list.length - 1)]!;
}

function randomString(rng: Rng): string {
  if (rng.chance(0.5)) return pick(rng, WORDS);
  let s = '';
  const n = rng.int(0, 20);
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.chance(0.8) ? rng.int(32, 126) : rng.int(0, 0xffff));
  return s;
}

export function randomValue(rng: Rng, depth = 0): unknown {
  const r = rng.int(0, depth > 4 ? 5 : 8);
  switch (r) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.chance(0.5) ? rng.int(-1e9, 1e9) : rng.normal() * 1e300;
    case 3: case 4: case 5: return randomString(rng);
    case 6: return Array.from({ length: rng.int(0, 6) }, () => randomValue(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(0, 6); i > 0; i--) o[randomString(rng)] = randomValue(rng, depth + 1);
      if (rng.chance(0.5)) o.method = pick(rng, ['subscribe', 'ping', 'auth', 'nope', 7, null]);
      return o;
    }
  }
}

function mutateText(rng: Rng, text: string): string {
  const chars = [...text];
  for (let i = rng.int(1, 4); i > 0; i--) {
    const at = rng.int(0, Math.max(0, chars.length - 1));
    const op = rng.int(0, 3);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, pick(rng, ['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '\ud800', 'null']));
    else if (op === 2) chars[at] = String.fromCharCode(rng.int(0, 255));
    else chars.length = at;
  }
  return chars.join('');
}

function deep(n: number, open: string, close: string): string {
  return open.repeat(n) + close.repeat(n);
}

export type ControlInput = { text: string } | { binary: Uint8Array } | { invalidUtf8: Uint8Array };

/** one hostile control frame */
export function controlInput(rng: Rng): ControlInput {
  switch (rng.int(0, 11)) {
    case 0: return { text: JSON.stringify(randomValue(rng)) };
    case 1: case 2: return { text: mutateText(rng, JSON.stringify(pick(rng, VALID))) };
    case 3: return { text: deep(rng.int(100, 20_000), '[', ']') };
    case 4: return { text: `{"method":"subscribe","symbol":${deep(rng.int(50, 5000), '[', ']')}}` };
    case 5: return { text: JSON.stringify({ method: 'subscribe', symbol: Array.from({ length: rng.int(1001, 6000) }, (_, i) => `S${i}/KRW`) }) };
    case 6: return { text: JSON.stringify({ method: 'subscribe', resume: Array.from({ length: rng.int(10, 3000) }, () => ({ ex: 'feed', ty: 'trade', cd: 'BTC/KRW', ep: 1, sq: 1 })) }) };
    case 7: return { binary: encode(randomValue(rng)) };
    case 8: {
      const b = encode(pick(rng, VALID));
      const m = new Uint8Array(b);
      for (let i = rng.int(1, 3); i > 0; i--) m[rng.int(0, m.length - 1)] = rng.int(0, 255);
      return { binary: rng.chance(0.3) ? m.subarray(0, rng.int(0, m.length)) : m };
    }
    case 9: return { binary: Uint8Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255)) };
    case 10: {
      // msgpack arrays nested deeply: 0x91 = fixarray of one element
      const n = rng.int(100, 20_000);
      const b = new Uint8Array(n + 1).fill(0x91);
      b[n] = 0xc0;
      return { binary: b };
    }
    default: {
      const b = Buffer.from(JSON.stringify({ method: 'ping', id: 'x' }));
      b[rng.int(0, b.length - 1)] = pick(rng, [0xff, 0xc0, 0xed, 0x80, 0xf8]);
      return { invalidUtf8: b };
    }
  }
}

/** percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD rather than throwing) */
function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

export interface HttpInput {
  method: string;
  path: string;
  body?: string;
}

const PATHS = ['/api/snapshot', '/api/subscriptions', '/api/ws/infra-health', '/ws/info', '/health', '/metrics', '/ws/exchange', '/api/nope', '/'];

/** one hostile HTTP request (raw path, not normalized by any client library) */
export function httpInput(rng: Rng): HttpInput {
  const path = pick(rng, PATHS);
  const q = [];
  for (let i = rng.int(0, 4); i > 0; i--) {
    const v = rng.chance(0.3) ? pick(rng, ['%', '%ZZ', '%E0%A4%A', '%00', '%FF', ',,,', 'BTC%2FKRW']) : pct(randomString(rng));
    q.push(`${pick(rng, ['exchange', 'symbol', 'type', 'format', 'x', 'exchange'])}=${v}`);
  }
  if (rng.chance(0.1)) q.push(`symbol=${Array.from({ length: 3000 }, (_, i) => `S${i}/KRW`).join(',')}`);
  const method = pick(rng, ['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
  let body: string | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const r = rng.int(0, 4);
    body = r === 0 ? JSON.stringify(randomValue(rng)) : r === 1 ? mutateText(rng, JSON.stringify({ exchange: 'nope', add: ['BTC/KRW'] })) : r === 2 ? deep(rng.int(10, 5000), '{"a":', '}').replace(/}$/, '1}') : r === 3 ? 'x'.repeat(rng.int(0, 200_000)) : '';
    // never a real change of the running exchange
    if (body.includes('"feed"')) body = '{}';
  }
  return { method, path: q.length ? `${path}?${q.join('&')}` : path, body };
}
