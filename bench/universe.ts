// Benchmark 6, the whole market universe: every discovered exchange simulator serving its whole market list at
// skewed, turnover-shaped activity (a few markets carry most of the flow), a standalone gateway subscribed to every
// market of every venue (`symbols: all`), and thousands of clients with mixed filters and shapes. Beside it, from
// the same run, the baseline: the same clients against the three original venues with four markets each.
//
//   node --import tsx bench/universe.ts [--clients 5000] [--measure-ms 15000] [--interval-ms 100]
//        [--trades-per-step 2] [--venues okx,kraken] [--out BENCHMARKS.md|-]

import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger } from '../kernel/log.ts';
import { Args } from './lib/args.ts';
import { start } from './lib/children.ts';
import type { Child } from './lib/children.ts';
import { BENCHMARKS_MD, publish, renderSection } from './lib/report.ts';
import type { Table } from './lib/report.ts';
import { fixed, histQuantile, si } from './lib/stats.ts';

const args = new Args();
const CLIENTS = args.number('clients', 5000);
const MEASURE_MS = args.number('measure-ms', 15_000);
const WARM_MS = args.number('warm-ms', 8000);
const INTERVAL_MS = args.number('interval-ms', 100);
const TRADES = args.number('trades-per-step', 2);
const OUT = args.string('out', BENCHMARKS_MD);
const PROBE_EVERY = 8;
const MAJORS = ['BTC', 'ETH', 'XRP', 'SOL'];
/** `--venues a,b`: only these exchanges in the universe run (default: every simulator found) */
const VENUES = args.string('venues', '');

interface Report {
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

interface Run {
  name: string;
  exchanges: string[];
  markets: Record<string, number>;
  recordsIn: Record<string, number>;
  perExchange: Record<string, Report>;
  gatewayCpuPct: number;
  rssMiB: number;
  simCpuPct: number;
}

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

/** gateway_records_total per exchange, from the kernel's own metrics */
async function recordsTotal(http: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^gateway_records_total\{exchange="([^"]+)"\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

async function run(name: string, universe: boolean): Promise<Run> {
  const sims = start('universe-sims.ts', ['--interval-ms', String(INTERVAL_MS), '--trades-per-step', String(TRADES), ...(universe ? ['--skewed', ...(VENUES ? ['--only', VENUES] : [])] : ['--only', 'binance,upbit,bithumb'])]);
  const clients: Child[] = [];
  let kernel: Kernel | undefined;
  try {
    const { sections } = await sims.next<{ sections: Record<string, Record<string, unknown>> }>('ready');
    const exchanges = Object.keys(sections);
    const quote: Record<string, string> = {};
    const config = parseConfig({
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'error' },
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
      clients.push(
        start('load-client.ts', [
          '--port', String(kernel.port),
          '--clients', String(per),
          '--probe-every', String(PROBE_EVERY),
          '--queries', q.join('|'),
          '--latency-field', 'tms',
          '--skip-types', 'listing',
          '--track-sq',
        ]),
      );
    }
    await Promise.all(clients.map((c) => c.next('ready', 300_000)));
    await sleep(WARM_MS);
    const before = await recordsTotal(http);
    for (const c of clients) c.proc.send({ t: 'measure' });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let rss = 0;
    const rssTimer = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 500);
    await sleep(MEASURE_MS);
    clearInterval(rssTimer);
    const reports = await Promise.all(clients.map((c) => c.ask<Report>({ t: 'report' }, 'report')));
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const after = await recordsTotal(http);
    const sim = await sims.ask<{ cpuPct: number }>({ t: 'stats' }, 'stats');
    const recordsIn = Object.fromEntries(exchanges.map((ex) => [ex, ((after[ex] ?? 0) - (before[ex] ?? 0)) / (elapsed / 1000)]));
    return {
      name,
      exchanges,
      markets,
      recordsIn,
      perExchange: Object.fromEntries(exchanges.map((ex, i) => [ex, reports[i]!])),
      gatewayCpuPct: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
      rssMiB: Math.max(rss, process.memoryUsage().rss) / 2 ** 20,
      simCpuPct: sim.cpuPct,
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await kernel?.close();
    await sims.stop();
  }
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

function rows(r: Run): (string | number)[][] {
  const line = (label: string, markets: number, recIn: number, reps: Report[]) => {
    const m = merged(reps);
    return [label, markets, si(recIn), si(m.frames / (m.elapsedMs / 1000)), histQuantile(m.hist, 0.5), histQuantile(m.hist, 0.99), fixed(m.max, 0), m.lost, m.open];
  };
  const out = r.exchanges.map((ex) => line(`${r.name}: ${ex}`, r.markets[ex]!, r.recordsIn[ex]!, [r.perExchange[ex]!]));
  const total = line(`**${r.name}: all**`, Object.values(r.markets).reduce((a, b) => a + b, 0), Object.values(r.recordsIn).reduce((a, b) => a + b, 0), Object.values(r.perExchange));
  return [...out, [...total.slice(0, 9)]];
}

const started = performance.now();
const baseline = await run('baseline', false);
const universe = await run('universe', true);
const total = merged(Object.values(universe.perExchange));
const p99 = histQuantile(total.hist, 0.99);
const ok = p99 <= 50 && universe.rssMiB <= 1536 && total.lost === 0;
const tables: Table[] = [
  {
    title: `The whole universe: ${Object.values(universe.markets).reduce((a, b) => a + b, 0)} markets on ${universe.exchanges.length} venues, ${CLIENTS} clients`,
    head: ['run: exchange', 'markets', 'records/s in', 'deliveries/s out', 'p50 ms', 'p99 ms', 'max ms', 'lost (sq)', 'clients open'],
    rows: [...rows(baseline), ...rows(universe)],
    notes: [
      `Gateway (main thread + one worker per venue): universe ${fixed(universe.gatewayCpuPct, 0)} % CPU of one core, RSS ${fixed(universe.rssMiB, 0)} MiB peak; baseline ${fixed(baseline.gatewayCpuPct, 0)} %, ${fixed(baseline.rssMiB, 0)} MiB. Simulators' process: ${fixed(universe.simCpuPct, 0)} % / ${fixed(baseline.simCpuPct, 0)} %.`,
      `Goal on 2 cores: p99 ≤ 50 ms, RSS ≤ 1.5 GB, no loss: p99 ${p99} ms, RSS ${fixed(universe.rssMiB, 0)} MiB, lost ${total.lost} → ${ok ? '✓ met' : '✗ not met'}.`,
    ],
  },
];
const method =
  `Method: every simulator found in a plugin folder runs in one process (\`bench/universe-sims.ts\`, \`activity: 'skewed'\`: a market steps in proportion to its 24 h turnover, BTC every ${INTERVAL_MS} ms, the long tail every 40th-200th step; ${TRADES} trades per step), serving its whole market list over REST. ` +
  `The gateway is a standalone Kernel in this process with \`symbols: all\` on every venue (so it reads each market list and subscribes every market, split into connections as each plugin's limits require). ` +
  `${CLIENTS} clients in one load process per venue (\`bench/load-client.ts\`, half JSON, half msgpack), cycling through eight filters per venue: a major's full stream, every ticker at \`interval=1000\`, three majors' books at \`depth=5&interval=250\`, three long-tail markets' trades and tickers, a major's trades batched (\`batch=true\`), listings, one long-tail book, a major's tickers and trades. ` +
  `Latency: client receive − \`tms\` (the simulator's send time) on every ${PROBE_EVERY}th client (the unshaped major stream); loss: sq gaps on those. ${WARM_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured. ` +
  `Baseline, same run: the same clients against Binance, Upbit and Bithumb with their four majors each. Command: \`npm run bench:universe\`. Took ${fixed((performance.now() - started) / 1000, 0)} s.`;
publish('universe', renderSection('6. The whole universe: every market of every venue', method, tables), OUT);
