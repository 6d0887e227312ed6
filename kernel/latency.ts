// Latency per stage as Prometheus histograms, sampled on the first record of every batch leaving the bus:
// exchange `tms` → receive (`rtms`), receive → out of the bus on this node, out of the bus → written to clients.

import type { RecordBatch } from '../boundary/batch.ts';
import { recordAt } from '../boundary/batch.ts';
import { decode } from '../boundary/codec.ts';
import type { Metrics } from './metrics.ts';

export class StageLatency {
  private readonly hist;

  /** `hasClients`: the client stage is measured only when someone is there to be written to */
  constructor(metrics: Metrics, private readonly hasClients: () => boolean) {
    this.hist = metrics.histogram(
      'gateway_stage_latency_seconds',
      'Latency per stage, sampled per batch: exchange (exchange tms to receive; clock skew included), bus (receive to out of the bus on this node), client (out of the bus to written to client sockets)',
    );
  }

  /** MUST be subscribed to the bus after the hub, so the client stage ends after the hub's write for this turn */
  onBus(batch: RecordBatch): void {
    if (batch.keys.length === 0) return;
    const now = Date.now();
    // the first record (status and resync events travel among records: skip a few of those)
    type Sampled = { ty?: unknown; ex?: unknown; tms?: unknown; rtms?: unknown };
    let r: Sampled | undefined;
    for (let i = 0; i < Math.min(batch.keys.length, 8); i++) {
      let v: Sampled | null;
      try {
        v = decode(recordAt(batch, i)) as Sampled | null;
      } catch {
        return;
      }
      if (v && typeof v.ty === 'string') {
        r = v;
        break;
      }
    }
    if (!r) return;
    const exchange = typeof r.ex === 'string' ? r.ex : 'unknown';
    if (typeof r.rtms === 'number') {
      // an exchange clock ahead of ours would give a negative time: counted as zero
      if (typeof r.tms === 'number') this.hist.observe(Math.max(0, r.rtms - r.tms) / 1000, { stage: 'exchange', exchange });
      this.hist.observe(Math.max(0, now - r.rtms) / 1000, { stage: 'bus', exchange });
    }
    if (!this.hasClients()) return;
    const t0 = performance.now();
    // the hub writes in a setImmediate scheduled while it routed this batch; this one runs after it
    setImmediate(() => this.hist.observe((performance.now() - t0) / 1000, { stage: 'client', exchange }));
  }
}
