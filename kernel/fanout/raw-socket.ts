// The one place the fan-out reaches under `ws`'s public API: the upgraded network socket ws keeps as `_socket`,
// to which the hub's ready-made WebSocket frames (peer.ts `wsFrame`) are written as they are, one write per client
// per turn. test/kernel/raw-socket.test.ts fails loudly if a ws release moves or changes what this relies on.

import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

/** ws no longer keeps its socket where this adapter looks, or the connection cannot take raw frames */
export class RawSocketError extends Error {
  readonly code = 'WS_RAW_SOCKET_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'RawSocketError';
  }
}

/**
 * The network socket under a server-side ws connection. Throws RawSocketError when ws does not keep a writable
 * socket as `_socket`, or when the connection negotiated an extension (permessage-deflate): then ws rewrites frames
 * and may hold some back, so bytes written beside it would arrive malformed or out of order.
 */
export function rawSocketOf(ws: WebSocket): Duplex {
  const raw = (ws as unknown as { _socket?: unknown })._socket;
  if (!raw || typeof (raw as Duplex).write !== 'function') {
    throw new RawSocketError('ws keeps no writable `_socket` on its connections (a ws release changed its internals)');
  }
  if (ws.extensions) throw new RawSocketError(`the connection uses a WebSocket extension (${ws.extensions}): raw frames would bypass it`);
  return raw as Duplex;
}

/**
 * A writer of complete, unmasked server frames for `ws` (Peer.sendFrames): they go out after everything ws.send
 * queued before, as ws writes to the same socket synchronously when no extension is in use. Does nothing once the
 * connection is closing. Throws RawSocketError as rawSocketOf does.
 */
export function frameWriter(ws: WebSocket): (frames: Uint8Array) => void {
  const raw = rawSocketOf(ws);
  return (frames) => {
    if (ws.readyState === WebSocket.OPEN) raw.write(frames);
  };
}
