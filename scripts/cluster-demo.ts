// `npm run demo:cluster`: ZooKeeper, Kafka, the exchange simulators, three gateway nodes and nginx (least_conn),
// all on loopback. Open http://127.0.0.1:8080/ (through nginx) or a node directly (8081-8083). Ctrl-C stops all.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfig } from '../kernel/config.ts';
import { createLogger } from '../kernel/log.ts';
import { startKafka, startNginx, startZooKeeper } from './infra/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'config.demo.yaml' },
    nodes: { type: 'string', default: '3' },
    port: { type: 'string', default: '8080' },
  },
});
const log = createLogger('info', 'cluster-demo');
const children: ChildProcess[] = [];
const closers: (() => Promise<unknown>)[] = [];
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info('stopping');
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM'); // our own children, by PID
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  for (const close of closers.reverse()) await close().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

/** starts a child and resolves when `ready` matches a line of its output */
function child(args: string[], ready: RegExp, from: 'stdout' | 'stderr'): Promise<ChildProcess> {
  const c = spawn(process.execPath, [...process.execArgv, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  return new Promise((resolve, reject) => {
    createInterface({ input: c[from]! }).on('line', (line) => {
      if (ready.test(line)) resolve(c);
    });
    c[from === 'stdout' ? 'stderr' : 'stdout']!.resume();
    c.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

try {
  const base = loadConfig(values.config!);
  const zk = await startZooKeeper();
  closers.push(() => zk.close());
  log.info(`ZooKeeper ${zk.connectString}`);
  const kafka = await startKafka({ zookeeper: zk.connectString, topics: [{ name: base.kafka.topic, partitions: base.kafka.partitions }] });
  closers.push(() => kafka.close());
  log.info(`Kafka ${kafka.brokers.join(',')}`);
  // sim/main.ts ends its start-up output with `ready <servers>`; it listens where the configuration's URLs point
  await child(['sim/main.ts', '--config', values.config!], /^ready \d+$/, 'stdout');
  log.info(`simulators on the ports of ${values.config}`);
  const dir = mkdtempSync(join(tmpdir(), 'gw-cluster-'));
  const ports: number[] = [];
  for (let i = 1; i <= Number(values.nodes); i++) {
    const port = Number(values.port) + i;
    const file = join(dir, `node-${i}.yaml`);
    const { nodeId: _n, ...rest } = base;
    writeFileSync(
      file,
      stringify({
        ...rest,
        mode: 'cluster',
        nodeId: `node-${i}`,
        // nginx on loopback fronts every node: its X-Forwarded-For names the real client (docs/operations.md, Security)
        server: { ...base.server, port, trustProxy: ['127.0.0.1', '::1'] },
        cluster: { ...base.cluster, zookeeper: zk.connectString },
        kafka: { ...base.kafka, enabled: true, brokers: kafka.brokers, acks: 1 },
      }),
    );
    await child(['kernel/main.ts', '--config', file], /serving on/, 'stderr');
    ports.push(port);
    log.info(`node-${i} on http://127.0.0.1:${port}/`);
  }
  const lb = await startNginx({ upstreams: ports.map((p) => `127.0.0.1:${p}`), port: Number(values.port) });
  closers.push(() => lb.close());
  log.info(`cluster ready: ${lb.url}/ (nginx least_conn over ${ports.length} nodes); stream ws://127.0.0.1:${values.port}/ws/exchange`);
  log.info('press Ctrl-C to stop everything');
} catch (err) {
  log.error(`cluster demo failed: ${(err as Error).message}`);
  await stop(1);
}
