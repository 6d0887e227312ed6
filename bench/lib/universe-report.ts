// The universe benchmark's section of BENCHMARKS.md: per venue and in total, the records/s the simulators should
// produce (bench/lib/universe-rates.ts) beside what the gateway took in, deliveries out, latency, loss; the
// gateway's and the simulators' CPU; the goal's verdict; and the cadences the target comes from.

import type { Table } from './report.ts';
import { fixed, histQuantile, si } from './stats.ts';
import { venueRate } from './universe-rates.ts';

/** one load process's figures for its window */
export interface Report {
  elapsedMs: number;
  frames: number;
  hist: number[];
  maxMs: number;
  lost: number;
  latencies: number;
  cpuPct: number;
  open: number;
  closeCodes: Record<string, number>;
}

export interface Run {
  name: string;
  exchanges: string[];
  markets: Record<string, number>;
  recordsIn: Record<string, number>;
  /** what the simulators should produce for the subscribed markets (universe-rates.ts) */
  target: Record<string, number>;
  /** markets stepping every interval: at the venue's caps */
  atCap: Record<string, number>;
  perExchange: Record<string, Report>;
  gatewayCpuPct: number;
  /** the gateway's main-thread event-loop delay in the window */
  loopDelayMs: { p99: number; max: number };
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
  warmMs: number;
  measureMs: number;
}

function merged(reports: Report[]): { hist: number[]; frames: number; elapsedMs: number; max: number; lost: number; open: number } {
  const hist = reports[0]!.hist.map((_, i) => reports.reduce((s, r) => s + r.hist[i]!, 0));
  return {
    hist,
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
  const line = (label: string, markets: number, atCap: number, target: number, recIn: number, reps: Report[]) => {
    const m = merged(reps);
    return [label, markets, atCap, si(target), si(recIn), `${fixed((recIn / target) * 100, 0)} %`, si(m.frames / (m.elapsedMs / 1000)), q(m.hist, 0.5), q(m.hist, 0.99), fixed(m.max, 0), m.lost, m.open];
  };
  const out = r.exchanges.map((ex) => line(`${r.name}: ${ex}`, r.markets[ex]!, r.atCap[ex]!, r.target[ex]!, r.recordsIn[ex]!, [r.perExchange[ex]!]));
  out.push(line(`**${r.name}: all**`, sum(r.markets), sum(r.atCap), sum(r.target), sum(r.recordsIn), Object.values(r.perExchange)));
  return out;
}

/** the main thread's GC pauses: how many, their share of the window, the longest, and the major ones */
function gcLine(r: Run): string {
  const g = r.gc;
  return `${g.count} pauses (${fixed(g.pct, 1)} % of the time), longest ${fixed(g.maxMs, 0)} ms; ${g.major} major, ${fixed(g.majorMs, 0)} ms in all`;
}

export function universeReport(baseline: Run, universe: Run, s: Settings, tookMs: number): { title: string; method: string; tables: Table[] } {
  const total = merged(Object.values(universe.perExchange));
  const p99 = q(total.hist, 0.99);
  const ok = typeof p99 === 'number' && p99 <= 50 && universe.rssMiB <= 1536 && total.lost === 0;
  const simCpu = Object.entries(universe.simCpuPct).map(([v, c]) => `${v} ${fixed(c, 0)}`).join(', ');
  const tables: Table[] = [
    {
      title: `The whole universe: ${sum(universe.markets)} markets on ${universe.exchanges.length} venues, ${s.clients} clients`,
      head: ['run: exchange', 'markets', 'at cap', 'target rec/s', 'records/s in', 'of target', 'deliveries/s out', 'p50 ms', 'p99 ms', 'max ms', 'lost (sq)', 'clients open'],
      rows: [...rows(baseline), ...rows(universe)],
      notes: [
        `Gateway (main thread + one worker per venue, this process): universe ${fixed(universe.gatewayCpuPct, 0)} % CPU of one core, RSS ${fixed(universe.rssMiB, 0)} MiB peak; baseline ${fixed(baseline.gatewayCpuPct, 0)} %, ${fixed(baseline.rssMiB, 0)} MiB. Main-thread event-loop delay p99 / max: universe ${fixed(universe.loopDelayMs.p99, 0)} / ${fixed(universe.loopDelayMs.max, 0)} ms, baseline ${fixed(baseline.loopDelayMs.p99, 0)} / ${fixed(baseline.loopDelayMs.max, 0)} ms.`,
        `Main thread's garbage collection in the window: universe ${gcLine(universe)}; baseline ${gcLine(baseline)}. Socket writes to clients: universe ${si(universe.writesPerS)}/s in ${si(universe.flushesPerS)} flushes/s, baseline ${si(baseline.writesPerS)}/s in ${si(baseline.flushesPerS)}/s.`,
        `Simulators' processes (% of one core): universe ${fixed(sum(universe.simCpuPct), 0)} % in all (${simCpu}); baseline ${fixed(sum(baseline.simCpuPct), 0)} %. Load clients' processes: universe ${fixed(loadCpu(universe), 0)} % in all, baseline ${fixed(loadCpu(baseline), 0)} %.`,
        `Goal on 2 cores: p99 ≤ 50 ms at the target rate, RSS ≤ 1.5 GB, no loss: p99 ${p99} ms at ${fixed((sum(universe.recordsIn) / sum(universe.target)) * 100, 0)} % of the target, RSS ${fixed(universe.rssMiB, 0)} MiB, lost ${total.lost} → ${ok ? '✓ met' : '✗ not met'}.`,
      ],
    },
    {
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
    },
  ];
  const method =
    `Method: each venue's simulator (found in its plugin folder) runs in a process of its own (\`bench/universe-sims.ts\`, \`activity: 'skewed'\`, \`peak: ${s.peak}\`, stepping at the venue's book cap: table 2), serving its whole market list over REST. ` +
    `The gateway is a standalone Kernel in the benchmark's process${s.historyMaxAgeMs >= 0 ? ` (\`history.maxAgeMs: ${s.historyMaxAgeMs}\`)` : ''}${s.flushMs >= 0 ? ` (\`server.flushMs: ${s.flushMs}\`)` : ''} with \`symbols: all\` on every venue (so it reads each market list and subscribes every market, split into connections as each plugin's limits require). ` +
    `${s.clients} clients in one load process per venue (\`bench/load-client.ts\`, half JSON, half msgpack), cycling through eight filters per venue: a major's full stream, every ticker at \`interval=1000\`, three majors' books at \`depth=5&interval=250\`, three long-tail markets' trades and tickers, a major's trades batched (\`batch=true\`), listings, one long-tail book, a major's tickers and trades. ` +
    `Latency: client receive − \`tms\` (the simulator's event time) on every ${s.probeEvery}th client (the unshaped major stream); loss: sq gaps on those. ${s.warmMs / 1000} s warm-up, ${s.measureMs / 1000} s measured. Records/s in: the gateway's own \`gateway_records_total\`. ` +
    `Baseline, same run: the same clients against Binance, Upbit and Bithumb with their four majors each (one simulators' process, uniform activity, ${s.intervalMs} ms step). Command: \`npm run bench:universe${s.warmMs !== 8000 ? ` -- --warm-ms ${s.warmMs}` : ''}\`. Took ${fixed(tookMs / 1000, 0)} s.`;
  return { title: '6. The whole universe: every market of every venue', method, tables };
}
