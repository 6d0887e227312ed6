// The public shape of a simulated exchange: start options, the handle tests and the CLI drive it with, and the
// definition a plugin folder exports from its sim.ts (`defineSim`, sim/define.ts).


/** an account a simulated private endpoint accepts (Upbit, Bithumb: JWTs signed with its secret) */
export interface SimAccount {
  accessKey: string;
  secretKey: string;
}

import type { Activity } from './market-set.ts';

export interface SimOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: a random free port */
  port?: number;
  /** seeds every market's random walk; default 1 */
  seed?: number;
  /** market step period; each step makes trades, book diffs and (per exchange) tickers. Default 100 */
  intervalMs?: number;
  /** trades per market per step (0-400); default 1 */
  tradesPerStep?: number;
  /**
   * 'uniform' (default): every market steps every interval. 'skewed': a market steps in proportion to its 24 h
   * turnover (sim/market-set.ts), so a few majors carry most of the flow, as on a real exchange.
   */
  activity?: Activity;
  /**
   * with skewed activity, how much busier than an average day (sim/market-set.ts `stepEvery`): every market with at
   * least 1/peak of BTC's turnover steps every interval, the long tail `peak` times as often. Default 1
   */
  peak?: number;
  /** server-initiated WebSocket ping period; 0 disables. Default 20000 for Binance, off elsewhere */
  pingIntervalMs?: number;
  /** close a client that sent nothing (not even a ping) for this long; 0 disables. Default 120000 for Upbit/Bithumb v1 */
  idleTimeoutMs?: number;
  /** accounts a simulator with private endpoints accepts; the others ignore it */
  accounts?: SimAccount[];
}

/**
 * A running simulator. Fault switches are methods here so more can be added (malformed frames, shutdown notices)
 * without changing how simulators are started.
 */
export interface SimHandle {
  /** WebSocket URL as a plugin's `url` expects it (Binance: the base, without /stream or /ws) */
  readonly url: string;
  /** http://host:port */
  readonly restUrl: string;
  readonly port: number;
  /** client sockets open now (a socket being closed no longer counts) */
  connections(): number;
  /** client sockets accepted since start */
  totalConnections(): number;
  /** every text message clients sent, in arrival order (binary ones decoded as UTF-8) */
  received(): string[];
  /** terminate every client socket without a close frame */
  dropAll(): void;
  /** close every client socket with a close frame */
  closeAll(code?: number, reason?: string): void;
  /** while on, nothing is sent (no data, answers, pings or pongs) but sockets stay open and markets move on */
  stall(on: boolean): void;
  /**
   * answer WebSocket upgrades with this HTTP status (e.g. 429 with Retry-After) until called with null, or, with
   * `count`, for the next `count` upgrades only (then they are accepted again)
   */
  rejectUpgrades(status: number | null, retryAfterS?: number, count?: number): void;
  /** every WebSocket upgrade request since start: when it arrived (ms) and the status it got (101 = accepted) */
  upgrades(): { atMs: number; status: number }[];
  /** Binance, Bybit: leave out the depth diffs of the next `steps` market steps, an update-id gap */
  skipDepthDiffs?(steps: number): void;
  /**
   * list BASE/QUOTE at run time: it appears (last, listed now) in the REST market list and can be subscribed; every
   * simulator whose plugin has a market list has it (sim/universe.ts keeps the state)
   */
  listMarket?(symbol: string): void;
  /** delist BASE/QUOTE at run time: it leaves the REST market list and its streams stop */
  delistMarket?(symbol: string): void;
  /** send one raw frame to every client, e.g. a malformed one */
  sendRaw(frame: string, binary?: boolean): void;
  /** checksummed books: the next book message carries a wrong checksum */
  corruptChecksum?(): void;
  /** idempotent: terminates clients, closes the server and clears every timer */
  close(): Promise<void>;
}

/**
 * What `plugins/<id>/sim.ts` default-exports (one, or an array when the exchange has two APIs): how to start the
 * simulator, and the config section (`exchanges.<id>`) that points the plugin at a running one.
 */
export interface SimDefinition<H extends SimHandle = SimHandle> {
  /** 'okx'; a second API of the same exchange gets a name of its own, e.g. 'bithumb-legacy' */
  readonly name: string;
  start(options: SimOptions): Promise<H>;
  /**
   * The plugin's config section for this running simulator: `url`, `restUrl`, options such as `api: legacy`, and
   * `symbols`: two or more markets it serves, which the generic tests and the demo subscribe to.
   */
  config(handle: H): Record<string, unknown>;
}

/** A simulator found in a plugin folder: its definition and the plugin (config section) it serves. */
export interface DiscoveredSim extends SimDefinition {
  /** the plugin folder's id: `exchanges.<exchange>` is where config(handle) goes */
  readonly exchange: string;
  /** the plugins/<id>/sim.ts it came from */
  readonly file: string;
}
