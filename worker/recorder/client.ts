// The exchange worker's side of recording: each turn's frames, REST answers and connection events go to the
// recorder thread (worker/recorder/thread.ts) in one postMessage, so the worker spends no time escaping,
// compressing or writing. What the thread has not yet taken is bounded in bytes: beyond it lines are dropped from the
// recording (counted, logged once per episode, marked by a gap line), never from the live stream.

import { Worker } from 'node:worker_threads';
import type { PluginConfig } from '../../sdk/plugin.ts';
import type { RecordTap } from '../../sdk/fixture/format.ts';
import type { RecorderStats, RecordOptions } from '../../boundary/worker-protocol.ts';
import type { FromRecorder, RecordItem, RecorderInit, ToRecorder } from './thread.ts';

// Deno runs TypeScript in workers natively; Node needs the tsx loader registered inside the thread first.
const THREAD_URL = 'Deno' in globalThis ? new URL('./thread.ts', import.meta.url) : new URL('./boot.mjs', import.meta.url);
/** per-line room for the JSON around a frame's text */
const LINE_OVERHEAD = 48;

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export class RecordClient implements RecordTap {
  private thread: Worker | undefined;
  private texts: string[] = [];
  private meta: number[] = [];
  private others: RecordItem[] = [];
  private bytes = 0;
  private scheduled = false;
  /** bytes posted that the thread has not acknowledged */
  private inflight = 0;
  /** lines dropped here and not yet reported to the thread as a gap */
  private pendingDrops = 0;
  private dropping = false;
  private dead = false;
  private last: RecorderStats = { file: '', state: 'recording', lines: 0, frames: 0, bytes: 0, dropped: 0, errors: 0, parts: 0, deleted: 0, queuedBytes: 0 };
  private closing: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;

  constructor(
    private readonly opts: RecordOptions,
    private readonly exchange: string,
    private readonly config: PluginConfig,
    private readonly log: Log,
  ) {}

  start(): void {
    const init: RecorderInit = { opts: this.opts, exchange: this.exchange, config: this.config, startedAt: Date.now() };
    const thread = (this.thread = new Worker(THREAD_URL, { workerData: init, name: `recorder-${this.exchange}` }));
    thread.on('message', (m: FromRecorder) => {
      if (m.t === 'ack') {
        this.inflight -= m.bytes;
        this.last = m.stats;
      } else if (m.t === 'log') this.log(m.level, m.msg);
      else {
        this.last = m.stats;
        this.onClosed?.();
      }
    });
    thread.on('error', (err) => {
      this.dead = true;
      this.log('error', `recording: the recorder thread failed (${err.message}): dropping frames from the recording, not from the live stream`);
    });
    thread.on('exit', () => {
      this.dead = true;
      this.onClosed?.();
    });
  }

  /** the figures: the thread's, plus what was dropped here since its last report */
  get stats(): RecorderStats {
    const s = { ...this.last, dropped: this.last.dropped + this.pendingDrops, queuedBytes: this.last.queuedBytes + Math.max(0, this.inflight) };
    if (this.closing) s.state = 'closed';
    else if (this.dead) s.state = 'failed';
    else if (this.dropping) s.state = 'dropping';
    return s;
  }

  open(conn: number, plan: string, url: string, ep: number): void {
    this.other([2, conn, plan, url, ep, Date.now()], 0, true);
  }

  begin(conn: number, ep: number): void {
    this.other([3, conn, ep, Date.now()], 0, true);
  }

  /** the hot path: two pushes */
  frame(conn: number, rtms: number, text: string): void {
    const size = text.length + LINE_OVERHEAD;
    if (!this.accept(size, false)) return;
    this.texts.push(text);
    this.meta.push(0, conn, rtms, text.length);
  }

  response(conn: number, rtms: number, tag: string, status: number, body: string): void {
    this.other([1, conn, rtms, tag, status, body], body.length + tag.length + LINE_OVERHEAD, false);
  }

  closed(conn: number, code: number, reason: string): void {
    this.other([4, conn, code, reason, Date.now()], 0, true);
  }

  setConfig(config: PluginConfig): void {
    this.other([5, config, Date.now()], 0, true);
  }

  private other(item: RecordItem, size: number, force: boolean): void {
    if (!this.accept(size, force)) return;
    this.meta.push(1, this.others.length, 0, 0);
    this.others.push(item);
  }

  /** room for `size` more bytes? Connection events and config changes are tiny and replay needs them: they pass */
  private accept(size: number, force: boolean): boolean {
    if (this.dead || this.closing || (!force && this.inflight + this.bytes + size > this.opts.maxBufferBytes)) {
      this.pendingDrops++;
      if (!this.dropping && !this.dead) {
        this.dropping = true;
        this.log('warn', `recording: the recorder does not keep up (over ${this.opts.maxBufferBytes} bytes waiting): dropping frames from the recording, not from the live stream`);
      }
      return false;
    }
    if (this.pendingDrops) {
      const dropped = this.pendingDrops;
      this.pendingDrops = 0;
      this.dropping = false;
      this.meta.push(1, this.others.length, 0, 0);
      this.others.push([6, dropped, Date.now()]);
      this.log('info', `recording resumed after dropping ${dropped} lines`);
    }
    this.bytes += size;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.meta.length === 0 || !this.thread) return;
    const meta = Float64Array.from(this.meta);
    const msg: ToRecorder = { t: 'items', texts: this.texts.join(''), meta, others: this.others, bytes: this.bytes };
    this.inflight += this.bytes;
    this.texts = [];
    this.meta = [];
    this.others = [];
    this.bytes = 0;
    try {
      this.thread.postMessage(msg, [meta.buffer as ArrayBuffer]);
    } catch {
      this.dead = true;
    }
  }

  /** hands over what is left, lets the thread close its part, then ends it; idempotent */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const thread = this.thread;
      if (!thread || this.dead) return;
      this.flush();
      const done = new Promise<void>((resolve) => (this.onClosed = resolve));
      thread.postMessage({ t: 'close' } satisfies ToRecorder);
      const timer = setTimeout(() => this.onClosed?.(), 3000);
      await done;
      clearTimeout(timer);
      await thread.terminate();
    })();
    return this.closing;
  }
}
