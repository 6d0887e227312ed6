// Command line for the infrastructure launchers: starts one service on loopback, prints its addresses as JSON, and
// stops it (and removes its temp dir) on Ctrl-C or SIGTERM. Usage: tsx scripts/infra.ts --help

import { parseArgs } from 'node:util';
import {
  nginxConfig,
  startKafka,
  startNginx,
  startRedis,
  startZooKeeper,
  startZooKeeperEnsemble,
} from './infra/index.ts';
import type { TopicSpec } from './infra/index.ts';

const USAGE = `tsx scripts/infra.ts <service> [options]
  zookeeper   [--port N]
  ensemble    [--size 3]
  kafka       [--zookeeper host:port[,host:port]] [--topic name:partitions]... [--port N]
              (starts its own ZooKeeper when --zookeeper is absent)
  redis       [--port N]
  nginx       --upstream host:port [--upstream host:port]... [--port N]
  nginx-config --upstream host:port... --port N   (prints the config and exits)`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    size: { type: 'string' },
    zookeeper: { type: 'string' },
    topic: { type: 'string', multiple: true },
    upstream: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});

const port = values.port === undefined ? undefined : Number(values.port);
const closers: (() => Promise<void>)[] = [];

function topics(): TopicSpec[] {
  return (values.topic ?? []).map((spec) => {
    const [name, partitions = '1'] = spec.split(':');
    return { name: name!, partitions: Number(partitions) };
  });
}

async function start(service: string | undefined): Promise<Record<string, unknown> | undefined> {
  switch (service) {
    case 'zookeeper': {
      const zk = await startZooKeeper({ port });
      closers.push(zk.close);
      return { connectString: zk.connectString, pid: zk.pid };
    }
    case 'ensemble': {
      const ensemble = await startZooKeeperEnsemble(Number(values.size ?? 3));
      closers.push(ensemble.close);
      const members = ensemble.members.map((m) => ({ id: m.id, port: m.port, pid: m.pid }));
      return { connectString: ensemble.connectString, members };
    }
    case 'kafka': {
      let zookeeper = values.zookeeper;
      if (!zookeeper) {
        const zk = await startZooKeeper();
        closers.push(zk.close);
        zookeeper = zk.connectString;
      }
      const kafka = await startKafka({ zookeeper, topics: topics(), port });
      closers.push(kafka.close);
      return { brokers: kafka.brokers, zookeeper: kafka.zookeeper, pid: kafka.pid };
    }
    case 'redis': {
      const redis = await startRedis({ port });
      closers.push(redis.close);
      return { url: redis.url, pid: redis.pid };
    }
    case 'nginx': {
      const nginx = await startNginx({ upstreams: values.upstream ?? [], port });
      closers.push(nginx.close);
      return { url: nginx.url, pid: nginx.pid };
    }
    case 'nginx-config':
      process.stdout.write(nginxConfig(values.upstream ?? [], port ?? 8080));
      return undefined;
    default:
      console.error(USAGE);
      process.exitCode = values.help ? 0 : 2;
      return undefined;
  }
}

async function stop(): Promise<void> {
  // Reverse order: Kafka before the ZooKeeper it registered in.
  for (const close of closers.reverse()) await close();
}

try {
  const info = await start(positionals[0]);
  if (info) {
    console.log(JSON.stringify(info));
    console.error('running; Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await stop();
}
