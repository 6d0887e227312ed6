// Benchmark 6, the whole market universe: every discovered exchange simulator serving its whole market list at
// skewed, turnover-shaped activity (a few markets carry most of the flow), a standalone gateway subscribed to every
// market of every venue (`symbols: all`), and thousands of clients with mixed filters and shapes. Beside it, from
// the same run, the baseline: the same clients against the three original venues with four markets each.
//
//   node --import tsx bench/universe.ts [--clients 5000] [--measure-ms 15000] [--peak 5] [--trades-per-step 2] [--history-max-age-ms N]
//        [--venues okx,kraken] [--probe-every 8] [--no-baseline] [--harness-nice 19/5] [--nice-windows 0,19/0,19/5] [--harness-policy batch|normal] [--books-wait-ms 420000]
//        [--out BENCHMARKS.md|-]
//
// The harness (simulators and load clients) shares the machine with the gateway, where in production exchanges and
// clients are elsewhere. Each run measures one window per entry of `--nice-windows`, `C/S` being the niceness of the
// load processes holding the non-probe clients (C) and of the simulators' processes (S), `N` both: they only rise
// from window to window (raising a process's niceness needs no privilege, lowering it does). The probes (every
// PROBE_EVERY-th client) are in load processes of their own at normal priority, like the gateway, so that their
// reading late does not count as the gateway's latency. The first table shows the `--harness-nice` window; a second
// one every window.
//
// The simulators run one process per venue (bench/universe-sims.ts), each stepping at its venue's book cadence
// (bench/lib/universe-rates.ts: the target rate, from the documented push caps, is printed beside the rate reached).

import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger } from '../kernel/log.ts';
import { Args } from './lib/args.ts';
import { batchPolicy, nice, start } from './lib/children.ts';
import { bucketQuantileMs, counterTotal, histogramBuckets, recordsTotal, scrape } from './lib/scrape.ts';
import { LoopDelay } from './lib/loop-delay.ts';
import { mainThreadPct, threadTimes } from './lib/thread-cpu.ts';
import type { Child } from './lib/children.ts';
import { BENCHMARKS_MD, publish, renderSection } from './lib/report.ts';
import { histQuantile } from './lib/stats.ts';
import { targetRate, venueRate } from './lib/universe-rates.ts';
import { mergeReports, niceWindows, parseNice, universeReport, worst, type Lateness, type Nice, type Report, type Run } from './lib/universe-report.ts';
import { selectSims } from '../sim/index.ts';

const args = new Args();
const CLIENTS = args.number('clients', 5000);
const MEASURE_MS = args.number('measure-ms', 15_000);
const WARM_MS = args.number('warm-ms', 8000);
/** the baseline's simulator step */
const INTERVAL_MS = args.number('interval-ms', 100);
/** the busier-minute factor of skewed activity (bench/lib/universe-rates.ts) */
const PEAK = args.number('peak', 5);
/** the gateway's history.maxAgeMs (resume history) in both runs; default the config's own */
const HISTORY_AGE_MS = args.number('history-max-age-ms', -1);
const TRADES = args.number('trades-per-step', 2);
/** the gateway's server.flushMs in both runs; default the config's own */
const FLUSH_MS = args.number('flush-ms', -1);
const OUT = args.string('out', BENCHMARKS_MD);
/** every N-th client is a probe (N a multiple of 8: the probes get the first query, a major's full stream) */
const PROBE_EVERY = args.number('probe-every', 8);
if (PROBE_EVERY % 8 !== 0) throw new Error('--probe-every must be a multiple of 8 (the clients cycle through 8 queries)');
const MAJORS = ['BTC', 'ETH', 'XRP', 'SOL'];
/** `--venues a,b`: only these exchanges in the universe run (default: every simulator found) */
const VENUES = args.string('venues', '');
/** `--no-baseline`: the universe run only (while iterating; the published section needs both) */
const NO_BASELINE = args.flag('no-baseline');
/** the harness's niceness in the window the first table shows */
const HARNESS_NICE = parseNice(args.string('harness-nice', '19/5'));
/** the windows of each run, in order */
const NICES = niceWindows(args.string('nice-windows', '0,19/0,19/5'), HARNESS_NICE);
/** the most time from the gateway's start until every subscribed market's book is held (Binance paces its REST snapshots) */
const BOOKS_WAIT_MS = args.number('books-wait-ms', 420_000);
/**
 * `batch` (default): every harness process under SCHED_BATCH (bench/lib/children.ts `batchPolicy`), so the process
 * a loopback write wakes does not preempt the gateway's thread that wrote; `normal`: left as started
 */
const HARNESS_POLICY = args.string('harness-policy', 'batch');
if (!['batch', 'normal'].includes(HARNESS_POLICY)) throw new Error('--harness-policy is batch or normal');
/** between renicing the harness and the next window */
const SETTLE_MS = 5000;


const quiet = createLogger('error');

/** the queries one exchange's clients cycle through: the first (unshaped, every probe's) is a major's full stream */
function queries(ex: string, symbols: string[]): string[] {
  // the venue's main quote (the one most of its markets use) first: its majors carry the flow
  const quotes = new Map<string, number>();
  for (const s of symbols) quotes.set(s.split('/')[1]!, (quotes.get(s.split('/')[1]!) ?? 0) + 1);
  const main = [...quotes].sort((a, b) => b[1] - a[1])[0]?.[0];
  const majors = MAJORS.map((b) => `${b}/${main}`).filter((s) => symbols.includes(s));
  const pick = (i: number) => symbols[(i * 7919) % symbols.length]!;
  const m0 = majors[0] ?? symbols[0]!;
  return [
    `exchange=${ex}&symbol=${m0}`,
    `exchange=${ex}&type=ticker&interval=1000`,
    `exchange=${ex}&symbol=${majors.slice(0, 3).join(',') || m0}&type=orderbook&depth=5&interval=250`,
    `exchange=${ex}&symbol=${pick(1)},${pick(2)},${pick(3)}&type=trade,ticker`,
    `exchange=${ex}&symbol=${majors[1] ?? m0}&type=trade&batch=true`,
    `exchange=${ex}&type=listing`,
    `exchange=${ex}&symbol=${pick(4)}&type=orderbook`,
    `exchange=${ex}&symbol=${m0}&type=ticker,trade`,
  ];
}

/** The simulators' processes: one per venue for the universe, one for the baseline's three venues. */
async function startSims(universe: boolean): Promise<{ procs: Map<string, Child>; sections: Record<string, Record<string, unknown>> }> {
  const procs = new Map<string, Child>();
  const common = ['--trades-per-step', String(TRADES)];
  if (!universe) procs.set('all', start('universe-sims.ts', [...common, '--interval-ms', String(INTERVAL_MS), '--only', 'binance,upbit,bithumb']));
  else {
    const only = VENUES.split(',').filter(Boolean);
    const venues = (await selectSims()).filter((s) => s.name === s.exchange && (!only.length || only.includes(s.name))).map((s) => s.name);
    for (const v of venues) {
      procs.set(v, start('universe-sims.ts', [...common, '--skewed', '--peak', String(PEAK), '--interval-ms', String(venueRate(v).stepMs), '--only', v]));
    }
  }
  const sections: Record<string, Record<string, unknown>> = {};
  try {
    // every process's `ready` awaited at once: one that arrived before its waiter would be missed
    const ready = await Promise.all([...procs.values()].map((c) => c.next<{ sections: typeof sections }>('ready')));
    for (const r of ready) Object.assign(sections, r.sections);
  } catch (err) {
    await Promise.all([...procs.values()].map((c) => c.stop()));
    throw err;
  }
  return { procs, sections };
}

/** the order books the gateway holds per exchange (from its latest-value store) */
async function booksHeld(http: string, exchanges: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const ex of exchanges) out[ex] = ((await (await fetch(`${http}/api/snapshot?exchange=${ex}&type=orderbook`)).json()) as unknown[]).length;
  return out;
}

async function run(name: string, universe: boolean): Promise<Run[]> {
  const sims = await startSims(universe);
  const probes: Child[] = [];
  const others: Child[] = [];
  let kernel: Kernel | undefined;
  try {
    const { sections } = sims;
    const exchanges = Object.keys(sections).sort();
    const quote: Record<string, string> = {};
    const config = parseConfig({
      server: { host: '127.0.0.1', port: 0, ...(FLUSH_MS >= 0 ? { flushMs: FLUSH_MS } : {}) },
      log: { level: 'error' },
      ...(HISTORY_AGE_MS >= 0 ? { history: { maxAgeMs: HISTORY_AGE_MS } } : {}),
      limits: { connectionsPerIp: CLIENTS + 100, clients: CLIENTS + 100 },
      exchanges: Object.fromEntries(
        exchanges.map((ex) => {
          const s = sections[ex]!;
          const listed = s.symbols as string[];
          quote[ex] = listed[0]!.split('/')[1]!;
          return [ex, { ...s, symbols: universe ? 'all' : MAJORS.map((b) => `${b}/${quote[ex]}`) }];
        }),
      ),
    });
    const kernelStarted = performance.now();
    kernel = new Kernel({ config, log: quiet, statsIntervalMs: 1000 });
    await kernel.start();
    const http = `http://127.0.0.1:${kernel.port}`;
    // every venue's market list read and subscribed
    let subs: Record<string, { symbols: string[] }> = {};
    for (let i = 0; i < 120; i++) {
      subs = ((await (await fetch(`${http}/api/subscriptions`)).json()) as { exchanges: typeof subs }).exchanges;
      if (exchanges.every((ex) => (subs[ex]?.symbols.length ?? 0) > 0)) break;
      await sleep(500);
    }
    const markets = Object.fromEntries(exchanges.map((ex) => [ex, subs[ex]?.symbols.length ?? 0]));
    const per = Math.floor(CLIENTS / exchanges.length);
    for (const ex of exchanges) {
      const q = queries(ex, subs[ex]!.symbols);
      const common = ['--port', String(kernel.port), '--clients', String(per), '--probe-every', String(PROBE_EVERY), '--queries', q.join('|'), '--latency-field', 'tms', '--second-field', 'rtms', '--skip-types', 'listing', '--track-sq'];
      // the probes and the others of one id range: together the clients one process would hold
      probes.push(start('load-client.ts', [...common, '--role', 'probes']));
      others.push(start('load-client.ts', [...common, '--role', 'others', '--connect-on-ask']));
    }
    // the probes connect first, then the others (sixteen processes connecting at once overran the accept queue)
    await Promise.all(probes.map((c) => c.next('ready', 300_000)));
    for (const c of others) c.proc.send({ t: 'connect' });
    await Promise.all(others.map((c) => c.next('ready', 300_000)));
    if (HARNESS_POLICY === 'batch') {
      const set = [...probes, ...others, ...sims.procs.values()].map(batchPolicy);
      if (set.includes(false)) console.error('bench:universe: SCHED_BATCH not set on every harness process (chrt failed): those keep the normal policy');
    }
    await sleep(WARM_MS);
    // the steady state: every market's book held (a plugin whose books start from REST snapshots paces them)
    let books = await booksHeld(http, exchanges);
    while (exchanges.some((ex) => books[ex]! < markets[ex]!) && performance.now() - kernelStarted < BOOKS_WAIT_MS) {
      await sleep(5000);
      books = await booksHeld(http, exchanges);
    }
    const booksAfterS = (performance.now() - kernelStarted) / 1000;
    const out: Run[] = [];
    for (const n of NICES) {
      for (const c of others) nice(c, n.clients);
      for (const c of sims.procs.values()) nice(c, n.sims);
      if (out.length) await sleep(SETTLE_MS);
      out.push(await window(n));
    }
    return out;

    async function window(harnessNice: Nice): Promise<Run> {
      const metrics0 = await scrape(http);
      const simCpu0 = new Map<string, number>();
      for (const [v, c] of sims.procs) simCpu0.set(v, (await c.ask<{ cpuMs: number }>({ t: 'stats' }, 'stats')).cpuMs);
      for (const c of [...probes, ...others, ...sims.procs.values()]) c.proc.send({ t: 'measure' });
      const cpu0 = process.cpuUsage();
      const threads0 = threadTimes();
      // the gateway's main thread: how late its event loop runs (fan-out stalls show here)
      const loop = new LoopDelay();
      loop.start();
      // the main thread's garbage collections in the window (pauses; workers collect on their own heaps)
      const gc = { count: 0, totalMs: 0, maxMs: 0, major: 0, majorMs: 0 };
      const gcObs = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gc.count++;
          gc.totalMs += e.duration;
          gc.maxMs = Math.max(gc.maxMs, e.duration);
          // NODE_PERFORMANCE_GC_MAJOR = 4 (mark-sweep-compact)
          if (((e as { detail?: { kind?: number } }).detail)?.kind === 4) (gc.major++, (gc.majorMs += e.duration));
        }
      });
      gcObs.observe({ entryTypes: ['gc'] });
      const t0 = performance.now();
      let rss = 0;
      const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 500);
      await sleep(MEASURE_MS);
      clearInterval(rssTimer);
      loop.stop();
      gcObs.disconnect();
      const probeReps = await Promise.all(probes.map((c) => c.ask<Report>({ t: 'report' }, 'report')));
      const otherReps = await Promise.all(others.map((c) => c.ask<Report>({ t: 'report' }, 'report')));
      const elapsed = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const mainThreadCpuPct = mainThreadPct(threads0, threadTimes(), elapsed);
      const metrics1 = await scrape(http);
      const before = recordsTotal(metrics0);
      const after = recordsTotal(metrics1);
      const perS = (name: string) => (counterTotal(metrics1, name) - counterTotal(metrics0, name)) / (elapsed / 1000);
      const writesPerS = perS('gateway_client_writes_total');
      const flushesPerS = perS('gateway_fanout_flushes_total');
      const quantile = (name: string, q: number, labels?: Record<string, string>) => bucketQuantileMs(histogramBuckets(metrics0, name, labels), histogramBuckets(metrics1, name, labels), q);
      const stageP99Ms = { exchange: 0, bus: 0, client: 0 };
      for (const stage of ['exchange', 'bus', 'client'] as const) stageP99Ms[stage] = quantile('gateway_stage_latency_seconds', 0.99, { stage });
      const flush = 'gateway_fanout_flush_seconds';
      const flushWall = { p50: quantile(flush, 0.5), p99: quantile(flush, 0.99), msPerS: perS(`${flush}_sum`) * 1000 };
      const simCpuPct: Record<string, number> = {};
      const simLoops: Record<string, { p99: number; max: number }> = {};
      for (const [v, c] of sims.procs) {
        simCpuPct[v] = (((await c.ask<{ cpuMs: number }>({ t: 'stats' }, 'stats')).cpuMs - simCpu0.get(v)!) / elapsed) * 100;
        simLoops[v] = await c.ask<{ p99: number; max: number }>({ t: 'loop' }, 'loop');
      }
      const recordsIn = Object.fromEntries(exchanges.map((ex) => [ex, ((after[ex] ?? 0) - (before[ex] ?? 0)) / (elapsed / 1000)]));
      const model = universe ? { tradesPerStep: TRADES, peak: PEAK } : { tradesPerStep: TRADES, peak: Infinity, stepMs: INTERVAL_MS };
      const targets = Object.fromEntries(exchanges.map((ex) => [ex, targetRate(ex, subs[ex]!.symbols, model)]));
      const lateness: Lateness = {
        probes: worst(probeReps.map((r) => r.loopDelayMs)),
        others: worst(otherReps.map((r) => r.loopDelayMs)),
        sims: worst(Object.values(simLoops)),
        simsByVenue: simLoops,
        probesCpuPct: probeReps.reduce((a, r) => a + r.cpuPct, 0),
        othersCpuPct: otherReps.reduce((a, r) => a + r.cpuPct, 0),
      };
      return {
        name,
        harnessNice,
        exchanges,
        markets,
        books,
        booksAfterS,
        recordsIn,
        target: Object.fromEntries(exchanges.map((ex) => [ex, targets[ex]!.perS])),
        atCap: Object.fromEntries(exchanges.map((ex) => [ex, targets[ex]!.atCap])),
        perExchange: Object.fromEntries(exchanges.map((ex, i) => [ex, mergeReports(probeReps[i]!, otherReps[i]!)])),
        gatewayCpuPct: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
        mainThreadCpuPct,
        stageP99Ms,
        flushWall,
        loopDelayMs: loop.read(),
        lateness,
        writesPerS,
        flushesPerS,
        gc: { ...gc, perS: gc.count / (elapsed / 1000), pct: (gc.totalMs / elapsed) * 100 },
        rssMiB: Math.max(rss, process.memoryUsage().rss) / 2 ** 20,
        simCpuPct,
      };
    }
  } finally {
    await Promise.all([...probes, ...others].map((c) => c.stop()));
    await kernel?.close();
    await Promise.all([...sims.procs.values()].map((c) => c.stop()));
  }
}

const started = performance.now();
const baselines = NO_BASELINE ? [] : await run('baseline', false);
const universes = await run('universe', true);
console.log(JSON.stringify({ universe: universes.map(summary), baseline: baselines.map(summary) }));
if (!baselines.length) process.exit(0);
const settings = { historyMaxAgeMs: HISTORY_AGE_MS, flushMs: FLUSH_MS, clients: CLIENTS, tradesPerStep: TRADES, peak: PEAK, intervalMs: INTERVAL_MS, probeEvery: PROBE_EVERY, warmMs: WARM_MS, measureMs: MEASURE_MS, harnessNice: HARNESS_NICE, nices: NICES, harnessPolicy: HARNESS_POLICY, settleMs: SETTLE_MS, booksWaitMs: BOOKS_WAIT_MS };
const { title, method, tables } = universeReport(baselines, universes, settings, performance.now() - started);
publish('universe', renderSection(title, method, tables), OUT);

/** the figures worth seeing while iterating, on stdout */
function summary(r: Run): Record<string, unknown> {
  const all = Object.values(r.perExchange);
  const maxMs = Math.max(...all.map((x) => x.maxMs));
  const hist = all[0]!.hist.map((_, i) => all.reduce((n, x) => n + x.hist[i]!, 0));
  const lat = { p50: histQuantile(hist, 0.5), p99: histQuantile(hist, 0.99), max: maxMs, lost: all.reduce((n, x) => n + x.lost, 0) };
  return { nice: r.harnessNice, lat, recordsIn: Math.round(Object.values(r.recordsIn).reduce((a, b) => a + b, 0)), target: Math.round(Object.values(r.target).reduce((a, b) => a + b, 0)), ofTarget: Object.fromEntries(r.exchanges.map((ex) => [ex, Math.round((r.recordsIn[ex]! / r.target[ex]!) * 100)])), gatewayShareP99: histQuantile(all[0]!.hist2.map((_, i) => all.reduce((n, x) => n + x.hist2[i]!, 0)), 0.99), books: r.books, booksAfterS: Math.round(r.booksAfterS), lateness: r.lateness, simCpu: Math.round(Object.values(r.simCpuPct).reduce((a, b) => a + b, 0)), cpuPct: Math.round(r.gatewayCpuPct), mainThreadCpuPct: Math.round(r.mainThreadCpuPct), stageP99Ms: r.stageP99Ms, flushWall: r.flushWall, rssMiB: Math.round(r.rssMiB), writesPerS: Math.round(r.writesPerS), flushesPerS: Math.round(r.flushesPerS), loop: r.loopDelayMs, gc: r.gc };
}
