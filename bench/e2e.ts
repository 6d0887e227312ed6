// Benchmark 3, end to end: exchange simulators (own process) → gateway (standalone kernel, real worker threads) →
// clients (own process), at set record rates. Latency runs from the simulator's send time, which the records carry
// as `tms` (the simulated exchange stamps each event with the time it builds and sends it), to the client's receive
// time; loss is counted by `sq`.
//
//   node --import tsx bench/e2e.ts [--measure-ms 10000] [--out BENCHMARKS.md|-]
//   node --import tsx bench/e2e.ts --soak [--soak-minutes 30] [--soak-rate 10k]     (not part of `npm run bench`)

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger } from '../kernel/log.ts';
import { Args } from './lib/args.ts';
import { measureWindow, start } from './lib/children.ts';
import type { Child } from './lib/children.ts';
import { BENCHMARKS_MD, publish, renderSection } from './lib/report.ts';
import type { Table } from './lib/report.ts';
import { judgeSoak, SoakSampler, timeSeries } from './lib/soak-samples.ts';
import { fixed, histMax, histQuantile, si } from './lib/stats.ts';

const args = new Args();
const MEASURE_MS = args.number('measure-ms', 10_000);
const WARM_MS = args.number('warm-ms', 4000);
const OUT = args.string('out', BENCHMARKS_MD);
const SOAK = args.flag('soak');
const CLIENTS = args.number('clients', 4);
/** p99 bound of a "sustainable" rate in the ramp (besides zero loss) */
const RAMP_BOUND_MS = args.number('ramp-bound-ms', 50);

/**
 * `--mode cluster`: the same levels through the cluster path. ZooKeeper and a Kafka broker (scripts/infra) run on
 * loopback; the gateway is a cluster node that wins the election, produces every record to Kafka and consumes it back
 * with its own consumer group, exactly the path every follower's records take (leader produce → broker → consume).
 */
const CLUSTER = args.string('mode', 'standalone') === 'cluster';
const KAFKA_ACKS = args.number('kafka-acks', 1) as -1 | 1;
const KAFKA_WAIT_MS = args.number('kafka-max-wait-ms', 5);
let clusterInfra: { zookeeper: string; brokers: string[]; close(): Promise<void> } | undefined;

async function startClusterInfra(): Promise<void> {
  const { startKafka, startZooKeeper } = await import('../scripts/infra/index.ts');
  const zk = await startZooKeeper();
  const kafka = await startKafka({ zookeeper: zk.connectString, topics: [{ name: 'market-data', partitions: 3 }] });
  clusterInfra = {
    zookeeper: zk.connectString,
    brokers: kafka.brokers,
    close: async () => {
      await kafka.close();
      await zk.close();
    },
  };
}

const BASES = ['BTC', 'ETH', 'XRP', 'SOL', 'DOGE', 'ADA', 'TRX', 'LINK'];

/** One load level: the simulators' step period, trades per market per step, and markets per exchange. */
interface Level {
  name: string;
  intervalMs: number;
  tradesPerStep: number;
  symbols: number;
  /** with `record.enabled` (raw frames to gzip parts in a temporary folder) */
  record?: boolean;
}

/** records a level should make per second: per market and step, Binance t + a book, Upbit and Bithumb t + book + ticker */
const expectedRate = (l: Level) => (1000 / l.intervalMs) * l.symbols * (3 * l.tradesPerStep + 5) + l.symbols;

interface Report {
  elapsedMs: number;
  frames: number;
  latencies: number;
  hist: number[];
  /** gateway receive (rtms) → client */
  hist2: number[];
  maxMs: number;
  lost: number;
  repeated: number;
  cpuPct: number;
  open: number;
}

interface Result {
  level: Level;
  recordsPerS: number;
  p50: number;
  p99: number;
  max: number;
  /** p99 of the gateway's share: rtms → client */
  gatewayP99: number;
  lost: number;
  repeated: number;
  gatewayCpuPct: number;
  simCpuPct: number;
  clientCpuPct: number;
  /** what the recorders wrote, when recording */
  recorded?: { lines: number; bytes: number; dropped: number; fileBytes: number };
}

const quiet = createLogger('error');
let recordDir: string | undefined;

async function startAll(level: Level, clients: number, probeEvery = 1): Promise<{ sims: Child; kernel: Kernel; client: Child }> {
  const sims = start('sim-process.ts', ['--interval-ms', String(level.intervalMs), '--trades-per-step', String(level.tradesPerStep)]);
  const { urls } = await sims.next<{ urls: Record<string, { url: string; restUrl: string }> }>('ready');
  const bases = BASES.slice(0, level.symbols);
  const cluster = clusterInfra
    ? {
        mode: 'cluster',
        cluster: { zookeeper: clusterInfra.zookeeper, path: `/bench-${Date.now()}`, sessionTimeoutMs: 3000 },
        kafka: { enabled: true, brokers: clusterInfra.brokers, topic: 'market-data', acks: KAFKA_ACKS, maxWaitMs: KAFKA_WAIT_MS },
      }
    : {};
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'error' },
    ...cluster,
    ...(level.record ? { record: { enabled: true, dir: (recordDir = mkdtempSync(join(tmpdir(), 'bench-rec-'))) } } : {}),
    exchanges: {
      binance: { ...urls.binance, symbols: bases.map((b) => `${b}/USDT`) },
      upbit: { ...urls.upbit, symbols: bases.map((b) => `${b}/KRW`) },
      bithumb: { api: 'v1', ...urls.bithumb, symbols: bases.map((b) => `${b}/KRW`) },
    },
  });
  const kernel = new Kernel({ config, log: quiet, statsIntervalMs: 1000 });
  await kernel.start();
  const client = start('load-client.ts', [
    '--port', String(kernel.port),
    '--clients', String(clients),
    '--probe-every', String(probeEvery),
    '--latency-field', 'tms',
    '--second-field', 'rtms',
    '--track-sq',
  ]);
  await client.next('ready');
  return { sims, kernel, client };
}

async function stopAll(parts: Partial<{ sims: Child; kernel: Kernel; client: Child }>): Promise<void> {
  await parts.client?.stop();
  await parts.kernel?.close();
  await parts.sims?.stop();
}

async function runLevel(level: Level): Promise<Result> {
  const parts: Partial<{ sims: Child; kernel: Kernel; client: Child }> = {};
  let recorded: Result['recorded'];
  try {
    Object.assign(parts, await startAll(level, CLIENTS));
    await sleep(WARM_MS);
    const { rep, cpuPct } = await measureWindow<Report>(parts.client!, MEASURE_MS);
    const sim = await parts.sims!.ask<{ cpuPct: number }>({ t: 'stats' }, 'stats');
    if (level.record) {
      const recs = parts.kernel!.supervisors.map((s) => s.recording).filter((r) => r !== undefined);
      recorded = { lines: 0, bytes: 0, dropped: 0, fileBytes: 0 };
      for (const r of recs) {
        recorded.lines += r.lines;
        recorded.bytes += r.bytes;
        recorded.dropped += r.dropped;
      }
    }
    const r: Result = {
      level,
      recordsPerS: rep.frames / CLIENTS / (rep.elapsedMs / 1000),
      p50: histQuantile(rep.hist, 0.5),
      p99: histQuantile(rep.hist, 0.99),
      max: rep.maxMs,
      gatewayP99: histQuantile(rep.hist2, 0.99),
      lost: rep.lost,
      repeated: rep.repeated,
      gatewayCpuPct: cpuPct,
      simCpuPct: sim.cpuPct,
      clientCpuPct: rep.cpuPct,
      recorded,
    };
    console.log(
      `  ${level.name.padEnd(10)} ${si(r.recordsPerS)} records/s (expected ~${si(expectedRate(level))}): p50 ${r.p50} ms, p99 ${r.p99} ms, max ${fixed(r.max, 0)} ms, ` +
        `(gateway's share p99 ${r.gatewayP99} ms), lost ${r.lost}, gateway CPU ${fixed(cpuPct, 0)} %, simulators ${fixed(sim.cpuPct, 0)} %`,
    );
    return r;
  } finally {
    await stopAll(parts);
    if (recordDir) {
      // the parts are complete once the kernel has closed the workers
      const files = readdirSync(recordDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      if (recorded) recorded.fileBytes = files.reduce((n, d) => n + statSync(join(d.parentPath, d.name)).size, 0);
      rmSync(recordDir, { recursive: true, force: true });
      recordDir = undefined;
    }
  }
}

/** CPU of the gateway process includes its worker threads (one per exchange) */
const LEVELS: Level[] = [
  { name: '1k', intervalMs: 20, tradesPerStep: 2, symbols: 2 },
  { name: '10k', intervalMs: 10, tradesPerStep: 7, symbols: 4 },
  // the recorder's cost end to end: the same level with record.enabled
  { name: '10k rec', intervalMs: 10, tradesPerStep: 7, symbols: 4, record: true },
];
const RAMP: Level[] = args.numbers('ramp-trades', [15, 30, 60, 120]).map((t) => ({ name: `ramp t=${t}`, intervalMs: 10, tradesPerStep: t, symbols: 4 }));

async function bench(): Promise<void> {
  const started = performance.now();
  const results: Result[] = [];
  // --levels 1k: only those of the fixed levels (smoke runs)
  const only = args.string('levels', '');
  for (const level of LEVELS.filter((l) => !only || only.split(',').includes(l.name))) results.push(await runLevel(level));
  let highest: Result | undefined;
  for (const level of RAMP) {
    const r = await runLevel(level);
    results.push(r);
    if (r.lost > 0 || r.p99 > RAMP_BOUND_MS || r.recordsPerS < 0.8 * expectedRate(level)) break;
    highest = r;
  }
  const row = (r: Result, label: string) => [
    label,
    `${r.level.intervalMs} ms × ${r.level.tradesPerStep} trades × ${r.level.symbols} symbols × 3 exchanges`,
    si(r.recordsPerS),
    r.p50,
    r.p99,
    fixed(r.max, 0),
    r.gatewayP99,
    r.lost,
    `${fixed(r.gatewayCpuPct, 0)} % / ${fixed(r.simCpuPct, 0)} % / ${fixed(r.clientCpuPct, 0)} %`,
  ];
  const rows = results.map((r) => {
    const bound = CLUSTER ? 30 : 5;
    const target = r.level.name.startsWith('10k') ? `${r.p99 <= bound && r.lost === 0 ? ' ✓' : ' ✗'} (target p99 ≤ ${bound} ms, no loss)` : '';
    return row(r, `${r.level.name}${target}${r === highest ? ' — highest sustainable' : ''}`);
  });
  const mode = CLUSTER ? 'cluster mode (Kafka)' : 'standalone mode';
  const targetP99 = CLUSTER ? 30 : 5;
  const tables: Table[] = [
    {
      title: `Simulator send (\`tms\`) → client receive, ${mode}`,
      head: ['level', 'simulators', 'records/s per client', 'p50 ms', 'p99 ms', 'max ms', 'p99 ms of it in the gateway (rtms → client)', 'lost (sq)', 'CPU gateway / simulators / clients'],
      rows,
      notes: [
        `Highest sustainable: ${highest ? `${si(highest.recordsPerS)} records/s (${highest.level.name})` : 'none of the ramp levels'}; a ramp level counts when nothing is lost, p99 ≤ ${RAMP_BOUND_MS} ms and the clients get ≥ 80 % of the records the simulators should make; the ramp stops at the first that does not.`,
        ...results
          .filter((r) => r.recorded)
          .map((r) => {
            const rec = r.recorded!;
            const mib = (b: number) => fixed(b / 2 ** 20, 1);
            return `\`${r.level.name}\` = the 10k level with recording on (\`record.enabled\`, every raw frame and REST answer to gzip parts): ${si(rec.lines)} lines, ${mib(rec.bytes)} MiB of JSON → ${mib(rec.fileBytes)} MiB on disk (${fixed(rec.bytes / Math.max(1, rec.fileBytes), 1)}× smaller), ${rec.dropped} dropped; compare its p99 and gateway CPU with the 10k row.`;
          }),
        CLUSTER
          ? `Cluster path: one node elected leader through ZooKeeper produces each batch to Kafka 0.9 (3 partitions, acks ${KAFKA_ACKS}, behind the project's ApiVersions proxy) and consumes it back with its own group (fetch wait ${KAFKA_WAIT_MS} ms), as every follower does. Trade-off: \`kafka.maxWaitMs\` bounds the consumer's idle wait (lower = less latency, more fetch requests); \`kafka.acks: -1\` adds the in-sync replicas' round trip (one broker here, so little). Target at 10k: p99 ≤ ${targetP99} ms.`
          : 'Cluster mode: `npm run bench:e2e:cluster` (section below).',
      ],
    },
  ];
  const method =
    `Method: the four simulators run in their own process (\`bench/sim-process.ts\`; Binance, Upbit and Bithumb v1 used); the gateway is a ${CLUSTER ? 'cluster-mode' : 'standalone'} ` +
    `Kernel in this process (one worker thread per exchange, ${CLUSTER ? 'Kafka bus with ZooKeeper and a broker on loopback' : 'in-process bus'}, the real fan-out); ${CLIENTS} clients (half JSON, half msgpack, full stream) ` +
    `in a third process (\`bench/load-client.ts\`). The simulated exchanges stamp each event with the time they build and send it (Binance \`T\`/\`E\`, ` +
    `Upbit/Bithumb \`trade_timestamp\`/\`timestamp\`), which the gateway passes on as \`tms\`: latency = client receive time − \`tms\`, in whole ms (same clock). ` +
    `Loss: gaps in \`sq\` per key and epoch on the JSON clients. ${WARM_MS / 1000} s warm-up (book snapshots, subscriptions), then ${MEASURE_MS / 1000} s measured per level. ` +
    `CPU: % of one core (gateway = main thread + workers${CLUSTER ? '; the broker and ZooKeeper are not counted' : ''}). Command: \`npm run bench:e2e${CLUSTER ? ':cluster' : ''}\`. Took ${fixed((performance.now() - started) / 1000, 0)} s.`;
  if (CLUSTER) publish('e2e-cluster', renderSection('3c. End to end, cluster mode: simulator → leader → Kafka → node → client', method, tables), OUT);
  else publish('e2e', renderSection('3. End to end: simulator → gateway → client', method, tables), OUT);
}

/**
 * Soak: steady load for a long time with client churn. After a warm-up, RSS and heap may grow by at most 5 %, the
 * counts of handles and timers must not grow (compared at equal client counts), nor the event-loop delay. Documented,
 * not part of `npm run bench`. `--note "..."` adds a line (e.g. what else ran on the machine).
 */
async function soak(): Promise<void> {
  const minutes = args.number('soak-minutes', 30);
  const totalMs = minutes * 60_000;
  const warmMs = args.number('soak-warm-ms', Math.min(300_000, Math.max(45_000, totalMs * 0.2)));
  const sampleMs = args.number('soak-sample-ms', 10_000);
  const churnEveryMs = args.number('churn-every-ms', 2000);
  const churnCount = args.number('churn-count', 5);
  const clients = args.number('soak-clients', 50);
  const note = args.string('note', '');
  const level: Level = { name: 'soak', intervalMs: 10, tradesPerStep: args.number('soak-trades', 7), symbols: 4 };
  const parts: Partial<{ sims: Child; kernel: Kernel; client: Child }> = {};
  const sampler = new SoakSampler(() => parts.kernel?.supervisors.reduce((sum, s) => sum + s.workerHeapUsed, 0) ?? 0);
  const t0 = performance.now();
  let churned = 0;
  try {
    // every 10th client measures (and checks sq): all 50 would make the load generator the bottleneck
    Object.assign(parts, await startAll(level, clients, 10));
    sampler.start();
    console.log(`soak: ${minutes} min at ~${si(expectedRate(level))} records/s, ${clients} clients, ${churnCount} replaced every ${churnEveryMs / 1000} s; warm-up ${fixed(warmMs / 1000, 0)} s`);
    let measuring = false;
    let nextSample = 0;
    let nextChurn = churnEveryMs;
    while (performance.now() - t0 < totalMs) {
      await sleep(250);
      sampler.poll();
      const now = performance.now() - t0;
      if (!measuring && now >= warmMs) {
        // latency and loss after warm-up: the exchanges' first (snapshot) messages carry old times
        parts.client!.proc.send({ t: 'measure' });
        measuring = true;
      }
      if (now >= nextChurn) {
        nextChurn += churnEveryMs;
        const r = await parts.client!.ask<{ count: number }>({ t: 'churn', count: churnCount }, 'churned');
        churned += r.count;
      }
      if (now >= nextSample) {
        nextSample += sampleMs;
        const s = sampler.sample();
        console.log(
          `  ${fixed(now / 1000, 0)} s: RSS ${fixed(s.rss / 2 ** 20, 1)} MiB, heap ${fixed(s.heap / 2 ** 20, 1)} MiB, workers' heaps ${fixed(s.workerHeap / 2 ** 20, 1)} MiB, handles ${s.handles}, timers ${s.timers}, ` +
            `loop delay p99 ${fixed(s.eldP99, 1)} ms max ${fixed(s.eldMax, 1)} ms, clients replaced ${churned}`,
        );
      }
    }
    sampler.stop();
    const rep = await parts.client!.ask<Report>({ t: 'report' }, 'report');
    const verdict = judgeSoak(sampler.samples, warmMs);
    const ok = verdict.ok && rep.lost === 0;
    const tables: Table[] = [
      {
        title: `Soak: ${minutes} min, ~${si(rep.frames / clients / (rep.elapsedMs / 1000))} records/s per client, ${clients} clients with ${churned} replaced`,
        head: ['measure', 'after warm-up', 'at the end', 'verdict'],
        rows: [
          ...verdict.rows,
          ['latency p50 / p99 / max (ms), after warm-up', '', `${histQuantile(rep.hist, 0.5)} / ${histQuantile(rep.hist, 0.99)} / ${histMax(rep.hist)}`, ''],
          ['records lost (sq)', '', rep.lost, rep.lost === 0 ? '✓' : '✗'],
        ],
        notes: [
          `Warm-up ${fixed(warmMs / 1000, 0)} s, then a sample every ${sampleMs / 1000} s. ${verdict.notes.join(' ')} Overall: ${ok ? 'pass' : 'FAIL'}.`,
          ...(note ? [note] : []),
        ],
      },
      timeSeries(sampler.samples, Math.max(sampleMs, totalMs / 15), 'Over time (warm-up included)'),
    ];
    const method = `Soak (\`npm run bench:soak\`, or \`node --import tsx bench/e2e.ts --soak --soak-minutes 3\` for a short one): simulators → standalone gateway → ${clients} clients, client churn throughout.`;
    publish(`soak-${minutes}min`, renderSection(`3b. Soak (${minutes} min)`, method, tables), OUT);
  } finally {
    sampler.stop();
    await stopAll(parts);
  }
}

if (CLUSTER) {
  await startClusterInfra();
  try {
    await bench();
  } finally {
    await clusterInfra?.close();
  }
} else await (SOAK ? soak() : bench());
