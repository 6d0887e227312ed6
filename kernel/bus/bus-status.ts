// The one place a bus keeps what it says about itself: state (up/degraded/down), why, since when, and counters of
// stalls and rebuilds. Logs one line when an episode starts and one when it ends, whatever happens in between.

import type { Logger } from '../log.ts';

/**
 * `up`: this node receives records over the bus, and publishing works where this node feeds it.
 * `degraded`: this node's own clients are served, but the bus does not carry records to the other nodes
 * (the leader publishes nothing and serves its clients directly).
 * `down`: this node receives nothing over the bus (broker or server not answering, or its consumer stalled).
 */
export type BusState = 'up' | 'degraded' | 'down';

/** The shape every bus's health() has (docs/operations.md, "Bus failures and recovery"); kinds add fields. */
export interface BusHealth {
  kind: string;
  healthy: boolean;
  state: BusState;
  /** why the state is not `up` (null while up) */
  reason: string | null;
  /** ms since the epoch when the current state began */
  since: number;
  /** how records reach this node's clients */
  path: string;
  /** consumers or subscribers found not receiving while they should */
  stalls: number;
  /** consumers, subscribers, producers or publishers torn down and built again */
  rebuilds: number;
  /** episodes (up → not up) since start */
  outages: number;
  lastError?: string;
  [more: string]: unknown;
}

/** config `bus`: how a stalled consumer or a hung producer is found and rebuilt */
export interface BusRecovery {
  /** a consumer that has not fetched (or a subscriber that has heard nothing, probes included) for this long is rebuilt */
  stallTimeoutMs: number;
  /** how often the watchdog looks, and how often a bus that does not answer is probed */
  probeIntervalMs: number;
  /** the first rebuild after a stall waits this long, doubling for each rebuild that does not help */
  rebuildInitialDelayMs: number;
  rebuildMaxDelayMs: number;
}

export const DEFAULT_RECOVERY: BusRecovery = { stallTimeoutMs: 5000, probeIntervalMs: 1000, rebuildInitialDelayMs: 250, rebuildMaxDelayMs: 4000 };

/** a bus still coming up is not reported as failing before this */
const START_GRACE_MS = 10_000;

export class BusStatus {
  state: BusState = 'down';
  reason: string | null = 'starting';
  since = Date.now();
  stalls = 0;
  rebuilds = 0;
  outages = 0;
  lastError: string | undefined;
  /** rebuilds counted within the current episode, for the closing log line */
  private episodeRebuilds = 0;
  private everUp = false;
  private readonly created = Date.now();
  private episodeLogged = false;
  private readonly listeners: ((state: BusState, reason: string | null) => void)[] = [];

  constructor(
    private readonly kind: string,
    private readonly log: Logger,
  ) {}

  /** called on every change of state; handlers must not throw */
  onChange(fn: (state: BusState, reason: string | null) => void): void {
    this.listeners.push(fn);
  }

  stall(): void {
    this.stalls++;
  }

  rebuilt(): void {
    this.rebuilds++;
    this.episodeRebuilds++;
  }

  error(message: string): void {
    this.lastError = message;
  }

  /** sets the state; the same state with a new reason updates the reason only (logged at debug) */
  set(state: BusState, reason: string | null): void {
    const why = state === 'up' ? null : reason ?? 'unknown';
    const was = this.state;
    if (state === was && why === this.reason) return;
    if (state !== was) {
      if (was === 'up') this.outages++;
      if (state === 'up') {
        const lasted = ((Date.now() - this.since) / 1000).toFixed(1);
        if (this.everUp) this.log.info(`bus ${this.kind} up again after ${lasted} s ${was} (${this.episodeRebuilds} rebuilds)`);
        else this.log.info(`bus ${this.kind} up`);
        this.everUp = true;
        this.episodeRebuilds = 0;
        this.episodeLogged = false;
      }
      this.since = Date.now();
    }
    this.state = state;
    this.reason = why;
    // one warning per episode (start-up: tick()); later changes of reason at debug
    if (state !== 'up') {
      if (!this.episodeLogged && this.everUp) {
        this.episodeLogged = true;
        this.log.warn(`bus ${this.kind} ${state}: ${why}`);
      } else this.log.debug(`bus ${this.kind} ${state}: ${why}`);
    }
    if (state !== was) for (const fn of this.listeners) fn(state, why);
  }

  /** called by the bus's watchdog: a bus that has not come up since start says so once, after START_GRACE_MS */
  tick(): void {
    if (this.everUp || this.episodeLogged || Date.now() - this.created < START_GRACE_MS) return;
    this.episodeLogged = true;
    this.log.warn(`bus ${this.kind} not up ${START_GRACE_MS / 1000} s after start: ${this.reason}`);
  }

  /** the common part of health() */
  snapshot(path: string): BusHealth {
    return {
      kind: this.kind,
      healthy: this.state === 'up',
      state: this.state,
      reason: this.reason,
      since: this.since,
      path,
      stalls: this.stalls,
      rebuilds: this.rebuilds,
      outages: this.outages,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}

/** Rebuild delays: `initialMs`, doubling up to `maxMs`; reset once a rebuilt part has worked for a while. */
export class RebuildBackoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  next(): number {
    const ms = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return ms;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** the logger for a bus's own connections: their warnings and notices go to debug, the episode line says it once */
export function quiet(log: Logger): Logger {
  const q: Logger = {
    log: (_level, msg, fields) => log.debug(msg, fields),
    debug: (m, f) => log.debug(m, f),
    info: (m, f) => log.debug(m, f),
    warn: (m, f) => log.debug(m, f),
    error: (m, f) => log.error(m, f),
    child: (s) => quiet(log.child(s)),
  };
  return q;
}
