// Runs one exchange's worker thread: start-up handshake with a timeout, restart with backoff after a crash,
// no restart loop for a worker that fails during start-up, orderly close.

import { Worker } from 'node:worker_threads';
import type { RecordBatch } from '../boundary/batch.ts';
import { GatewayError } from '../sdk/errors.ts';
import type { SerializedError } from '../sdk/errors.ts';
import type { Logger } from './log.ts';
import type { ConnectionStats, FromWorker, Invalidation, RecorderStats, ReconnectPolicy, ToWorker, WorkerInit } from '../boundary/worker-protocol.ts';
import { Backoff } from '../worker/backoff.ts';
import { ConnectionTracker } from './health.ts';

// Deno runs TypeScript in workers natively; Node needs the tsx loader registered inside the thread first.
const WORKER_URL =
  'Deno' in globalThis ? new URL('../worker/exchange.ts', import.meta.url) : new URL('../worker/boot.mjs', import.meta.url);

export type SupervisorState = 'starting' | 'running' | 'restarting' | 'failed' | 'closed';

export interface SupervisorOptions {
  init: WorkerInit;
  log: Logger;
  onBatch(batch: RecordBatch): void;
  /** keys whose last record no longer holds (book gaps, reconnects) */
  onInvalidate?(keys: Invalidation[]): void;
  /** a connection report arrived (on every open and close, and periodically) */
  onStats?(): void;
  /** private records (myOrder, myAsset) of this exchange's accounts: never to onBatch */
  onPrivate?(batch: RecordBatch): void;
  /** the worker read the exchange's market list (whole-universe selection, SPEC §7) */
  onMarkets?(change: Extract<FromWorker, { t: 'markets' }>): void;
  /** called after a crash, before the restart is scheduled */
  onCrash?(error: SerializedError): void;
  startTimeoutMs?: number;
  /** restarts after a crash: 500 ms doubling up to 30 s, reset after 60 s of running (tests pass shorter ones) */
  restart?: ReconnectPolicy;
}

const RESTART_POLICY: ReconnectPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, resetAfterMs: 60_000 };

export class ExchangeSupervisor {
  state: SupervisorState = 'starting';
  connections: ConnectionStats[] = [];
  /** the worker's recorder, when recording is on (a restarted worker starts its own counts) */
  recording: RecorderStats | undefined;
  /** recorder counts of workers that have since been restarted */
  readonly recordingBefore = { lines: 0, dropped: 0, errors: 0, bytes: 0 };
  /** the private (per-account) connections, reported apart: they do not count towards the exchange's health */
  privateConnections: ConnectionStats[] = [];
  restarts = 0;
  /** the worker's V8 heap in use (bytes), from its latest stats report */
  workerHeapUsed = 0;
  /** when the worker last reported its connections (ms) */
  reportedAt = 0;
  lastError: SerializedError | undefined;
  readonly tracker = new ConnectionTracker();
  private worker: Worker | undefined;
  private readonly backoff: Backoff;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private healthyTimer: ReturnType<typeof setTimeout> | undefined;
  private closing: Promise<void> | undefined;
  private exited = true;

  constructor(private readonly opts: SupervisorOptions) {
    this.backoff = new Backoff(opts.restart ?? RESTART_POLICY);
  }

  get id(): string {
    return this.opts.init.plugin.id;
  }

  /** Starts the worker; resolves once it has loaded its plugin, rejects if that fails (no restart then). */
  start(): Promise<void> {
    return this.spawn();
  }

  private spawn(): Promise<void> {
    const { log } = this.opts;
    const worker = new Worker(WORKER_URL, { workerData: this.opts.init, name: `exchange-${this.id}` });
    this.worker = worker;
    this.exited = false;
    let ready = false;
    return new Promise<void>((resolve, reject) => {
      const fail = (error: SerializedError) => {
        clearTimeout(startTimer);
        this.lastError = error;
        this.state = 'failed';
        log.error(`worker failed during start-up, not restarting: ${error.message}`, { code: error.code });
        void worker.terminate();
        reject(new GatewayError(error.code as never, `exchange ${this.id}: ${error.message}`));
      };
      const startTimer = setTimeout(
        () => fail({ code: 'WORKER_START_TIMEOUT', message: `no ready message within ${this.opts.startTimeoutMs ?? 15_000} ms` }),
        this.opts.startTimeoutMs ?? 15_000,
      );
      worker.on('message', (msg: FromWorker) => {
        switch (msg.t) {
          case 'batch':
            this.opts.onBatch(msg.batch);
            break;
          case 'invalidate':
            this.opts.onInvalidate?.(msg.keys);
            break;
          case 'private':
            this.opts.onPrivate?.(msg.batch);
            break;
          case 'markets':
            this.opts.onMarkets?.(msg);
            break;
          case 'stats':
            this.connections = msg.connections;
            this.reportedAt = Date.now();
            if (msg.private) this.privateConnections = msg.private;
            this.tracker.update(msg.connections);
            if (msg.heapUsed !== undefined) this.workerHeapUsed = msg.heapUsed;
            if (msg.recording) this.recording = msg.recording;
            this.opts.onStats?.();
            break;
          case 'log':
            log.log(msg.level, msg.msg, msg.fields);
            break;
          case 'ready':
            ready = true;
            clearTimeout(startTimer);
            this.state = 'running';
            this.healthyTimer = setTimeout(() => this.backoff.reset(), (this.opts.restart ?? RESTART_POLICY).resetAfterMs);
            resolve();
            break;
          case 'fatal':
            if (!ready) fail(msg.error);
            else this.lastError = msg.error;
            break;
          case 'closed':
            void worker.terminate();
            break;
        }
      });
      worker.on('error', (err) => {
        this.lastError = { code: 'WORKER_CRASHED', message: err.message, stack: err.stack };
        log.error(`worker crashed: ${err.message}`, { stack: err.stack });
      });
      worker.on('exit', (code) => {
        if (worker === this.worker) this.exited = true;
        clearTimeout(startTimer);
        clearTimeout(this.healthyTimer);
        if (worker !== this.worker || this.closing || this.state === 'failed') return;
        if (!ready) {
          fail(this.lastError ?? { code: 'WORKER_CRASHED', message: `worker exited with code ${code} during start-up` });
          return;
        }
        this.onCrash(code);
      });
    });
  }

  private onCrash(exitCode: number): void {
    const error = this.lastError ?? { code: 'WORKER_CRASHED', message: `worker exited with code ${exitCode}` };
    this.opts.onCrash?.(error);
    if (this.recording) {
      for (const k of ['lines', 'dropped', 'errors', 'bytes'] as const) this.recordingBefore[k] += this.recording[k];
      this.recording = undefined;
    }
    this.connections = this.connections.map((c) => ({ ...c, state: 'closed' }));
    this.state = 'restarting';
    this.restarts++;
    const delay = this.backoff.next();
    this.opts.log.warn(`worker stopped (exit ${exitCode}); restarting in ${delay} ms`, { cause: error.message });
    this.restartTimer = setTimeout(() => {
      this.spawn().catch(() => {
        /* logged in spawn; state is failed */
      });
    }, delay);
  }

  /** New subscriptions: the running worker applies them live, and a restarted worker starts with them. */
  update(plugin: WorkerInit['plugin']): void {
    this.opts.init.plugin = plugin;
    try {
      this.worker?.postMessage({ t: 'update', plugin } satisfies ToWorker);
    } catch {
      /* the worker is gone; the restart uses the new config */
    }
  }

  /** Asks the worker to close its sockets and waits up to `deadlineMs`, then terminates it. Idempotent. */
  close(deadlineMs = 3000): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.restartTimer);
      clearTimeout(this.healthyTimer);
      const worker = this.worker;
      this.state = 'closed';
      if (!worker || this.exited) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      try {
        worker.postMessage({ t: 'close' } satisfies ToWorker);
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => void worker.terminate(), deadlineMs);
      await exited;
      clearTimeout(timer);
    })();
    return this.closing;
  }
}
