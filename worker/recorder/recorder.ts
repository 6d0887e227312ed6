// Records every raw frame and REST answer one exchange worker receives to rotating gzip JSONL parts
// (sdk/fixture/format.ts), with retention. Runs in the recorder's thread (worker/recorder/thread.ts): each line
// is formatted and appended to the turn's list; compression runs on libuv's thread pool, writing is asynchronous. What waits for the disk is bounded in bytes:
// beyond it lines are dropped from the recording (counted, logged once per episode), never from the live stream.

import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { constants, createGzip } from 'node:zlib';
import type { Gzip } from 'node:zlib';
import type { PluginConfig } from '../../sdk/plugin.ts';
import { FORMAT_VERSION, frameLine } from '../../sdk/fixture/format.ts';
import type { RecordTap } from '../../sdk/fixture/format.ts';
import type { RecorderStats, RecordOptions } from '../../boundary/worker-protocol.ts';
import { deleteOldParts, partPath } from './parts.ts';

/** after a write error, how long until a new part is tried */
const RETRY_MS = 2000;

interface Part {
  path: string;
  gzip: Gzip;
  file: WriteStream;
  failed: boolean;
  /** bytes handed to gzip whose processing has not finished (the disk's backlog) */
  queued: number;
  /** lines in `queued` */
  queuedLines: number;
}

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export class Recorder implements RecordTap {
  readonly stats: RecorderStats = { file: '', state: 'recording', lines: 0, frames: 0, bytes: 0, dropped: 0, errors: 0, parts: 0, deleted: 0, queuedBytes: 0 };
  private readonly session = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  private readonly folder: string;
  private part = 0;
  private out: Part | undefined;
  private turn: string[] = [];
  private turnBytes = 0;
  private turnScheduled = false;
  /** open connections, re-declared at the head of every new part */
  private readonly conns = new Map<number, { plan: string; url: string; ep: number; begun?: number }>();
  /** an episode of dropping: why, and how many lines so far */
  private episode: { failed: boolean; dropped: number } | undefined;
  private rotateTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private flushTimer: ReturnType<typeof setInterval> | undefined;
  private closing: Promise<void> | undefined;

  /** `startedAt`: when recording began for the worker (the first part's start time) */
  constructor(
    private readonly opts: RecordOptions,
    private readonly exchange: string,
    private config: PluginConfig,
    private readonly log: Log,
    private startedAt = Date.now(),
  ) {
    this.folder = join(opts.dir, exchange);
  }

  start(): void {
    try {
      mkdirSync(this.folder, { recursive: true });
    } catch (err) {
      this.stats.errors++;
      this.log('error', `recording: cannot create ${this.folder}: ${(err as Error).message}`);
    }
    this.openPart();
    this.scheduleRotation();
    this.flushTimer = setInterval(() => this.flush(), this.opts.flushMs);
    this.retain();
  }

  // ---- the tap: called by the worker's links and feeds --------------------------------------------------------

  // `at`: when the worker saw the event (the thread may see it later)
  open(conn: number, plan: string, url: string, ep: number, at = Date.now()): void {
    this.conns.set(conn, { plan, url, ep });
    this.control(JSON.stringify({ rtms: at, conn, open: { plan, url, ep } }));
  }

  begin(conn: number, ep: number, at = Date.now()): void {
    const c = this.conns.get(conn);
    if (c) c.begun = ep;
    this.control(JSON.stringify({ rtms: at, conn, begin: { ep } }));
  }

  frame(conn: number, rtms: number, text: string): void {
    this.stats.frames++;
    this.enqueue(frameLine(conn, rtms, text), false);
  }

  response(conn: number, rtms: number, tag: string, status: number, body: string): void {
    this.enqueue(`${JSON.stringify({ rtms, conn, response: { tag, status, body } })}\n`, false);
  }

  closed(conn: number, code: number, reason: string, at = Date.now()): void {
    this.conns.delete(conn);
    this.control(JSON.stringify({ rtms: at, conn, close: { code, reason } }));
  }

  /** the worker dropped `dropped` lines before they reached this thread: counted, and marked in the file */
  gap(dropped: number, at = Date.now()): void {
    this.stats.dropped += dropped;
    this.control(JSON.stringify({ rtms: at, gap: { dropped } }));
  }

  /** subscriptions changed live: later connections use this configuration */
  setConfig(config: PluginConfig, at = Date.now()): void {
    this.config = config;
    this.control(JSON.stringify({ rtms: at, config }));
  }

  // ---- writing ------------------------------------------------------------------------------------------------

  /** connection and config lines: tiny, and replay needs them, so they pass the byte bound */
  private control(json: string): void {
    this.enqueue(`${json}\n`, true);
  }

  private enqueue(line: string, force: boolean): void {
    const out = this.out;
    if (!out || out.failed || (!force && out.queued + this.turnBytes + line.length > this.opts.maxBufferBytes)) {
      this.drop();
      return;
    }
    if (this.episode && !this.episode.failed) this.endEpisode();
    this.turn.push(line);
    this.turnBytes += line.length;
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(() => this.writeTurn());
    }
  }

  private drop(): void {
    this.stats.dropped++;
    if (this.episode) {
      this.episode.dropped++;
      return;
    }
    this.episode = { failed: false, dropped: 1 };
    this.stats.state = 'dropping';
    this.log('warn', `recording: the disk does not keep up (over ${this.opts.maxBufferBytes} bytes waiting): dropping frames from the recording, not from the live stream`);
  }

  private endEpisode(): void {
    const e = this.episode!;
    this.episode = undefined;
    this.stats.state = 'recording';
    this.log('info', `recording resumed after dropping ${e.dropped} lines`);
    // a marker where the recording has a hole: replay counts it
    this.turn.push(`${JSON.stringify({ rtms: Date.now(), gap: { dropped: e.dropped } })}\n`);
  }

  /** the turn's lines leave as one chunk */
  private writeTurn(): void {
    this.turnScheduled = false;
    const out = this.out;
    if (this.turn.length === 0) return;
    const lines = this.turn.length;
    const chunk = this.turn.join('');
    const bytes = this.turnBytes;
    this.turn = [];
    this.turnBytes = 0;
    if (!out || out.failed) {
      this.stats.dropped += lines;
      return;
    }
    out.queued += bytes;
    out.queuedLines += lines;
    this.stats.lines += lines;
    this.stats.bytes += bytes;
    out.gzip.write(chunk, () => {
      out.queued -= bytes;
      out.queuedLines -= lines;
    });
  }

  /** every flushMs: what is compressed reaches the file, so a part being written (or cut by a crash) replays */
  private flush(): void {
    this.writeTurn();
    const out = this.out;
    this.stats.queuedBytes = out?.queued ?? 0;
    if (!out || out.failed) return;
    out.gzip.flush(constants.Z_SYNC_FLUSH);
    if (this.episode?.failed && out.file.bytesWritten > 0) {
      this.episode.failed = false;
      this.endEpisode();
    }
  }

  private openPart(): void {
    const started = this.part === 0 ? Math.min(this.startedAt, Date.now()) : Date.now();
    this.part++;
    const path = partPath(this.folder, this.exchange, started, this.session, this.part);
    const gzip = createGzip();
    const file = createWriteStream(path, { flags: 'wx' });
    const part: Part = { path, gzip, file, failed: false, queued: 0, queuedLines: 0 };
    gzip.pipe(file);
    file.on('error', (err) => this.fail(part, err));
    gzip.on('error', (err) => this.fail(part, err));
    this.out = part;
    this.stats.file = path;
    this.stats.parts++;
    const header = { exchange: this.exchange, config: this.config, recording: { version: FORMAT_VERSION, session: this.session, part: this.part, started } };
    this.control(JSON.stringify(header));
    // a part replays on its own: it re-declares the connections open at its start
    for (const [conn, c] of this.conns) {
      this.control(JSON.stringify({ rtms: started, conn, open: { plan: c.plan, url: c.url, ep: c.ep }, carried: true }));
      if (c.begun !== undefined) this.control(JSON.stringify({ rtms: started, conn, begin: { ep: c.begun }, carried: true }));
    }
  }

  private fail(part: Part, err: Error): void {
    if (part.failed) return;
    part.failed = true;
    this.stats.errors++;
    this.stats.dropped += part.queuedLines;
    part.gzip.unpipe();
    part.gzip.destroy();
    part.file.destroy();
    if (part !== this.out || this.closing) return;
    this.out = undefined;
    this.stats.state = 'failed';
    if (!this.episode || !this.episode.failed) {
      const dropped = this.episode?.dropped ?? 0;
      this.episode = { failed: true, dropped: dropped + part.queuedLines };
      this.log('error', `recording: cannot write ${part.path} (${(err as NodeJS.ErrnoException).code ?? err.message}): dropping frames from the recording, not from the live stream; retrying every ${RETRY_MS / 1000} s`);
    } else this.episode.dropped += part.queuedLines;
    this.retryTimer = setTimeout(() => {
      if (this.closing) return;
      this.retain();
      this.openPart();
    }, RETRY_MS);
  }

  private scheduleRotation(): void {
    const every = Math.max(1000, Math.round(this.opts.rotateMinutes * 60_000));
    this.rotateTimer = setTimeout(() => {
      this.rotate();
      this.scheduleRotation();
    }, every - (Date.now() % every));
  }

  private rotate(): void {
    const old = this.out;
    if (!old || old.failed) return; // the retry opens the next part
    this.writeTurn();
    this.openPart();
    old.gzip.end();
    this.retain();
  }

  /** deletes this exchange's parts last written more than keepHours ago (0 = keep everything) */
  private retain(): void {
    this.stats.deleted += deleteOldParts(this.folder, this.opts.keepHours, this.out?.path);
  }

  /** writes what is queued and closes the part; idempotent */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.rotateTimer);
      clearTimeout(this.retryTimer);
      clearInterval(this.flushTimer);
      this.writeTurn();
      this.stats.state = 'closed';
      const out = this.out;
      if (!out || out.failed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        out.file.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        out.gzip.end();
      });
    })();
    return this.closing;
  }
}
