// The load client's measuring window: counters, latency histograms and loss by sq, reset by `measure` and read by
// `report`; and the optional CPU profile of the window (LOAD_CLIENT_PROF_DIR).

import { writeFile } from 'node:fs/promises';

/** latencies above this many ms land in the last bucket */
export const HIST_MS = 10_000;

export interface Window {
  startedMs: number;
  cpu: NodeJS.CpuUsage;
  frames: number;
  /** of which to connections with the shaped query */
  shapedFrames: number;
  bytes: number;
  byFormat: Record<string, number>;
  hist: Uint32Array;
  /** the second field's latencies */
  hist2: Uint32Array;
  latencies: number;
  /** records missing by sq (end-to-end runs) */
  lost: number;
  /** records whose sq did not advance */
  repeated: number;
  maxMs: number;
}

export const newWindow = (secondField: boolean): Window => ({
  startedMs: Date.now(),
  cpu: process.cpuUsage(),
  frames: 0,
  shapedFrames: 0,
  bytes: 0,
  byFormat: {},
  hist: new Uint32Array(HIST_MS + 1),
  hist2: new Uint32Array(secondField ? HIST_MS + 1 : 0),
  latencies: 0,
  lost: 0,
  repeated: 0,
  maxMs: 0,
});

/** the stream fields loss tracking reads from a JSON record */
export interface SqFields {
  ex?: string;
  ty?: string;
  cd?: string;
  rex?: string;
  iv?: string;
  ep?: number;
  sq?: number;
  st?: string;
}

const KEYS = Object.fromEntries(['ex', 'ty', 'cd', 'rex', 'iv', 'ep', 'sq', 'st'].map((k) => [k, Buffer.from(`"${k}":`)]));
const QUOTE = 0x22;

/** the value after `"key":` in a flat JSON record: a string's text, a number's digits as a number; undefined when absent */
function valueAt(data: Buffer, start: number, end: number, key: string, numeric: boolean): string | number | undefined {
  const k = data.indexOf(KEYS[key]!, start);
  if (k < 0 || k >= end) return undefined;
  let p = k + KEYS[key]!.length;
  if (data[p] === QUOTE) {
    const close = data.indexOf(QUOTE, p + 1);
    return close < 0 || close >= end ? undefined : data.toString('utf8', p + 1, close);
  }
  let n = 0;
  let digits = 0;
  for (; p < end; p++, digits++) {
    const c = data[p]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  if (digits === 0) return undefined;
  return numeric ? n : String(n);
}

/**
 * The fields loss tracking needs, read from a record's JSON bytes without parsing it (records are flat maps, SPEC §3:
 * no nested key shares these names). Only a single record (an object) has them: a batch (an array) gives none.
 */
export function sqFieldsOf(data: Buffer, start: number, end: number): SqFields {
  if (data[start] !== 0x7b) return {};
  // the record alone: Buffer.indexOf searches to the end of its buffer, the whole TCP chunk here, so an absent key
  // (st, rex, iv) would be looked for through every later frame of the chunk
  const rec = data.subarray(start, end);
  const str = (k: string) => valueAt(rec, 0, rec.length, k, false) as string | undefined;
  const num = (k: string) => valueAt(rec, 0, rec.length, k, true) as number | undefined;
  const out: SqFields = { ty: str('ty'), ep: num('ep'), sq: num('sq'), st: str('st') };
  if (out.ty === undefined || out.ep === undefined || out.sq === undefined || out.st !== undefined) return out;
  out.ex = str('ex');
  out.cd = str('cd');
  out.rex = str('rex');
  out.iv = str('iv');
  return out;
}

/** Last (ep, sq) per connection and stream key: counts records missing between consecutive sq within an epoch. */
export class SqTracker {
  private readonly last = new Map<string, { ep: number; sq: number }>();

  see(conn: number, r: SqFields, win: Window): void {
    if (r.ty === undefined || r.sq === undefined || r.ep === undefined || r.st !== undefined) return;
    const key = `${conn}|${r.ex}|${r.ty}|${r.cd}|${r.rex ?? r.iv ?? ''}`;
    const prev = this.last.get(key);
    if (prev && prev.ep === r.ep && r.sq > prev.sq + 1) win.lost += r.sq - prev.sq - 1;
    if (prev && prev.ep === r.ep && r.sq <= prev.sq) win.repeated++;
    if (!prev || r.ep > prev.ep || r.sq > prev.sq) this.last.set(key, { ep: r.ep, sq: r.sq });
  }
}

/**
 * With LOAD_CLIENT_PROF_DIR set, a CPU profile of each measuring window (from `measure` to `report`) is written
 * there as load-client-<pid>-<n>.cpuprofile (Node only: node:inspector).
 */
export class WindowProfiler {
  private session: { post(method: string, params?: object): Promise<unknown> } | undefined;
  private n = 0;

  constructor(private readonly dir = process.env.LOAD_CLIENT_PROF_DIR ?? '') {}

  async start(): Promise<void> {
    if (!this.dir) return;
    if (!this.session) {
      const { Session } = await import('node:inspector/promises');
      const s = new Session();
      s.connect();
      this.session = s;
      await s.post('Profiler.enable');
    }
    await this.session.post('Profiler.start');
  }

  async stop(): Promise<void> {
    if (!this.session) return;
    const { profile } = (await this.session.post('Profiler.stop')) as { profile: unknown };
    await writeFile(`${this.dir}/load-client-${process.pid}-${++this.n}.cpuprofile`, JSON.stringify(profile));
  }
}
