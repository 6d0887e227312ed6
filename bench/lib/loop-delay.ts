// How late a benchmark process's event loop runs over a window: perf_hooks' monitor records the interval between
// its timer's runs, resolution included, so the resolution is taken off to give the lateness itself.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 5;

export interface LoopLateness {
  /** ms beyond the monitor's period: 99th percentile and the worst */
  p99: number;
  max: number;
}

export class LoopDelay {
  private h: IntervalHistogram | undefined;

  /** starts a new window (the previous one's figures are dropped) */
  start(): void {
    this.h?.disable();
    this.h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.h.enable();
  }

  /** the window so far; zeros before start() */
  read(): LoopLateness {
    const h = this.h;
    if (!h || h.count === 0) return { p99: 0, max: 0 };
    const late = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    return { p99: late(h.percentile(99)), max: late(h.max) };
  }

  stop(): void {
    this.h?.disable();
  }
}
