// The universe benchmark's section of BENCHMARKS.md: per venue and in total, the records/s the simulators should
// produce (bench/lib/universe-rates.ts) beside what the gateway took in, deliveries out, latency, loss; the
// gateway's and the simulators' CPU; the goal's verdict; and the cadences the target comes from. With windows at
// several harness niceness values, a table of each window beside the harness's own lateness (event-loop delays).

import type { Table } from './report.ts';
import { fixed, histQuantile, si } from './stats.ts';
import { venueRate } from './universe-rates.ts';

/** one load process's figures for its window */
export interface Report {
  elapsedMs: number;
  frames: number;
  hist: number[];
  /** client receive − rtms (the gateway's receive time): the gateway's share, the probe's own lateness included */
  hist2: number[];
  maxMs: number;
  lost: number;
  latencies: number;
  cpuPct: number;
  open: number;
  closeCodes: Record<string, number>;
  /** the load process's own event-loop delay in the window (ms) */
  loopDelayMs: Delay;
}

export interface Delay {
  p99: number;
  max: number;
}

/** how late the harness's processes ran in a window, the worst process of each kind, and their CPU */
export interface Lateness {
  probes: Delay;
  others: Delay;
  sims: Delay;
  simsByVenue: Record<string, Delay>;
  probesCpuPct: number;
  othersCpuPct: number;
}

/** the niceness of the load processes holding the non-probe clients, and of the simulators' processes */
export interface Nice {
  clients: number;
  sims: number;
}

/** `C/S` (clients', simulators') or `N` (both) */
export function parseNice(text: string): Nice {
  const [c, s] = text.split('/').map(Number);
  const n = { clients: c!, sims: s ?? c! };
  if (![n.clients, n.sims].every((x) => Number.isInteger(x) && x >= 0 && x <= 19)) throw new Error(`niceness ${text}: C/S or N, each 0-19`);
  return n;
}

export const niceLabel = (n: Nice): string => (n.clients === n.sims ? `${n.clients}` : `${n.clients}/${n.sims}`);
const sameNice = (a: Nice, b: Nice): boolean => a.clients === b.clients && a.sims === b.sims;

/** the windows of `--nice-windows` (the primary one added at its place if absent), checked never to lower a niceness */
export function niceWindows(text: string, primary: Nice): Nice[] {
  const list = text.split(',').filter(Boolean).map(parseNice);
  if (!list.some((n) => sameNice(n, primary))) list.push(primary);
  list.sort((a, b) => a.clients + a.sims - (b.clients + b.sims));
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.clients < list[i - 1]!.clients || list[i]!.sims < list[i - 1]!.sims) {
      throw new Error(`--nice-windows ${text}: a window would lower a niceness (that needs privilege); order them so each rises`);
    }
  }
  return list;
}

/** the greatest p99 and max over processes' event-loop delays */
export const worst = (xs: Delay[]): Delay => ({ p99: Math.max(0, ...xs.map((x) => x.p99)), max: Math.max(0, ...xs.map((x) => x.max)) });

/** two load processes' reports (the probes' and the others' of one id range) as one */
export function mergeReports(a: Report, b: Report): Report {
  const codes: Record<string, number> = { ...a.closeCodes };
  for (const [k, v] of Object.entries(b.closeCodes)) codes[k] = (codes[k] ?? 0) + v;
  return {
    elapsedMs: Math.max(a.elapsedMs, b.elapsedMs),
    frames: a.frames + b.frames,
    hist: a.hist.map((n, i) => n + b.hist[i]!),
    hist2: a.hist2.map((n, i) => n + b.hist2[i]!),
    maxMs: Math.max(a.maxMs, b.maxMs),
    lost: a.lost + b.lost,
    latencies: a.latencies + b.latencies,
    cpuPct: a.cpuPct + b.cpuPct,
    open: a.open + b.open,
    closeCodes: codes,
    loopDelayMs: worst([a.loopDelayMs, b.loopDelayMs]),
  };
}

export interface Run {
  name: string;
  /** the niceness of the non-probe load processes and the simulators' in this window */
  harnessNice: Nice;
  exchanges: string[];
  markets: Record<string, number>;
  /** order books the gateway held per exchange when the windows began, and how long after its start */
  books: Record<string, number>;
  booksAfterS: number;
  recordsIn: Record<string, number>;
  /** what the simulators should produce for the subscribed markets (universe-rates.ts) */
  target: Record<string, number>;
  /** markets stepping every interval: at the venue's caps */
  atCap: Record<string, number>;
  perExchange: Record<string, Report>;
  gatewayCpuPct: number;
  /** the gateway's main thread alone (the fan-out), % of one core; NaN off Linux */
  mainThreadCpuPct: number;
  /** the gateway's own stage latencies (kernel/latency.ts, sampled per batch): the bucket bound holding each p99, ms */
  stageP99Ms: Record<'exchange' | 'bus' | 'client', number>;
  /** the hub's flushes in wall time (gateway_fanout_flush_seconds): bucket bounds holding p50 and p99 (ms), and ms per second */
  flushWall: { p50: number; p99: number; msPerS: number };
  /** the gateway's main-thread event-loop delay in the window */
  loopDelayMs: Delay;
  lateness: Lateness;
  /** the main thread's GC pauses in the window: all, and major (mark-sweep-compact) ones */
  /** socket writes of routed records to clients, and hub flushes, per second */
  writesPerS: number;
  flushesPerS: number;
  gc: { count: number; totalMs: number; maxMs: number; major: number; majorMs: number; perS: number; pct: number };
  rssMiB: number;
  /** the simulators' processes, each in % of one core, by venue (the baseline's one process under 'all') */
  simCpuPct: Record<string, number>;
}

export interface Settings {
  /** -1: the config's default */
  historyMaxAgeMs: number;
  /** -1: the config's default */
  flushMs: number;
  clients: number;
  tradesPerStep: number;
  peak: number;
  intervalMs: number;
  probeEvery: number;
  /** the harness processes' scheduling policy: batch (SCHED_BATCH) or normal */
  harnessPolicy: string;
  warmMs: number;
  measureMs: number;
  /** the niceness of the window the first table shows, every window's (ascending), the pause after renicing */
  harnessNice: Nice;
  nices: Nice[];
  settleMs: number;
  booksWaitMs: number;
}

function merged(reports: Report[]): { hist: number[]; hist2: number[]; frames: number; elapsedMs: number; max: number; lost: number; open: number } {
  const hist = reports[0]!.hist.map((_, i) => reports.reduce((s, r) => s + r.hist[i]!, 0));
  const hist2 = reports[0]!.hist2.map((_, i) => reports.reduce((s, r) => s + r.hist2[i]!, 0));
  return {
    hist,
    hist2,
    frames: reports.reduce((s, r) => s + r.frames, 0),
    elapsedMs: Math.max(...reports.map((r) => r.elapsedMs)),
    max: Math.max(...reports.map((r) => r.maxMs)),
    lost: reports.reduce((s, r) => s + r.lost, 0),
    open: reports.reduce((s, r) => s + r.open, 0),
  };
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const loadCpu = (r: Run): number => Object.values(r.perExchange).reduce((s, p) => s + p.cpuPct, 0);
/** a quantile of an empty histogram: no samples, not a number */
const q = (hist: number[], p: number): number | string => (hist.some((n) => n > 0) ? histQuantile(hist, p) : 'no samples');

function rows(r: Run): (string | number)[][] {
  const line = (label: string, markets: number, atCap: number, target: number, recIn: number, reps: Report[], books: number) => {
    const m = merged(reps);
    return [label, markets, atCap, si(target), si(recIn), `${fixed((recIn / target) * 100, 0)} %`, si(m.frames / (m.elapsedMs / 1000)), q(m.hist, 0.5), q(m.hist, 0.99), fixed(m.max, 0), m.lost, m.open, books];
  };
  const out = r.exchanges.map((ex) => line(`${r.name}: ${ex}`, r.markets[ex]!, r.atCap[ex]!, r.target[ex]!, r.recordsIn[ex]!, [r.perExchange[ex]!], r.books[ex]!));
  out.push(line(`**${r.name}: all**`, sum(r.markets), sum(r.atCap), sum(r.target), sum(r.recordsIn), Object.values(r.perExchange), sum(r.books)));
  return out;
}

/** a histogram bucket's upper bound in ms, as the bounds are written (0.5, 2.5, 25, ...) */
const bound = (ms: number): string => (Number.isFinite(ms) ? String(Number(ms.toPrecision(3))) : ms > 0 ? 'more' : 'n/a');

/** the main thread's GC pauses: how many, their share of the window, the longest, and the major ones */
function gcLine(r: Run): string {
  const g = r.gc;
  return `${g.count} pauses (${fixed(g.pct, 1)} % of the time), longest ${fixed(g.maxMs, 0)} ms; ${g.major} major, ${fixed(g.majorMs, 0)} ms in all`;
}

/** one window's totals beside how late the harness ran: gateway, probes, other clients, simulators */
function windowRow(r: Run): (string | number)[] {
  const m = merged(Object.values(r.perExchange));
  const d = (x: Delay) => `${fixed(x.p99, 0)} / ${fixed(x.max, 0)}`;
  const l = r.lateness;
  return [
    r.name, niceLabel(r.harnessNice), `${fixed((sum(r.recordsIn) / sum(r.target)) * 100, 0)} %`, si(m.frames / (m.elapsedMs / 1000)), q(m.hist, 0.5), q(m.hist, 0.99), fixed(m.max, 0), q(m.hist2, 0.99), m.lost,
    d(r.loopDelayMs), d(l.probes), d(l.others), d(l.sims),
    `${fixed(r.gatewayCpuPct, 0)} / ${fixed(sum(r.simCpuPct), 0)} / ${fixed(l.probesCpuPct, 0)} / ${fixed(l.othersCpuPct, 0)}`, m.open,
  ];
}

export function universeReport(baselines: Run[], universes: Run[], s: Settings, tookMs: number): { title: string; method: string; tables: Table[] } {
  const pick = (rs: Run[]) => rs.find((r) => sameNice(r.harnessNice, s.harnessNice)) ?? rs[rs.length - 1]!;
  const baseline = pick(baselines);
  const universe = pick(universes);
  const simCpu = Object.entries(universe.simCpuPct).map(([v, c]) => `${v} ${fixed(c, 0)}`).join(', ');
  const verdict = (r: Run) => {
    const t = merged(Object.values(r.perExchange));
    const p = q(t.hist, 0.99);
    const good = typeof p === 'number' && p <= 50 && r.rssMiB <= 1536 && t.lost === 0;
    return `p99 ${p} ms at ${fixed((sum(r.recordsIn) / sum(r.target)) * 100, 0)} % of the target, RSS ${fixed(r.rssMiB, 0)} MiB, lost ${t.lost} → ${good ? '✓ met' : '✗ not met'} (harness at niceness ${niceLabel(r.harnessNice)})`;
  };
  const others = universes.filter((r) => r !== universe);
  const tables: Table[] = [
    {
      title: `The whole universe: ${sum(universe.markets)} markets on ${universe.exchanges.length} venues, ${s.clients} clients (harness at niceness ${niceLabel(s.harnessNice)})`,
      head: ['run: exchange', 'markets', 'at cap', 'target rec/s', 'records/s in', 'of target', 'deliveries/s out', 'p50 ms', 'p99 ms', 'max ms', 'lost (sq)', 'clients open', 'books held'],
      rows: [...rows(baseline), ...rows(universe)],
      notes: [
        `Gateway (main thread + one worker per venue, this process): universe ${fixed(universe.gatewayCpuPct, 0)} % CPU of one core (main thread ${fixed(universe.mainThreadCpuPct, 0)} %), RSS ${fixed(universe.rssMiB, 0)} MiB peak; baseline ${fixed(baseline.gatewayCpuPct, 0)} % (main thread ${fixed(baseline.mainThreadCpuPct, 0)} %), ${fixed(baseline.rssMiB, 0)} MiB. Main-thread event-loop delay (beyond the 5 ms monitor period) p99 / max: universe ${fixed(universe.loopDelayMs.p99, 0)} / ${fixed(universe.loopDelayMs.max, 0)} ms, baseline ${fixed(baseline.loopDelayMs.p99, 0)} / ${fixed(baseline.loopDelayMs.max, 0)} ms.`,
        `Main thread's garbage collection in the window: universe ${gcLine(universe)}; baseline ${gcLine(baseline)}. Socket writes to clients: universe ${si(universe.writesPerS)}/s in ${si(universe.flushesPerS)} flushes/s, baseline ${si(baseline.writesPerS)}/s in ${si(baseline.flushesPerS)}/s.`,
        `Simulators' processes in the window (% of one core): universe ${fixed(sum(universe.simCpuPct), 0)} % in all (${simCpu}); baseline ${fixed(sum(baseline.simCpuPct), 0)} %. Load clients' processes: universe ${fixed(loadCpu(universe), 0)} % in all, baseline ${fixed(loadCpu(baseline), 0)} %.`,
        `Books held: the order books in the gateway's latest-value store when the windows began, ${fixed(universe.booksAfterS, 0)} s after the gateway started (the run waits, at most ${s.booksWaitMs / 1000} s from the gateway's start, until every subscribed market has one: Binance's start from paced REST snapshots).`,
        `Goal on 2 cores: p99 ≤ 50 ms at the target rate, RSS ≤ 1.5 GB, no loss: ${[universe, ...others].map(verdict).join('; ')}.`,
      ],
    },
  ];
  if (universes.length + baselines.length > 2) {
    tables.push({
      title: 'The harness\'s own lateness, window by window (same run, same gateway, harness reniced between windows)',
      head: ['run', 'harness niceness (clients/sims)', 'of target', 'deliveries/s out', 'p50 ms', 'p99 ms', 'max ms', 'p99 ms rtms → client', 'lost (sq)', 'gateway loop delay p99 / max ms', 'probe processes\' p99 / max ms', 'other clients\' p99 / max ms', 'simulators\' p99 / max ms', 'CPU % gateway / sims / probes / other clients', 'clients open'],
      rows: [...baselines, ...universes].map(windowRow),
      notes: [
        `Latency as in the first table; "rtms → client": from the gateway's receive time (\`rtms\`, stamped by the venue's worker thread as it reads the frame) to the probe's receive time, the gateway's share (the probe's own lateness included, a worker thread reading late excluded). Loop delay: each process's event-loop delay in the window (perf_hooks monitorEventLoopDelay at 5 ms resolution, less the resolution: bench/lib/loop-delay.ts), the worst process of each kind: how late it ran its timers and read its sockets; the gateway's main thread is measured the same way (before Dec 1 its figures included the 5 ms). A late probe process reads late, and a late simulator stamps \`tms\` and then sends late: both show as latency the gateway did not cause. Windows in the order shown, ${s.settleMs / 1000} s apart after renicing.`,
        `Simulators' loop delay p99 / max by venue, niceness ${niceLabel(universe.harnessNice)}: ${Object.entries(universe.lateness.simsByVenue).map(([v, d]) => `${v} ${fixed(d.p99, 0)} / ${fixed(d.max, 0)}`).join(', ')} ms.`,
      ],
    });
    tables.push({
      title: 'Inside the gateway, window by window (its own metrics)',
      head: ['run', 'harness niceness (clients/sims)', 'main thread CPU %', 'flushes\' wall time ms/s', 'flush p50 / p99 ms (bucket)', 'stage p99 ms (bucket): exchange / bus / client', 'socket writes/s'],
      rows: [...baselines, ...universes].map((r) => [
        r.name, niceLabel(r.harnessNice), fixed(r.mainThreadCpuPct, 0), fixed(r.flushWall.msPerS, 0), `≤ ${bound(r.flushWall.p50)} / ≤ ${bound(r.flushWall.p99)}`,
        `≤ ${bound(r.stageP99Ms.exchange)} / ≤ ${bound(r.stageP99Ms.bus)} / ≤ ${bound(r.stageP99Ms.client)}`, si(r.writesPerS),
      ]),
      notes: [
        'Main thread CPU: its user + system time (/proc/self/task), the fan-out\'s thread. Flushes\' wall time: the hub\'s flushes of routed records (`gateway_fanout_flush_seconds`, one per turn with records to write), the socket writes and any wait for a core meanwhile; where it comes near or above the main thread\'s CPU, the thread spent its flushes waiting to run. Stages (`gateway_stage_latency_seconds`, sampled on the first record of every batch; the upper bound of the bucket holding the p99): exchange `tms` → worker receive (`rtms`), bus = receive → out of the bus on the main thread (the worker\'s parse and the wait for the main thread), client = out of the bus → written to the sockets.',
      ],
    });
  }
  tables.push({
      title: 'Where the target comes from: each venue\'s documented push caps',
      head: ['venue', 'simulator step (book cap)', 'tickers', 'source'],
      rows: universe.exchanges.map((ex) => {
        const v = venueRate(ex);
        const tickers = v.tickerEverySecond ? `every ${1000 / (v.tickersPerS as number)} ms, every market` : v.tickersPerS === 'step' ? 'with every step that traded' : `at most ${v.tickersPerS}/s`;
        return [ex, `${v.stepMs} ms`, tickers, v.source];
      }),
      notes: [
        `Target per market: (steps/s) × (${s.tradesPerStep} trades + 1 book update) + its tickers, where steps/s = 1000 / step / every, and every = the market's 24 h turnover share of BTC's × peak ${s.peak}, rounded (sim/market-set.ts \`busyStepEvery\`, at most 200): markets with at least 1/${s.peak} of BTC's turnover step every step (the "at cap" column), the long tail proportionally less. Trades have no cap: ${s.tradesPerStep} per step is an assumption, not a documented figure.`,
      ],
  });
  const method =
    `Method: each venue's simulator (found in its plugin folder) runs in a process of its own (\`bench/universe-sims.ts\`, \`activity: 'skewed'\`, \`peak: ${s.peak}\`, stepping at the venue's book cap: last table), serving its whole market list over REST. ` +
    `The gateway is a standalone Kernel in the benchmark's process${s.historyMaxAgeMs >= 0 ? ` (\`history.maxAgeMs: ${s.historyMaxAgeMs}\`)` : ''}${s.flushMs >= 0 ? ` (\`server.flushMs: ${s.flushMs}\`)` : ''} with \`symbols: all\` on every venue (so it reads each market list and subscribes every market, split into connections as each plugin's limits require). ` +
    `${s.clients} clients in two load processes per venue (\`bench/load-client.ts\`, half JSON, half msgpack), cycling through eight filters per venue: a major's full stream, every ticker at \`interval=1000\`, three majors' books at \`depth=5&interval=250\`, three long-tail markets' trades and tickers, a major's trades batched (\`batch=true\`), listings, one long-tail book, a major's tickers and trades. ` +
    `Latency: client receive − \`tms\` (the simulator's event time) on every ${s.probeEvery}th client (the unshaped major stream: the probes); loss: sq gaps on those. ` +
    `**Priorities:** the gateway (this process) and the probes' load processes (one per venue, holding only the probes) always run at normal priority (niceness 0). The load processes holding the other clients (they only count frames and bytes) and the simulators' processes are reniced between windows of the same run (${s.nices.map((n) => `clients ${n.clients}, simulators ${n.sims}`).join('; then ')}), so that they take the cores only when the gateway leaves them free, as exchanges and clients on other machines would; the first table shows clients at ${s.harnessNice.clients}, simulators at ${s.harnessNice.sims}${others.length ? `, the second every window` : ''}. A simulator stamps \`tms\` when it builds a frame, so one preempted between stamping and sending counts against the gateway, niced or not. ${s.harnessPolicy === 'batch' ? 'Every harness process (probes, other clients, simulators) runs under SCHED_BATCH from the warm-up on, in every window: it keeps the CPU share of its niceness but does not preempt the running thread when it wakes; without it, each loopback write the gateway makes wakes the receiving client process, which may take the writing thread\'s core in the middle of a flush, where on a network the client runs on another machine. ' : 'The harness processes run under the normal policy (`--harness-policy normal`). '}The gateway's exchange worker threads run at niceness 5 (the default of \`exchanges.<id>.nice\`), its main thread at 0. ` +
    `${s.warmMs / 1000} s warm-up and then until every market's book is held, ${s.measureMs / 1000} s measured per window. Records/s in: the gateway's own \`gateway_records_total\`. ` +
    `Baseline, same run: the same clients against Binance, Upbit and Bithumb with their four majors each (one simulators' process, uniform activity, ${s.intervalMs} ms step). Command: \`npm run bench:universe${s.warmMs !== 8000 ? ` -- --warm-ms ${s.warmMs}` : ''}\`. Took ${fixed(tookMs / 1000, 0)} s.`;
  return { title: '6. The whole universe: every market of every venue', method, tables };
}
