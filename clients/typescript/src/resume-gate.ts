// Puts a resuming connection's records back in order. A gateway may send live records of a key between the
// connect and its answer to `subscribe` with `resume`, then replay the older ones it missed: the gate holds those
// early live records until the replay of their key has passed, so every key is seen once and in order.

import type { KeyRef } from './events.ts';
import { keyString } from './keys.ts';

type Sequenced = KeyRef & { ep?: unknown; sq?: unknown };

const newer = (a: Sequenced, b: Sequenced) =>
  typeof a.ep === 'number' && typeof a.sq === 'number' && typeof b.ep === 'number' && typeof b.sq === 'number' &&
  (a.ep > b.ep || (a.ep === b.ep && a.sq > b.sq));

export class ResumeGate<R extends Sequenced> {
  private keys: Set<string> | undefined;
  /** await: before `resumed`; replay: after it, until the replay is over */
  private phase: 'await' | 'replay' | undefined;
  private readonly pending = new Map<string, R[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** @param release processes a held record (never back through the gate) */
  constructor(private readonly release: (r: R) => void, private readonly replayTimeoutMs = 2000) {}

  /** a connection opened that resumes these keys */
  begin(keys: KeyRef[]): void {
    this.reset();
    if (!keys.length) return;
    this.keys = new Set(keys.map(keyString));
    this.phase = 'await';
  }

  /** true when the gate keeps the record for later; false: process it now (after what the gate released) */
  hold(r: R): boolean {
    if (!this.phase) return false;
    const k = keyString(r);
    if (this.phase === 'await') {
      if (!this.keys!.has(k)) return false;
      const list = this.pending.get(k);
      if (list) list.push(r);
      else this.pending.set(k, [r]);
      return true;
    }
    const list = this.pending.get(k);
    // newer than what is held: the replay of this key is over
    if (list && newer(r, list[list.length - 1]!)) this.flush(k);
    return false;
  }

  /** `resumed` arrived: the replay follows */
  resumed(): void {
    if (this.phase !== 'await') return;
    this.phase = 'replay';
    this.timer = setTimeout(() => this.end(), this.replayTimeoutMs);
  }

  /** the replay is over (the status events that follow a `subscribed` come after it): release everything */
  end(): void {
    if (this.phase !== 'replay') return;
    clearTimeout(this.timer);
    this.phase = undefined;
    this.keys = undefined;
    for (const k of [...this.pending.keys()]) this.flush(k);
  }

  /** the connection is gone: what was held is fetched again by the next resume */
  reset(): void {
    clearTimeout(this.timer);
    this.pending.clear();
    this.phase = undefined;
    this.keys = undefined;
  }

  private flush(k: string): void {
    const list = this.pending.get(k);
    this.pending.delete(k);
    for (const r of list ?? []) this.release(r);
  }
}
