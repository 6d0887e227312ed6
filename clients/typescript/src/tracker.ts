// The last (ep, sq) of every stream key: drops repeats, reports gaps, and lists what to resume after a reconnect.

import type { GapEvent, GapReason, KeyRef } from './events.ts';
import { keyRef, keyString } from './keys.ts';
import { STATE_TYPES } from './records.ts';

/** A resume entry as `subscribe` takes it: the last record held for one key. */
export interface ResumeEntry extends KeyRef {
  ep: number;
  sq: number;
}

interface Held {
  ref: KeyRef;
  ep: number;
  sq: number;
  /** set when the gap of the next jump was already reported (lost) or has a known cause (unresumable) */
  pending?: GapReason | 'reported';
}

export interface Verdict {
  /** false for a record already held (a repeat after a resume or a snapshot of what we have), or an older epoch */
  deliver: boolean;
  gap?: GapEvent;
}

type SequencedRecord = KeyRef & { ep?: unknown; sq?: unknown; st?: unknown };

export class SequenceTracker {
  private readonly held = new Map<string, Held>();
  /** records dropped as repeats or stale */
  repeats = 0;

  /** @param conflated when true (the `interval` option), state keys skip `sq` by design and their jumps are not gaps */
  constructor(private readonly conflated = false) {}

  get size(): number {
    return this.held.size;
  }

  accept<R extends SequencedRecord>(r: R): Verdict {
    if (typeof r.ep !== 'number' || typeof r.sq !== 'number') return { deliver: true };
    const k = keyString(r);
    const prev = this.held.get(k);
    const { ep, sq } = r;
    if (!prev) {
      this.held.set(k, { ref: keyRef(r), ep, sq });
      return { deliver: true };
    }
    if (ep < prev.ep || (ep === prev.ep && sq <= prev.sq)) {
      this.repeats++;
      return { deliver: false };
    }
    const state = STATE_TYPES.has(r.ty);
    const snapshot = r.st === 'SNAPSHOT';
    let reason: GapReason | undefined;
    let missed: number | undefined;
    if (ep === prev.ep && sq > prev.sq + 1 && !(state && (snapshot || this.conflated))) {
      reason = 'sequence';
      missed = sq - prev.sq - 1;
    } else if (ep > prev.ep && !(state && snapshot)) {
      reason = 'epoch';
    }
    const pending = prev.pending;
    const from = { ep: prev.ep, sq: prev.sq };
    prev.ep = ep;
    prev.sq = sq;
    prev.pending = undefined;
    if (!reason || pending === 'reported') return { deliver: true };
    const gap: GapEvent = { ...prev.ref, reason: pending ?? reason, from, to: { ep, sq } };
    if (missed !== undefined) gap.missed = missed;
    return { deliver: true, gap };
  }

  /** what to send as `resume` */
  entries(): ResumeEntry[] {
    return [...this.held.values()].map((h) => ({ ...h.ref, ep: h.ep, sq: h.sq }));
  }

  /** the gateway could not recover these keys: one gap each now, none again for the snapshot that follows */
  lost(keys: KeyRef[]): GapEvent[] {
    const gaps: GapEvent[] = [];
    for (const key of keys) {
      const h = this.held.get(keyString(key));
      if (!h) continue;
      h.pending = 'reported';
      gaps.push({ ...h.ref, reason: 'lost', from: { ep: h.ep, sq: h.sq } });
    }
    return gaps;
  }

  /** the next jump of every key has this cause (a reconnect without resume) */
  expect(reason: GapReason): void {
    for (const h of this.held.values()) if (h.pending !== 'reported') h.pending = reason;
  }

  /** last (ep, sq) of one key */
  get(key: KeyRef): { ep: number; sq: number } | undefined {
    const h = this.held.get(keyString(key));
    return h && { ep: h.ep, sq: h.sq };
  }

  /** forgets the keys a new filter no longer matches */
  retain(keep: (key: KeyRef) => boolean): void {
    for (const [k, h] of this.held) if (!keep(h.ref)) this.held.delete(k);
  }

  clear(): void {
    this.held.clear();
  }
}
