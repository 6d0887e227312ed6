// The in-process bus of standalone mode: a published batch goes straight to this node's subscribers.

import type { RecordBatch } from '../batch.ts';
import type { Bus } from './bus.ts';

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

  health(): Record<string, unknown> {
    return { kind: this.kind, healthy: true, batches: this.batches };
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
  }
}
