// One ZooKeeper server JVM from Debian's `zookeeper` package: its zoo.cfg, its classpath, and waiting until it serves.

import { existsSync } from 'node:fs';
import { InfraError } from './errors.ts';
import { zkMode } from './four-letter.ts';
import type { ZkMode } from './four-letter.ts';
import { spawnOwned } from './owned-process.ts';
import type { OwnedProcess } from './owned-process.ts';
import { listensOn } from './port-owner.ts';
import { until } from './wait.ts';

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** Optional: without it ZooKeeper still runs, only its logging goes nowhere. */
const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
/** A JVM start plus ZooKeeper's own start; about 0.3-1 s here, the rest is headroom for a loaded CI machine. */
export const ZK_START_TIMEOUT_MS = 30_000;

/** Debian's zookeeper.jar names its dependencies (jute, netty, slf4j-api...) in its manifest's Class-Path. */
export function zooKeeperClasspath(): string {
  if (!existsSync(ZOOKEEPER_JAR)) {
    throw new InfraError('INFRA_NOT_INSTALLED', `${ZOOKEEPER_JAR} is missing; run scripts/install-deps.sh`);
  }
  return ['/etc/zookeeper/conf', ZOOKEEPER_JAR, SLF4J_SIMPLE_JAR].filter((p) => existsSync(p)).join(':');
}

export interface ZooCfgOptions {
  dataDir: string;
  clientPort: number;
  /** `server.N=127.0.0.1:<peer>:<election>` lines of an ensemble; absent for a standalone server */
  servers?: string[];
}

/** Settings tuned for tests: a short tick so sessions and elections are fast, no fsync, no admin server on 8080. */
export function zooCfg(opts: ZooCfgOptions): string {
  const lines = [
    `dataDir=${opts.dataDir}`,
    `clientPort=${opts.clientPort}`,
    'clientPortAddress=127.0.0.1',
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,srvr,stat,mntr',
    'tickTime=500',
    'minSessionTimeout=1000',
    'forceSync=no',
  ];
  if (opts.servers) lines.push('initLimit=20', 'syncLimit=5', ...opts.servers);
  return lines.join('\n') + '\n';
}

export function spawnZooKeeper(name: string, cfgPath: string): OwnedProcess {
  return spawnOwned(name, 'java', [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-cp',
    zooKeeperClasspath(),
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    cfgPath,
  ]);
}

const SERVING: ReadonlySet<ZkMode> = new Set(['standalone', 'leader', 'follower', 'observer']);

/** Waits until this very process listens on the client port and `srvr` there names a Mode; returns it. */
export function waitServing(port: number, proc: OwnedProcess, timeoutMs = ZK_START_TIMEOUT_MS): Promise<ZkMode> {
  return until(
    `ZooKeeper on 127.0.0.1:${port} to serve`,
    async () => {
      if (!listensOn(proc.pid, port)) return undefined;
      const mode = await zkMode(port);
      return SERVING.has(mode) ? mode : undefined;
    },
    { timeoutMs, proc },
  );
}
