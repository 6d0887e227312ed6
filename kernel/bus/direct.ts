// The in-process bus of standalone mode: a published batch goes straight to this node's subscribers.

import type { RecordBatch } from '../../boundary/batch.ts';
import type { Bus } from './bus.ts';
import type { BusHealth } from './bus-status.ts';

export class DirectBus implements Bus {
  readonly kind = 'direct';
  private readonly handlers: ((batch: RecordBatch) => void)[] = [];
  private batches = 0;

  async start(): Promise<void> {}

  publish(batch: RecordBatch): void {
    this.batches++;
    for (const h of this.handlers) h(batch);
  }

  subscribe(handler: (batch: RecordBatch) => void): void {
    this.handlers.push(handler);
  }

  private readonly since = Date.now();

  health(): BusHealth {
    // in-process: nothing can fail between the workers and this node's hub
    return { kind: this.kind, healthy: true, state: 'up', reason: null, since: this.since, path: 'direct', stalls: 0, rebuilds: 0, outages: 0, batches: this.batches };
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}
