// The messages between the main thread and an exchange worker: a handful of named types, nothing else.

import type { RecordBatch } from './batch.ts';
import type { SerializedError } from '../sdk/errors.ts';
import type { PluginConfig } from '../sdk/plugin.ts';
import type { PrivateAccountInit } from '../sdk/private.ts';

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  resetAfterMs: number;
}

/** A whole-universe selection (config `symbols: all` or `{quote: [...]}`, SPEC §7). */
export type MarketSelect = 'all' | { quote: string[] };

/** What the worker is started with (`workerData`). */
export interface WorkerInit {
  plugin: PluginConfig;
  /** no frame, ping or pong for this long: the connection is replaced */
  stallTimeoutMs: number;
  /** roll connections over before this age (0 = the plugin's published maximum, if any, less a margin) */
  maxConnectionAgeMs: number;
  /** how much nicer than the main thread this worker thread runs (worker/priority.ts); absent = as the main thread */
  nice?: number;
  /** folder holding plugins/<id>/index.ts (tests point it at their own plugins) */
  pluginsDir: string;
  reconnect: ReconnectPolicy;
  /** how often the worker reports connection statistics */
  statsIntervalMs: number;
  /** record raw frames and REST answers (docs/replay.md); absent = off */
  record?: RecordOptions;
  /** this exchange's private accounts, with their keys (kernel/private/accounts.ts) */
  private?: PrivateAccountInit[];
  /** `symbols: all` / `{quote}`: the worker reads the market list and reports it; absent = the configured list */
  markets?: { select: MarketSelect; refreshMs: number };
}

/** The worker's recorder settings (config `record:`, with `dir` made absolute). */
export interface RecordOptions {
  dir: string;
  rotateMinutes: number;
  keepHours: number;
  /** bytes waiting for the disk beyond which lines are dropped from the recording */
  maxBufferBytes: number;
  /** how often compressed data is flushed to the file */
  flushMs: number;
}

/** The recorder's figures, reported with the connection statistics. */
export interface RecorderStats {
  /** the part being written */
  file: string;
  state: 'recording' | 'dropping' | 'failed' | 'closed';
  /** lines written (frames, answers, connection events) */
  lines: number;
  frames: number;
  /** uncompressed bytes written */
  bytes: number;
  /** lines dropped from the recording (disk too slow or failing) */
  dropped: number;
  /** write errors */
  errors: number;
  parts: number;
  /** parts deleted by retention */
  deleted: number;
  queuedBytes: number;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** Figures for one exchange connection, as reported by its worker. */
export interface ConnectionStats {
  name: string;
  url: string;
  state: ConnectionState;
  /** current epoch (0 before the first open) */
  ep: number;
  connectedAt: number;
  /** last data frame from the exchange */
  lastMessageAt: number;
  /** last frame, ping or pong from the exchange: what liveness is judged by */
  lastHeardAt: number;
  messages: number;
  bytes: number;
  records: number;
  reconnects: number;
  /** planned replacements (maximum age, exchange shutdown notice, subscription change) */
  rollovers: number;
  /** records dropped as repeats across a connection switch */
  duplicates: number;
  /** errors by code: BAD_FRAME, EXCHANGE_ERROR, SOCKET, HTTP, ... */
  errors: Record<string, number>;
  subscriptions: number;
  /** how the last producing connection ended (absent before the first close): what status reasons are made of */
  lastClose?: { at: number; code: number; reason: string; wasOpen: boolean; httpStatus?: number; stalled?: boolean };
}

/** A key whose last published record no longer holds (a book gap, a reconnect): the main thread tells clients. */
export interface Invalidation {
  key: string;
  ex: string;
  ty: string;
  cd: string;
  /** when the worker knew, ms */
  tms: number;
}

export type FromWorker =
  | { t: 'ready' }
  /** the selected markets (whole-universe selection): all of them, and what changed since the last list */
  | { t: 'markets'; symbols: string[]; listed: string[]; delisted: string[]; first: boolean }
  | { t: 'batch'; batch: RecordBatch }
  /** `heapUsed`: the worker's own V8 heap in use, bytes (optional: older workers do not send it) */
  | { t: 'stats'; connections: ConnectionStats[]; private?: ConnectionStats[]; recording?: RecorderStats; heapUsed?: number }
  /** posted after every batch holding records from before it */
  | { t: 'invalidate'; keys: Invalidation[] }
  /** private records (myOrder, myAsset): kept apart from the public batches, never on the public bus */
  | { t: 'private'; batch: RecordBatch }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }
  | { t: 'fatal'; error: SerializedError }
  | { t: 'closed' };

export type ToWorker =
  | { t: 'close' }
  /** new subscriptions for this exchange: changed connections roll over, others are untouched */
  | { t: 'update'; plugin: PluginConfig };
