// The end-to-end stack of the benchmarks (bench/e2e.ts, its soak): the simulators in their own process, a Kernel in
// this one (standalone, or a cluster node producing to and consuming from Kafka), the load client in a third.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../kernel/config.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { createLogger } from '../../kernel/log.ts';
import { start } from './children.ts';
import type { Child } from './children.ts';

/** ZooKeeper and a Kafka broker on loopback (scripts/infra), for the cluster path */
export interface ClusterInfra {
  zookeeper: string;
  brokers: string[];
  acks: -1 | 1;
  maxWaitMs: number;
  close(): Promise<void>;
}

export async function startClusterInfra(acks: -1 | 1, maxWaitMs: number): Promise<ClusterInfra> {
  const { startKafka, startZooKeeper } = await import('../../scripts/infra/index.ts');
  const zk = await startZooKeeper();
  const kafka = await startKafka({ zookeeper: zk.connectString, topics: [{ name: 'market-data', partitions: 3 }] });
  return {
    zookeeper: zk.connectString,
    brokers: kafka.brokers,
    acks,
    maxWaitMs,
    close: async () => {
      await kafka.close();
      await zk.close();
    },
  };
}

export const BASES = ['BTC', 'ETH', 'XRP', 'SOL', 'DOGE', 'ADA', 'TRX', 'LINK'];

/** One load level: the simulators' step period, trades per market per step, and markets per exchange. */
export interface Level {
  name: string;
  intervalMs: number;
  tradesPerStep: number;
  symbols: number;
  /** with `record.enabled` (raw frames to gzip parts in a temporary folder) */
  record?: boolean;
}

/** records a level should make per second: per market and step, Binance t + a book, Upbit and Bithumb t + book + ticker */
export const expectedRate = (l: Level) => (1000 / l.intervalMs) * l.symbols * (3 * l.tradesPerStep + 5) + l.symbols;

export interface Report {
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


const quiet = createLogger('error');

export interface Stack {
  sims: Child;
  kernel: Kernel;
  client: Child;
  /** the recording's folder, when the level records */
  recordDir?: string;
}

export async function startAll(level: Level, clients: number, probeEvery = 1, clusterInfra?: ClusterInfra): Promise<Stack> {
  let recordDir: string | undefined;
  const sims = start('sim-process.ts', ['--interval-ms', String(level.intervalMs), '--trades-per-step', String(level.tradesPerStep)]);
  const { urls } = await sims.next<{ urls: Record<string, { url: string; restUrl: string }> }>('ready');
  const bases = BASES.slice(0, level.symbols);
  const cluster = clusterInfra
    ? {
        mode: 'cluster',
        cluster: { zookeeper: clusterInfra.zookeeper, path: `/bench-${Date.now()}`, sessionTimeoutMs: 3000 },
        kafka: { enabled: true, brokers: clusterInfra.brokers, topic: 'market-data', acks: clusterInfra.acks, maxWaitMs: clusterInfra.maxWaitMs },
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
  return { sims, kernel, client, recordDir };
}

export async function stopAll(parts: Partial<{ sims: Child; kernel: Kernel; client: Child }>): Promise<void> {
  await parts.client?.stop();
  await parts.kernel?.close();
  await parts.sims?.stop();
}
