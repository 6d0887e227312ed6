// Benchmark 3, end to end: exchange simulators (own process) → gateway (standalone kernel, real worker threads) →
// clients (own process), at set record rates. Latency runs from the simulator's send time, which the records carry
// as `tms` (the simulated exchange stamps each event with the time it builds and sends it), to the client's receive
// time; loss is counted by `sq`.
//
//   node --import tsx bench/e2e.ts [--measure-ms 10000] [--out BENCHMARKS.md|-]
//   node --import tsx bench/e2e.ts --soak [--soak-minutes 30] [--soak-rate 10k]     (not part of `npm run bench`)

import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Args } from './lib/args.ts';
import { measureWindow } from './lib/children.ts';
import { expectedRate, startAll, startClusterInfra, stopAll } from './lib/e2e-stack.ts';
import type { ClusterInfra, Level, Report, Stack } from './lib/e2e-stack.ts';
import { BENCHMARKS_MD, publish, renderSection } from './lib/report.ts';
import type { Table } from './lib/report.ts';
import { soak } from './lib/soak-run.ts';
import { fixed, histQuantile, si } from './lib/stats.ts';

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


async function runLevel(level: Level): Promise<Result> {
  const parts: Partial<Stack> = {};
  let recorded: Result['recorded'];
  try {
    Object.assign(parts, await startAll(level, CLIENTS, 1, clusterInfra));
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
    const recordDir = parts.recordDir;
    if (recordDir) {
      // the parts are complete once the kernel has closed the workers
      const files = readdirSync(recordDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      if (recorded) recorded.fileBytes = files.reduce((n, d) => n + statSync(join(d.parentPath, d.name)).size, 0);
      rmSync(recordDir, { recursive: true, force: true });
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

let clusterInfra: ClusterInfra | undefined;
if (CLUSTER) {
  clusterInfra = await startClusterInfra(KAFKA_ACKS, KAFKA_WAIT_MS);
  try {
    await bench();
  } finally {
    await clusterInfra.close();
  }
} else await (SOAK ? soak(args, OUT) : bench());
