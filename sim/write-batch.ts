// Fewer TCP writes from a simulator: the frames a timer's run sends to each connection go out in one write when the
// run ends, each still its own WebSocket frame.

import type { WebSocket } from 'ws';

/** the TCP socket under a ws WebSocket, where the runtime exposes one that can be corked */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export function rawSocket(socket: WebSocket): Corkable | undefined {
  const raw = (socket as unknown as { _socket?: Partial<Corkable> })._socket;
  return raw && typeof raw.cork === 'function' && typeof raw.uncork === 'function' ? (raw as Corkable) : undefined;
}

/**
 * While a timer runs, the frames each connection gets are held and written together when it returns (one write per
 * connection per step instead of one per frame). Every frame is still its own WebSocket message, as the exchange
 * sends them; only the TCP writes are fewer.
 */
export class WriteBatch {
  private open = false;
  private readonly corked = new Set<Corkable>();

  run(fn: () => void): void {
    this.open = true;
    try {
      fn();
    } finally {
      this.open = false;
      for (const raw of this.corked) raw.uncork();
      this.corked.clear();
    }
  }

  /** before each send: holds the connection's writes until the batch ends (outside a batch, writes go at once) */
  hold(raw: Corkable): void {
    if (!this.open || this.corked.has(raw)) return;
    raw.cork();
    this.corked.add(raw);
  }
}
