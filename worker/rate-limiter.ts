// Sliding-window limits on actions (connection attempts, outgoing frames): how long to wait before the next one.

export interface Window {
  count: number;
  windowMs: number;
}

export class RateLimiter {
  /** times of recent actions, oldest first, per window */
  private readonly history: number[][];

  constructor(private readonly windows: Window[]) {
    this.history = windows.map(() => []);
  }

  /** ms to wait until one more action fits every window (0 = now) */
  delay(now = Date.now()): number {
    let wait = 0;
    this.windows.forEach((w, i) => {
      const h = this.history[i]!;
      while (h.length && h[0]! <= now - w.windowMs) h.shift();
      if (h.length >= w.count) wait = Math.max(wait, h[h.length - w.count]! + w.windowMs - now);
    });
    return wait;
  }

  /** records an action taken now */
  take(now = Date.now()): void {
    for (const h of this.history) h.push(now);
  }
}
