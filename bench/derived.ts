// Benchmark 4, the derived stage's cost: the end-to-end path (simulators → standalone gateway → clients) at the e2e
// benchmark's fixed rates, once without and once with the derived stage (premium on three pairs, 1 s and 1 m candles
// on every market), the same markets subscribed in every run; the stage runs inline (the default) and, as a third
// side, in its own thread (`derived.thread: true`). Reports the gateway's CPU, the stage's CPU (its thread's, or
// inline its busy time), and the latency of exchange records (derived records are received by the clients but left
// out of it).
//
//   node --import tsx bench/derived.ts [--measure-ms 10000] [--rounds 2] [--levels 1k,10k] [--sides off,inline,thread] [--out BENCHMARKS.md|-]

import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger } from '../kernel/log.ts';
import { Args } from './lib/args.ts';
import { measureWindow, start } from './lib/children.ts';
import type { Child } from './lib/children.ts';
import { BENCHMARKS_MD, publish, renderSection } from './lib/report.ts';
import { counterTotal, scrape } from './lib/scrape.ts';
import { fixed, histMax, histQuantile, median, si } from './lib/stats.ts';
import { mainThreadPct, threadPcts, threadTimes } from './lib/thread-cpu.ts';

const args = new Args();
const MEASURE_MS = args.number('measure-ms', 10_000);
const WARM_MS = args.number('warm-ms', 4000);
const ROUNDS = args.number('rounds', 2);
const OUT = args.string('out', BENCHMARKS_MD);
const CLIENTS = 4;
/** how often the gateway polls the FX simulator (the default of derived.fx.intervalMs is 60000) */
const FX_MS = args.number('fx-ms', 1000);
/** `--levels 1k` and `--sides off,inline`: a part of the runs (profiling) */
const ONLY_LEVELS = args.string('levels', '').split(',').filter(Boolean);
type Side = 'off' | 'inline' | 'thread';
const ALL_SIDES: Side[] = ['off', 'inline', 'thread'];
const SIDES = ALL_SIDES.filter((s) => args.string('sides', ALL_SIDES.join(',')).split(',').includes(s));
const SIDE_LABEL: Record<Side, string> = {
  off: 'none (same markets)',
  inline: 'premium × 3 pairs, candles 1s + 1m on every market; stage inline (`derived.thread: false`)',
  thread: 'the same; stage in its own thread (`derived.thread: true`)',
};
const BASES = ['BTC', 'ETH', 'XRP', 'SOL', 'DOGE', 'ADA', 'TRX', 'LINK'];

interface Level {
  name: string;
  intervalMs: number;
  tradesPerStep: number;
  symbols: number;
}
/** the fixed levels of bench/e2e.ts */
const LEVELS: Level[] = [
  { name: '1k', intervalMs: 20, tradesPerStep: 2, symbols: 2 },
  { name: '10k', intervalMs: 10, tradesPerStep: 7, symbols: 4 },
];

interface Run {
  recordsPerS: number;
  derivedPerS: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  cpuPct: number;
  /** the gateway's main thread alone (Linux; NaN elsewhere) */
  mainPct: number;
  /** the stage's busy time (its thread's event loop, or inline the time spent in its calls), and its CPU (its thread's on Linux, NaN elsewhere; inline: its busy time) */
  stageBusyPct: number;
  stagePct: number;
  /** socket writes to clients and hub flushes per second (the gateway's own counters) */
  writesPerS: number;
  flushesPerS: number;
  /** every thread's CPU %, busiest first (console only) */
  threads: number[];
}

const DERIVED = {
  premium: [
    { exchange: 'upbit', reference: 'binance' },
    { exchange: 'bithumb', reference: 'binance' },
    { exchange: 'bithumb', reference: 'upbit' },
  ],
  candles: { intervals: ['1s', '1m'] },
};

async function run(level: Level, side: Side): Promise<Run> {
  const derived = side !== 'off';
  // the FX simulator runs with the exchange simulators, outside the gateway's process, on both sides
  const sims = start('sim-process.ts', ['--interval-ms', String(level.intervalMs), '--trades-per-step', String(level.tradesPerStep), '--fx']);
  let kernel: Kernel | undefined;
  let client: Child | undefined;
  try {
    const { urls, fxUrl } = await sims.next<{ urls: Record<string, { url: string; restUrl: string }>; fxUrl: string }>('ready');
    const bases = BASES.slice(0, level.symbols);
    // USDT/KRW is what the premium subscribes by itself: the run without it lists it, so both carry the same markets
    const krw = [...bases.map((b) => `${b}/KRW`), 'USDT/KRW'];
    const config = parseConfig({
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'error' },
      exchanges: {
        binance: { ...urls.binance, symbols: bases.map((b) => `${b}/USDT`) },
        upbit: { ...urls.upbit, symbols: krw },
        bithumb: { api: 'v1', ...urls.bithumb, symbols: krw },
      },
      ...(derived ? { derived: { ...DERIVED, thread: side === 'thread', fx: { url: fxUrl, intervalMs: FX_MS } } } : {}),
    });
    kernel = new Kernel({ config, log: createLogger('error'), statsIntervalMs: 1000 });
    await kernel.start();
    client = start('load-client.ts', [
      '--port', String(kernel.port),
      '--clients', String(CLIENTS),
      '--latency-field', 'tms',
      '--track-sq',
      '--skip-types', 'premium,candle',
    ]);
    await client.next('ready');
    await sleep(WARM_MS);
    const http = `http://127.0.0.1:${kernel.port}`;
    const metrics0 = await scrape(http);
    const before = await kernel.derivedStats();
    const t0 = performance.now();
    const threads0 = threadTimes();
    const { rep, cpuPct } = await measureWindow<{ elapsedMs: number; frames: number; latencies: number; hist: number[]; lost: number }>(client, MEASURE_MS);
    const threads1 = threadTimes();
    const after = await kernel.derivedStats();
    const elapsed = performance.now() - t0;
    const metrics1 = await scrape(http);
    const perS = (name: string) => (counterTotal(metrics1, name) - counterTotal(metrics0, name)) / (elapsed / 1000);
    const writesPerS = perS('gateway_client_writes_total');
    const flushesPerS = perS('gateway_fanout_flushes_total');
    const mainPct = mainThreadPct(threads0, threads1, elapsed);
    const perThread = threadPcts(threads0, threads1, elapsed);
    const threads = perThread.map((t) => t.pct).filter((p) => p >= 0.5);
    const derivedPerS = before && after ? ((after.emitted! - before.emitted!) / elapsed) * 1000 : 0;
    const stageBusyPct = before && after ? ((after.activeMs! - before.activeMs!) / elapsed) * 100 : 0;
    // inline, the stage's time is main-thread time spent in its calls
    const stagePct = after?.inline ? stageBusyPct : (perThread.find((t) => t.tid === after?.tid)?.pct ?? NaN);
    // each client receives every derived record too (one per frame): they are left out of the exchange records' rate
    const frames = rep.frames / CLIENTS / (rep.elapsedMs / 1000) - derivedPerS;
    return { recordsPerS: frames, derivedPerS, p50: histQuantile(rep.hist, 0.5), p99: histQuantile(rep.hist, 0.99), max: histMax(rep.hist), lost: rep.lost, cpuPct, mainPct, stageBusyPct, stagePct, threads, writesPerS, flushesPerS };
  } finally {
    await client?.stop();
    await kernel?.close();
    await sims.stop();
  }
}

const started = performance.now();
const rows: (string | number)[][] = [];
const summary: string[] = [];
for (const level of LEVELS.filter((l) => !ONLY_LEVELS.length || ONLY_LEVELS.includes(l.name))) {
  const runs: Record<Side, Run[]> = { off: [], inline: [], thread: [] };
  // alternating runs, so drifting machine load hits every side alike
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of SIDES) {
      const x = await run(level, side);
      runs[side].push(x);
      console.log(`  ${level.name} derived ${side}: ${si(x.recordsPerS)} records/s, p50 ${x.p50} ms, p99 ${x.p99} ms, max ${x.max} ms, CPU ${fixed(x.cpuPct, 0)} % (main ${fixed(x.mainPct, 1)}; threads ${x.threads.map((p) => fixed(p, 1)).join(' ')}), stage ${fixed(x.stagePct, 1)} % CPU (busy ${fixed(x.stageBusyPct, 1)} %), derived ${fixed(x.derivedPerS, 0)}/s, writes ${fixed(x.writesPerS, 0)}/s in ${fixed(x.flushesPerS, 0)} flushes/s, lost ${x.lost}`);
    }
  }
  const med = (side: Side, f: (r: Run) => number) => (runs[side].length ? median(runs[side].map(f)) : NaN);
  for (const side of SIDES) {
    rows.push([
      level.name,
      SIDE_LABEL[side],
      si(med(side, (r) => r.recordsPerS)),
      side !== 'off' ? fixed(med(side, (r) => r.derivedPerS), 0) : '–',
      med(side, (r) => r.p50),
      med(side, (r) => r.p99),
      runs[side].map((r) => r.p99).join(' · '),
      med(side, (r) => r.max),
      runs[side].reduce((s, r) => s + r.lost, 0),
      fixed(med(side, (r) => r.cpuPct), 1),
      fixed(med(side, (r) => r.cpuPct / (r.recordsPerS / 1000)), 2),
      fixed(med(side, (r) => r.mainPct), 1),
      side !== 'off' ? fixed(med(side, (r) => r.stagePct), 1) : '–',
      si(med(side, (r) => r.writesPerS)),
    ]);
  }
  const sign = (x: number) => `${x >= 0 ? '+' : ''}${fixed(x * 100, 1)} %`;
  const versus = SIDES.filter((s) => s !== 'off').map((side) => {
    const extra = med(side, (r) => r.cpuPct) / med('off', (r) => r.cpuPct) - 1;
    // the simulators do not always reach the level's rate on a loaded machine: CPU per record compares fairly
    const perRecord = med(side, (r) => r.cpuPct / r.recordsPerS) / med('off', (r) => r.cpuPct / r.recordsPerS) - 1;
    const where = side === 'inline' ? 'inline' : 'in its own thread';
    return `${sign(extra)} gateway CPU (${sign(perRecord)} per exchange record delivered) with the derived stage ${where}, p99 ${med('off', (r) => r.p99)} → ${med(side, (r) => r.p99)} ms`;
  });
  summary.push(`${level.name}: ${versus.join('; ')}`);
}
const method =
  `Method: as the end-to-end benchmark (section 3: simulators in their own process, a standalone Kernel in this one, ${CLIENTS} clients in a third, half JSON and half msgpack, full stream), ` +
  `at its fixed levels, without and with \`derived:\`, its stage inline and in its own thread (\`derived.thread: true\`) (premium upbit/binance, bithumb/binance, bithumb/upbit with the FX simulator, which runs in the simulators' process; candles 1s and 1m on every market of the three exchanges). ` +
  `Both runs subscribe the same markets (USDT/KRW included). Latency: exchange records only (client receive − \`tms\`); the clients also receive the derived records, which are left out of it. ` +
  `Gateway CPU: % of one core for the whole process (main thread, exchange workers, the derived stage's thread when it has one); main thread: its own CPU time (Linux /proc) in % of one core; stage: its thread's CPU time, or inline the time spent in its calls (part of the main thread's). Socket writes: the gateway's \`gateway_client_writes_total\` (derived records leave in the writes of the exchange records when they come together). ` +
  `Each figure is the median of ${ROUNDS} runs, the sides alternating (${WARM_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured). Command: \`npm run bench:derived\`. Took ${fixed((performance.now() - started) / 1000, 0)} s.`;
publish(
  'derived',
  renderSection('5. The derived stage\'s cost: premium and candles at the end-to-end rates', method, [
    {
      title: 'Simulator → gateway → client, standalone, with and without the derived stage',
      head: ['level', 'derived', 'exchange records/s per client', 'derived records/s', 'p50 ms', 'p99 ms', 'p99 ms of each run', 'max ms', 'lost (sq)', 'gateway CPU %', 'CPU % per 1k records/s', 'main thread %', 'stage %', 'socket writes/s'],
      rows,
      notes: [`${summary.join('. ')}. Goal: ≤ 10 % more CPU, p99 of exchange records unchanged.`],
    },
  ]),
  OUT,
);
