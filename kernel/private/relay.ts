// How private records travel from the workers to the nodes that serve their clients.
//
// Standalone: straight to this node's private delivery; nothing leaves the process. Cluster: the leader holds the
// private connections (like every exchange connection) and publishes each private batch sealed with AES-256-GCM
// (seal.ts) on a channel of its own (Kafka topic `<kafka.topic>.private`, or Redis channel `<redis.channel>:private`),
// never on the public topic: nodes without the key, or tools reading the topic, see only ciphertext, and a node's
// public consumers, latest-value store and history never see private records at all. Every node opens the batches
// and delivers them to its own entitled clients, so an account's client may sit behind any node.

import type { RecordBatch } from '../../boundary/batch.ts';
import { recordAt } from '../../boundary/batch.ts';
import type { Bus } from '../bus/bus.ts';
import { decode, encode } from '../../boundary/codec.ts';
import type { Logger } from '../log.ts';
import type { PrivateDelivery } from './delivery.ts';
import { open, seal } from './seal.ts';

/** binds sealed frames to this use: a frame sealed for another purpose under the same key does not open here */
const AAD = 'gateway-private-records-v1';
/** the one bus key of sealed batches: one partition, so private batches keep their order */
const SEALED_KEY = 'private';

interface WireBatch {
  k: string[];
  e: number[];
  b: Uint8Array;
}

export interface PrivateRelayOptions {
  delivery: PrivateDelivery;
  log: Logger;
  /** cluster mode: the private channel and the key that seals it */
  cluster?: { bus: Bus; key: Buffer };
}

export class PrivateRelay {
  private published = 0;
  private opened = 0;
  private refused = 0;

  constructor(private readonly opts: PrivateRelayOptions) {
    opts.cluster?.bus.subscribe((batch) => this.receive(batch));
  }

  get kind(): 'direct' | 'sealed' {
    return this.opts.cluster ? 'sealed' : 'direct';
  }

  set producing(on: boolean) {
    const bus = this.opts.cluster?.bus;
    if (bus && 'producing' in bus) bus.producing = on;
  }

  async start(): Promise<void> {
    await this.opts.cluster?.bus.start();
  }

  /** a private batch from this node's workers */
  publish(batch: RecordBatch): void {
    const cluster = this.opts.cluster;
    if (!cluster) return this.opts.delivery.deliver(batch);
    const plain = encode({ k: batch.keys, e: batch.ends, b: batch.buf } satisfies WireBatch);
    const sealed = seal(cluster.key, plain, AAD);
    this.published += batch.keys.length;
    cluster.bus.publish({ keys: [SEALED_KEY], ends: [sealed.length], buf: sealed });
  }

  private receive(batch: RecordBatch): void {
    const cluster = this.opts.cluster!;
    for (let i = 0; i < batch.keys.length; i++) {
      const plain = open(cluster.key, recordAt(batch, i), AAD);
      const wire = plain && safeDecode(plain);
      if (!wire) {
        this.refused++;
        this.opts.delivery.refuse('unsealed');
        if (this.refused === 1 || this.refused % 1000 === 0) {
          this.opts.log.warn(`private channel: ${this.refused} sealed batch(es) did not open (another key, or altered); dropped`);
        }
        continue;
      }
      this.opened += wire.k.length;
      this.opts.delivery.deliver({ keys: wire.k, ends: wire.e, buf: wire.b });
    }
  }

  health(): Record<string, unknown> {
    return {
      transport: this.kind,
      ...(this.opts.cluster ? { bus: this.opts.cluster.bus.health(), published: this.published, opened: this.opened, refused: this.refused } : {}),
    };
  }

  async close(): Promise<void> {
    await this.opts.cluster?.bus.close();
  }
}

function safeDecode(bytes: Uint8Array): WireBatch | undefined {
  try {
    const w = decode<WireBatch>(bytes);
    if (!Array.isArray(w?.k) || !Array.isArray(w.e) || !(w.b instanceof Uint8Array) || w.k.length !== w.e.length) return undefined;
    return w;
  } catch {
    return undefined;
  }
}
