// The one thing the hub needs from a client connection, whatever the runtime or WebSocket library, and the
// WebSocket framing the hub uses to build each message once for all the clients that get it.

import type { ClientIdentity } from '../security/identity.ts';

export interface Peer {
  /** queue a frame: text for JSON clients, binary for msgpack clients. MUST NOT throw. */
  send(frame: string | Uint8Array): void;
  /**
   * Optional fast path: write bytes holding one or more complete, unmasked WebSocket data frames (see `wsFrame`)
   * to the connection as they are, after everything sent before. The same buffer is given to many peers and
   * MUST NOT be modified. MUST NOT throw; does nothing once the connection is closing.
   */
  sendFrames?(frames: Uint8Array): void;
  /** bytes queued but not yet written to the network */
  readonly bufferedAmount: number;
  /** MUST NOT throw; idempotent */
  close(code: number, reason: string): void;
  /** who the client authenticated as at upgrade (core/security); absent = anonymous */
  readonly identity?: ClientIdentity;
}

/** RFC 6455 §5.2 opcodes */
export const TEXT = 0x1;
export const BINARY = 0x2;

/**
 * One final, unmasked WebSocket frame (server → client) holding `payload`: a string is written as UTF-8 text.
 * Built once per record and format, then written to every client that gets it.
 */
export function wsFrame(payload: string | Uint8Array, opcode: typeof TEXT | typeof BINARY): Buffer {
  const n = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const head = n < 126 ? 2 : n < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x80 | opcode;
  if (n < 126) frame[1] = n;
  else if (n < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  if (typeof payload === 'string') frame.write(payload, head, 'utf8');
  else frame.set(payload, head);
  return frame;
}
