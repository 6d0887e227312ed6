// Keeps a connection honest: pings it once it has been quiet for `pingIntervalMs`, and reports it stalled when no
// frame at all follows the ping within `pongTimeoutMs` (the gateway answers a ping with a pong, but any frame will do).

import type { WebSocketLike } from './transport.ts';
import { OPEN } from './transport.ts';

export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private pingAt = 0;

  constructor(
    private readonly pingIntervalMs: number,
    private readonly pongTimeoutMs: number,
    private readonly stalled: (reason: string) => void,
  ) {}

  /** watches `ws` from now on (pingIntervalMs 0: never pings) */
  start(ws: WebSocketLike): void {
    this.stop();
    this.frame();
    if (this.pingIntervalMs <= 0) return;
    const every = Math.max(50, Math.min(this.pingIntervalMs, this.pongTimeoutMs) / 2);
    this.timer = setInterval(() => this.check(ws), every);
  }

  /** a frame arrived: the connection is alive */
  frame(): void {
    this.lastFrameAt = Date.now();
    this.pingAt = 0;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(ws: WebSocketLike): void {
    if (ws.readyState !== OPEN) return;
    const now = Date.now();
    if (this.pingAt && now - this.pingAt > this.pongTimeoutMs) {
      this.stop();
      this.stalled(`no frame within ${this.pongTimeoutMs} ms of a ping`);
      try { ws.close(4000, 'stalled'); } catch { /* already closing */ }
    } else if (!this.pingAt && now - this.lastFrameAt > this.pingIntervalMs) {
      this.pingAt = now;
      ws.send('{"method":"ping"}');
    }
  }
}
