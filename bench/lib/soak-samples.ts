// The soak's measurements over time: RSS, heap, handles, timers and event-loop delay of the gateway process, sampled
// at a fixed period, and the verdict on their growth after warm-up (the tables of BENCHMARKS.md section 3b).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { Table } from './report.ts';
import { fixed, median } from './stats.ts';

export interface SoakSample {
  atMs: number;
  /** lowest RSS and heap used seen since the previous sample (polled every loop tick of the soak, ~4 per second) */
  rss: number;
  heap: number;
  /** the exchange workers' V8 heaps in use, together (their latest stats reports), lowest in the interval */
  workerHeap: number;
  /** active handles other than timers (sockets, servers, message ports, …) */
  handles: number;
  timers: number;
  /** event-loop delay of the main thread since the previous sample, ms */
  eldP50: number;
  eldP99: number;
  eldMax: number;
}

/** growth allowed after warm-up (RSS, heap, event-loop delay p99) */
export const GROWTH_BOUND = 0.05;
/**
 * Event-loop delay is measured with a 10 ms resolution timer, so its figures move in steps of about a millisecond even
 * at steady state: growth of the p99 counts when it exceeds 5 % and this much.
 */
const ELD_SLACK_MS = 1;

/** resolution of the event-loop delay timer; Node's histogram counts it in every value, so it is taken off */
const ELD_RESOLUTION_MS = 10;

export class SoakSampler {
  readonly samples: SoakSample[] = [];
  private readonly eld: IntervalHistogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  private readonly t0 = performance.now();
  private minRss = Infinity;
  private minHeap = Infinity;
  private minWorkerHeap = Infinity;

  /** `workerHeap`: the exchange workers' heaps in use now (bytes) */
  constructor(private readonly workerHeap: () => number = () => 0) {}

  /**
   * Heap and RSS saw-tooth within seconds (young-generation GCs, buffers): one reading every 10 s lands anywhere on
   * the tooth, so the soak polls them often and each sample keeps the interval's lowest, the level a leak raises.
   */
  poll(): void {
    const mem = process.memoryUsage();
    this.minRss = Math.min(this.minRss, mem.rss);
    this.minHeap = Math.min(this.minHeap, mem.heapUsed);
    this.minWorkerHeap = Math.min(this.minWorkerHeap, this.workerHeap());
  }

  start(): void {
    this.eld.enable();
  }

  stop(): void {
    this.eld.disable();
  }

  sample(): SoakSample {
    const types = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
    let timers = 0;
    for (const t of types) if (t === 'Timeout' || t === 'Immediate') timers++;
    this.poll();
    const ms = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
    const s: SoakSample = {
      atMs: performance.now() - this.t0,
      rss: this.minRss,
      heap: this.minHeap,
      workerHeap: this.minWorkerHeap,
      handles: types.length - timers,
      timers,
      eldP50: ms(this.eld.percentile(50)),
      eldP99: ms(this.eld.percentile(99)),
      eldMax: ms(this.eld.max),
    };
    this.eld.reset();
    this.minRss = Infinity;
    this.minHeap = Infinity;
    this.minWorkerHeap = Infinity;
    this.samples.push(s);
    return s;
  }
}

const mib = (b: number) => fixed(b / 2 ** 20, 1);
const lo = (xs: number[]) => Math.min(...xs);
const hi = (xs: number[]) => Math.max(...xs);
const mark = (ok: boolean) => (ok ? ' ✓' : ' ✗');

export interface SoakVerdict {
  ok: boolean;
  rows: (string | number)[][];
  notes: string[];
}

/**
 * Compares the first and the last third of the samples after warm-up. RSS and heap saw-tooth (buffers and worker
 * heaps grow, then GC gives them back): a leak raises both the floor and the peaks, so each is compared by its lowest
 * and highest sample. Handles and timers by their medians; event-loop delay by the median of the per-sample p99s.
 */
export function judgeSoak(samples: SoakSample[], warmMs: number): SoakVerdict {
  const after = samples.filter((s) => s.atMs >= warmMs);
  const third = Math.max(1, Math.floor(after.length / 3));
  const first = after.slice(0, third);
  const last = after.slice(-third);
  const pick = (xs: SoakSample[], k: keyof SoakSample) => xs.map((s) => s[k]);
  const growth = (a: number, b: number) => b / a - 1;
  const rssFloor = growth(lo(pick(first, 'rss')), lo(pick(last, 'rss')));
  const rssPeak = growth(hi(pick(first, 'rss')), hi(pick(last, 'rss')));
  const heapFloor = growth(lo(pick(first, 'heap')), lo(pick(last, 'heap')));
  const heapPeak = growth(hi(pick(first, 'heap')), hi(pick(last, 'heap')));
  const workerFloor = growth(lo(pick(first, 'workerHeap')), lo(pick(last, 'workerHeap')));
  const handles = [median(pick(first, 'handles')), median(pick(last, 'handles'))] as const;
  const timers = [median(pick(first, 'timers')), median(pick(last, 'timers'))] as const;
  const eld = [median(pick(first, 'eldP99')), median(pick(last, 'eldP99'))] as const;
  const eldOk = eld[1] <= eld[0] * (1 + GROWTH_BOUND) + ELD_SLACK_MS;
  const pct = (g: number) => `${g >= 0 ? '+' : ''}${fixed(g * 100, 1)} %`;
  const checks = {
    rssFloor: rssFloor <= GROWTH_BOUND,
    rssPeak: rssPeak <= GROWTH_BOUND,
    heapFloor: heapFloor <= GROWTH_BOUND,
    heapPeak: heapPeak <= GROWTH_BOUND,
    workerFloor: !(workerFloor > GROWTH_BOUND),
    handles: handles[1] <= handles[0],
    timers: timers[1] <= timers[0],
    eld: eldOk,
  };
  const rows: (string | number)[][] = [
    ['RSS floor (MiB)', mib(lo(pick(first, 'rss'))), mib(lo(pick(last, 'rss'))), `${pct(rssFloor)} (≤ 5 %)${mark(checks.rssFloor)}`],
    ['RSS peak (MiB)', mib(hi(pick(first, 'rss'))), mib(hi(pick(last, 'rss'))), `${pct(rssPeak)} (≤ 5 %)${mark(checks.rssPeak)}`],
    ['heap used floor (MiB)', mib(lo(pick(first, 'heap'))), mib(lo(pick(last, 'heap'))), `${pct(heapFloor)} (≤ 5 %)${mark(checks.heapFloor)}`],
    ['heap used peak (MiB)', mib(hi(pick(first, 'heap'))), mib(hi(pick(last, 'heap'))), `${pct(heapPeak)} (≤ 5 %)${mark(checks.heapPeak)}`],
    ['exchange workers\' heaps used, floor (MiB)', mib(lo(pick(first, 'workerHeap'))), mib(lo(pick(last, 'workerHeap'))), `${pct(workerFloor)} (≤ 5 %)${mark(checks.workerFloor)}`],
    ['handles (sockets, ports, …)', handles[0], handles[1], handles[1] <= handles[0] ? 'no growth ✓' : 'grew ✗'],
    ['timers', timers[0], timers[1], timers[1] <= timers[0] ? 'no growth ✓' : 'grew ✗'],
    ['event-loop delay p99 (ms, median of samples)', fixed(eld[0], 1), fixed(eld[1], 1), `${pct(growth(eld[0], eld[1]))} (≤ 5 % + ${ELD_SLACK_MS} ms)${mark(eldOk)}`],
  ];
  return {
    ok: Object.values(checks).every(Boolean),
    rows,
    notes: [
      `"After warm-up" is the first third of the samples after warm-up, "at the end" the last third (RSS and heap: lowest and highest sample; ` +
        `handles, timers and event-loop delay: medians). Each sample holds the lowest RSS and heap polled in its interval (4 polls a second), ` +
        `the level a leak raises; the workers' heaps come from their stats reports (every second). Event-loop delay is the main thread's, from monitorEventLoopDelay (10 ms resolution, taken off). RSS is the whole process (main thread and exchange workers); heap, handles, timers ` +
        `and event-loop delay are the main thread's (fan-out, WebSocket server, kernel).`,
    ],
  };
}

/** one row per `everyMs` of the run: the last sample's memory and handles, the worst event-loop delay in the interval */
export function timeSeries(samples: SoakSample[], everyMs: number, title: string): Table {
  const rows: (string | number)[][] = [];
  let bucket: SoakSample[] = [];
  let edge = everyMs;
  const flush = () => {
    const s = bucket[bucket.length - 1];
    if (!s) return;
    rows.push([
      fixed(s.atMs / 60_000, 1),
      mib(s.rss),
      mib(s.heap),
      mib(s.workerHeap),
      s.handles,
      s.timers,
      fixed(median(bucket.map((b) => b.eldP50)), 1),
      fixed(hi(bucket.map((b) => b.eldP99)), 1),
      fixed(hi(bucket.map((b) => b.eldMax)), 1),
    ]);
    bucket = [];
  };
  for (const s of samples) {
    if (s.atMs >= edge) {
      flush();
      while (s.atMs >= edge) edge += everyMs;
    }
    bucket.push(s);
  }
  flush();
  return {
    title,
    head: ['min', 'RSS MiB (low)', 'heap MiB (low)', 'workers\' heaps MiB (low)', 'handles', 'timers', 'loop delay p50 ms', 'loop delay p99 ms (worst sample)', 'loop delay max ms'],
    rows,
  };
}
