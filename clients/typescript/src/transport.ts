// The WebSocket under the client, found the same way on every runtime, and the decoding of its frames.
//
// Browsers, Deno and Node 22+ have a global WebSocket. Node 20 has none: pass `WebSocket` (e.g. from the `ws`
// package) in the options, or have `ws` installed and the client loads it on first connect.

import { Packr } from 'msgpackr';
import { ClientError } from './events.ts';

/** The part of the WHATWG WebSocket the client uses (browsers, Deno, Node 22+, and the `ws` package all fit). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const OPEN = 1;

// a variable, so bundlers for the browser leave the optional Node fallback alone
const WS_PACKAGE = 'ws';

export async function resolveWebSocket(given?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (given) return given;
  const g = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof g === 'function') return g;
  try {
    const mod = (await import(WS_PACKAGE)) as { WebSocket?: WebSocketConstructor; default?: WebSocketConstructor };
    const ctor = mod.WebSocket ?? mod.default;
    if (typeof ctor === 'function') return ctor;
  } catch (cause) {
    throw new ClientError('NO_WEBSOCKET', 'this runtime has no global WebSocket: pass the `WebSocket` option or install the `ws` package', { cause });
  }
  throw new ClientError('NO_WEBSOCKET', 'the `ws` package exports no WebSocket');
}

// the gateway's msgpack dialect: plain maps, no msgpackr record extension
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number', mapsAsObjects: true });

/** One frame → the values it holds: a record or control message, or several of them in a batched array frame. */
export function decodeFrame(data: unknown): unknown[] {
  let v: unknown;
  try {
    if (typeof data === 'string') v = JSON.parse(data);
    else if (data instanceof ArrayBuffer) v = packr.unpack(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) v = packr.unpack(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else if (Array.isArray(data)) v = packr.unpack(concat(data as Uint8Array[]));
    else throw new Error(`unexpected frame data ${Object.prototype.toString.call(data)}`);
  } catch (cause) {
    throw new ClientError('DECODE', 'a frame could not be decoded', { cause });
  }
  return Array.isArray(v) ? v : [v];
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
