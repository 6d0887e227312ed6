// Delivers private records (myOrder, myAsset) on this node: only to clients whose authenticated identity lists the
// record's account, and whose filter wants it. Nothing is stored: no snapshot, no latest value, no history.

import type { RecordBatch } from '../../boundary/batch.ts';
import { recordAt } from '../../boundary/batch.ts';
import { decode } from '../../boundary/codec.ts';
import type { Filter } from '../filter.ts';
import type { Client, Hub } from '../fanout/hub.ts';
import type { Metrics } from '../metrics.ts';
import { splitStreamKey } from '../../sdk/model.ts';
import { accountOfKey } from '../../sdk/private.ts';

/** the accounts a client is entitled to: its identity, set at upgrade by client authentication (core/security) */
export function clientAccounts(c: Client): readonly string[] {
  return c.peer.identity?.accounts ?? [];
}

/** A private record passes a filter by exchange and type; by symbol only myOrder (myAsset is account-wide). */
export function wantsPrivate(f: Filter, ex: string, ty: string, cd: string): boolean {
  if (f.exchange && !f.exchange.has(ex)) return false;
  if (f.type && !f.type.has(ty)) return false;
  return ty !== 'myOrder' || !f.symbol || f.symbol.has(cd);
}

export class PrivateDelivery {
  private readonly received;
  private readonly delivered;
  private readonly dropped;

  constructor(
    private readonly hub: () => Hub | undefined,
    metrics: Metrics,
  ) {
    this.received = metrics.counter('gateway_private_records_total', 'Private records (myOrder, myAsset) that reached this node, by exchange and account');
    this.delivered = metrics.counter('gateway_private_deliveries_total', 'Private records sent to entitled clients, by exchange and account');
    this.dropped = metrics.counter('gateway_private_dropped_total', 'Private batches or records refused (not private, or a sealed frame that did not open)');
  }

  /** counts a refused input (e.g. a sealed frame under another key) */
  refuse(reason: string): void {
    this.dropped.inc({ reason });
  }

  deliver(batch: RecordBatch): void {
    const hub = this.hub();
    for (let i = 0; i < batch.keys.length; i++) {
      const key = batch.keys[i]!;
      const acct = accountOfKey(key);
      if (acct === undefined) {
        this.dropped.inc({ reason: 'not_private' });
        continue;
      }
      const { ex, ty, cd } = splitStreamKey(key);
      this.received.inc({ exchange: ex, account: acct });
      if (!hub) continue;
      const bytes = recordAt(batch, i);
      let json: string | undefined;
      let pack: Uint8Array | undefined;
      let sent = 0;
      for (const c of hub.connected) {
        if (!c.open || !clientAccounts(c).includes(acct) || !wantsPrivate(c.filter, ex, ty, cd)) continue;
        // encoded once per format, like public records; a copy, since the batch buffer is not ours to keep
        const payload = c.format === 'json' ? (json ??= JSON.stringify(decode(bytes))) : (pack ??= bytes.slice());
        hub.sendTo(c, payload);
        sent++;
      }
      if (sent) this.delivered.inc({ exchange: ex, account: acct }, sent);
    }
  }
}
