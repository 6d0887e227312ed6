// The load generator of the fan-out and end-to-end benchmarks: a separate process holding many WebSocket client
// connections on loopback. It speaks just enough of RFC 6455 over raw TCP to count frames cheaply (a client
// library would cost more per frame than the server under test), and reads the record's `rtms` (or `tms`) on a
// share of the connections ("probes") to measure latency. Driven by its parent over IPC:
//
//   parent → {t:'measure'}                 start a window (counters reset)
//   parent → {t:'report'}                  → {t:'report', ...figures of the window}
//   parent → {t:'pause', count}            stop reading on `count` connections (slow clients)
//   parent → {t:'resume'}                  read again (to see how the server closed them)
//   parent → {t:'churn', count}            close `count` connections and open as many new ones
//   parent → {t:'close'}                   close everything and exit
//
//   node --import tsx bench/load-client.ts --port 8080 --path /ws/exchange --clients 1000 [--probe-every 10]
//     [--formats json,msgpack] [--latency-field rtms|tms] [--track-sq] [--query snapshot=false] [--skip-types premium,candle]
//     [--shaped-query depth=5&interval=250]   (every other pair of connections adds it, both formats alike;
//     latency probes are plain clients only, conflation delays state records by design)
//     [--queries 'symbol=BTC/KRW|type=ticker&interval=1000|...']   (connection i adds the (i mod n)-th; with
//     --probe-every a multiple of n, every probe has the first)
//     [--connect-on-ask] (wait for {t:'connect'} before connecting)
//     [--role all|probes|others]   (this process holds connection ids 0..clients-1, or only the probes among them, or
//     only the others: two processes with the same arguments but the two roles hold between them what one with
//     `all` would, so the probes can run in a process of their own, at another priority)
//
// Every connection reads into one buffer shared by all (no buffer allocated per read); connections that are not
// probes only count frames and bytes (FrameCounter: nothing copied or kept). The report carries the process's event-loop delay in the window (how late
// it read), so a benchmark can tell its own lateness from the server's.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Args } from './lib/args.ts';
import { FrameCounter, FrameScanner, jsonKey, packKey, timeField } from './lib/frame-scanner.ts';
import { LoopDelay } from './lib/loop-delay.ts';
import { HIST_MS, newWindow, sqFieldsOf, SqTracker, WindowProfiler } from './lib/load-window.ts';

const args = new Args();
const PORT = args.number('port', 8080);
const PATH = args.string('path', '/ws/exchange');
const CLIENTS = args.number('clients', 10);
const PROBE_EVERY = args.number('probe-every', 10);
const FORMATS = args.string('formats', 'json,msgpack').split(',');
const FIELD = args.string('latency-field', 'rtms');
/** a second time field measured the same way (end to end: `rtms`, the gateway's share) */
const FIELD2 = args.string('second-field', '');
const TRACK_SQ = args.flag('track-sq');
const QUERY = args.string('query', 'snapshot=false');
/** `q0|q1|...`: connection i adds queries[i % n] to QUERY (mixed filters and shapes); probes take the query of their id */
const QUERIES = args.string('queries', '').split('|').filter(Boolean);
/** record types received but left out of latency and loss figures (derived records carry other times in `tms`) */
const SKIP_TYPES = args.string('skip-types', '').split(',').filter(Boolean);
const SKIP_JSON = SKIP_TYPES.map((t) => Buffer.from(`"ty":"${t}"`));
const SKIP_PACK = SKIP_TYPES.map((t) => Buffer.from([0xa2, 0x74, 0x79, 0xa0 | t.length, ...Buffer.from(t)]));
/** added to the query of every second connection (a mixed-shape run); their frames are counted apart */
const SHAPED_QUERY = args.string('shaped-query', '');
/** which of the connection ids 0..CLIENTS-1 this process holds */
const ROLE = args.string('role', 'all');
if (!['all', 'probes', 'others'].includes(ROLE)) throw new Error(`--role ${ROLE}: all, probes or others`);
/** connections opened at once while connecting */
const PARALLEL = 200;
const JSON_KEY = jsonKey(FIELD);
const PACK_KEY = packKey(FIELD);
const JSON_KEY2 = FIELD2 ? jsonKey(FIELD2) : undefined;
const PACK_KEY2 = FIELD2 ? packKey(FIELD2) : undefined;

let win = newWindow(FIELD2 !== '');
const sqTracker = new SqTracker();
const profiler = new WindowProfiler();
/** how late this process's event loop ran in the window */
const loop = new LoopDelay();
/** what the counting connections read into: consumed before the next read, so one serves them all */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

class Conn {
  socket: Socket;
  upgraded = false;
  head = '';
  closeCode = 0;
  closed = false;
  paused = false;
  readonly shaped: boolean;
  /** a probe reads its records; the other connections only count them */
  private readonly scanner: FrameScanner | undefined;
  private readonly counter: FrameCounter | undefined;
  /** the arrival time of the chunk being scanned */
  private now = 0;

  constructor(
    readonly id: number,
    readonly format: string,
    readonly probe: boolean,
    onOpen: (c: Conn) => void,
    onGone: (c: Conn) => void,
  ) {
    this.shaped = isShaped(id);
    if (probe) this.scanner = new FrameScanner((op, data, start, n) => this.frame(op, data, start, n));
    else this.counter = new FrameCounter((op, n, code) => this.counted(op, n, code));
    const query = [QUERY, this.shaped ? SHAPED_QUERY : '', QUERIES.length ? QUERIES[id % QUERIES.length]! : ''].filter((q) => q).join('&');
    // every connection reads into the one shared buffer: what arrived is scanned before the next read (a probe's
    // scanner copies a partial frame it keeps), so no buffer is allocated per read
    const s = (this.socket = connect({ port: PORT, host: '127.0.0.1', onread: { buffer: READ_BUFFER, callback: (n) => (this.read(READ_BUFFER, n), true) } }));
    s.setNoDelay(true);
    s.on('connect', () => {
      s.write(
        `GET ${PATH}?format=${this.format}${query ? `&${query}` : ''} HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    this.onOpen = onOpen;
    s.on('error', () => {});
    s.on('close', () => {
      this.closed = true;
      onGone(this);
    });
  }

  private readonly onOpen: (c: Conn) => void;

  /** what arrived: the upgrade response, then frames (`data` is the shared read buffer, valid until this returns) */
  private read(data: Buffer, n: number): void {
    if (this.upgraded) return this.frames(data, n);
    this.head += data.toString('latin1', 0, n);
    const end = this.head.indexOf('\r\n\r\n');
    if (end < 0) return;
    if (!this.head.startsWith('HTTP/1.1 101')) {
      process.send?.({ t: 'error', message: `upgrade refused: ${this.head.split('\r\n')[0]}` });
      this.socket.destroy();
      return;
    }
    this.upgraded = true;
    const rest = Buffer.from(this.head.slice(end + 4), 'latin1');
    this.head = '';
    this.onOpen(this);
    if (rest.length) this.frames(rest, rest.length);
  }

  /** counts the complete frames in what arrived; a partial one waits for the next chunk */
  frames(chunk: Buffer, n: number): void {
    if (this.counter) return this.counter.push(chunk, 0, n);
    this.now = Date.now();
    this.scanner!.push(n === chunk.length ? chunk : chunk.subarray(0, n));
  }

  /** a counting connection's frame */
  private counted(op: number, n: number, closeCode: number): void {
    if (op === 1 || op === 2) {
      win.frames++;
      if (this.shaped) win.shapedFrames++;
      win.bytes += n;
    } else if (op === 8) {
      this.closeCode = closeCode;
    }
  }

  private frame(op: number, data: Buffer, start: number, n: number): void {
    if (op === 1 || op === 2) {
      win.frames++;
      if (this.shaped) win.shapedFrames++;
      win.bytes += n;
      if (this.probe) this.measure(data, start, n, op === 2, this.now);
    } else if (op === 8) {
      this.closeCode = n >= 2 ? data.readUInt16BE(start) : 1005;
    }
  }

  measure(data: Buffer, start: number, n: number, binary: boolean, now: number): void {
    win.byFormat[binary ? 'msgpack' : 'json'] = (win.byFormat[binary ? 'msgpack' : 'json'] ?? 0) + 1;
    const end = start + n;
    if (SKIP_TYPES.length) {
      // `ty` is a record's first key: its value sits within the first few bytes
      const head = data.subarray(start, Math.min(end, start + 24));
      if ((binary ? SKIP_PACK : SKIP_JSON).some((k) => head.includes(k))) return;
    }
    const t = timeField(data, start, end, binary ? PACK_KEY : JSON_KEY, binary);
    if (!(t > 0)) return;
    const ms = Math.max(0, now - t);
    win.hist[Math.min(HIST_MS, Math.round(ms))]!++;
    win.latencies++;
    if (ms > win.maxMs) win.maxMs = ms;
    if (JSON_KEY2 && PACK_KEY2) {
      const t2 = timeField(data, start, end, binary ? PACK_KEY2 : JSON_KEY2, binary);
      if (t2 > 0) win.hist2[Math.min(HIST_MS, Math.round(Math.max(0, now - t2)))]!++;
    }
    // end-to-end runs: records missing between consecutive sq of a key within an epoch (JSON probes)
    if (TRACK_SQ && !binary) sqTracker.see(this.id, sqFieldsOf(data, start, end), win);
  }
}

/** connections 2, 3, 6, 7, ...: half of them, as many JSON as msgpack */
function isShaped(id: number): boolean {
  return SHAPED_QUERY !== '' && ((id >> 1) & 1) === 1;
}

const isProbe = (id: number): boolean => id % PROBE_EVERY === 0 && !isShaped(id);

/** how many of the ids 0..n-1 this process holds */
function held(n: number): number {
  let k = 0;
  for (let id = 0; id < n; id++) if (ROLE === 'all' || isProbe(id) === (ROLE === 'probes')) k++;
  return k;
}

const conns = new Set<Conn>();
let nextId = 0;
let opened = 0;

function open(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    let id = nextId++;
    while (ROLE !== 'all' && isProbe(id) !== (ROLE === 'probes')) id = nextId++;
    const c = new Conn(id, FORMATS[id % FORMATS.length]!, isProbe(id), (x) => {
      opened++;
      resolve(x);
    }, (x) => {
      conns.delete(x);
      reject(new Error('closed before open'));
    });
    conns.add(c);
  });
}

async function openMany(n: number): Promise<void> {
  let left = n;
  const worker = async () => {
    while (left > 0) {
      left--;
      await open().catch((err: Error) => process.send?.({ t: 'error', message: err.message }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, n) }, worker));
}

function report() {
  const elapsedMs = Date.now() - win.startedMs;
  const cpu = process.cpuUsage(win.cpu);
  const codes: Record<string, number> = {};
  let open = 0;
  for (const c of conns) {
    if (!c.closed) open++;
    if (c.closeCode) codes[c.closeCode] = (codes[c.closeCode] ?? 0) + 1;
  }
  return {
    t: 'report',
    elapsedMs,
    frames: win.frames,
    shapedFrames: win.shapedFrames,
    bytes: win.bytes,
    byFormat: win.byFormat,
    latencies: win.latencies,
    hist: Array.from(win.hist),
    hist2: Array.from(win.hist2),
    maxMs: win.maxMs,
    lost: win.lost,
    repeated: win.repeated,
    cpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
    open,
    closeCodes: codes,
    rssBytes: process.memoryUsage().rss,
    /** this process's event-loop delay in the window, ms (how late it read what arrived) */
    loopDelayMs: loop.read(),
    pid: process.pid,
  };
}

process.on('message', (msg: { t: string; count?: number }) => {
  if (msg.t === 'measure') {
    win = newWindow(FIELD2 !== '');
    loop.start();
    void profiler.start();
  } else if (msg.t === 'report') {
    process.send?.(report());
    void profiler.stop();
  }
  else if (msg.t === 'pause') {
    // the slow ones: spread over the list, never a probe
    let left = msg.count ?? 0;
    for (const c of conns) {
      if (left <= 0) break;
      if (c.probe || c.paused) continue;
      c.paused = true;
      c.socket.pause();
      left--;
    }
    process.send?.({ t: 'paused' });
  } else if (msg.t === 'resume') {
    for (const c of conns) if (c.paused) c.socket.resume();
    process.send?.({ t: 'resumed' });
  } else if (msg.t === 'churn') {
    const victims = [...conns].filter((c) => !c.paused).slice(0, msg.count ?? 0);
    for (const c of victims) {
      conns.delete(c);
      c.socket.end(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8])); // masked close 1000
      c.socket.destroySoon();
    }
    void openMany(victims.length).then(() => process.send?.({ t: 'churned', count: victims.length }));
  } else if (msg.t === 'close') {
    for (const c of conns) c.socket.destroy();
    process.exit(0);
  }
});

/** `--connect-on-ask`: connect when the parent sends {t:'connect'} (so that processes can take turns), not at once */
if (args.flag('connect-on-ask')) await new Promise<void>((resolve) => process.on('message', (m: { t: string }) => m.t === 'connect' && resolve()));
await openMany(held(CLIENTS));
process.send?.({ t: 'ready', open: opened });
