// A ZooKeeper ensemble of separate JVMs on one machine, for leader-failover tests: members can be SIGKILLed and
// restarted with their data intact.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePorts, retryOnPortClash } from './free-port.ts';
import { zkMode } from './four-letter.ts';
import type { ZkMode } from './four-letter.ts';
import type { OwnedProcess } from './owned-process.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';
import { until } from './wait.ts';
import { spawnZooKeeper, waitServing, ZK_START_TIMEOUT_MS, zooCfg } from './zookeeper-process.ts';

export interface MemberHandle {
  /** the `myid` of this server, 1-based */
  readonly id: number;
  /** its client port */
  readonly port: number;
  /** the PID of its current JVM (changes on restart) */
  readonly pid: number;
  /** SIGKILL: no goodbye to peers or clients, the way a crashed machine leaves */
  kill9(): Promise<void>;
  /** starts the member again from its data dir (stopping it first if it runs); resolves once it serves */
  restart(): Promise<void>;
  /** leader, follower, `not-serving` while electing or syncing, `down` when nothing listens */
  mode(): Promise<ZkMode>;
}

export interface EnsembleHandle {
  /** `127.0.0.1:p1,127.0.0.1:p2,...` */
  connectString: string;
  members: MemberHandle[];
  /** waits (up to 30 s) until some member reports itself leader */
  leader(): Promise<MemberHandle>;
  close(): Promise<void>;
}

export function startZooKeeperEnsemble(size = 3): Promise<EnsembleHandle> {
  return retryOnPortClash(false, () => startOnce(size));
}

interface Member extends MemberHandle {
  proc: OwnedProcess;
  cfgPath: string;
}

async function startOnce(size: number): Promise<EnsembleHandle> {
  const dir = await makeTempDir('zk-ensemble');
  const members: Member[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.proc.stop()));
    await removeDir(dir);
  };
  try {
    const ports = await freePorts(size * 3);
    const servers = Array.from(
      { length: size },
      (_, i) => `server.${i + 1}=127.0.0.1:${ports[size + i * 2]}:${ports[size + i * 2 + 1]}`,
    );
    for (let id = 1; id <= size; id++) {
      const nodeDir = join(dir, `node-${id}`);
      await mkdir(join(nodeDir, 'data'), { recursive: true });
      await writeFile(join(nodeDir, 'data', 'myid'), `${id}\n`);
      const cfgPath = join(nodeDir, 'zoo.cfg');
      await writeFile(cfgPath, zooCfg({ dataDir: join(nodeDir, 'data'), clientPort: ports[id - 1]!, servers }));
      members.push(member(id, ports[id - 1]!, cfgPath));
    }
    await Promise.all(members.map((m) => waitServing(m.port, m.proc)));
    const handle = ensembleHandle(members, close);
    await handle.leader();
    return handle;
  } catch (err) {
    await close();
    throw err;
  }
}

function member(id: number, port: number, cfgPath: string): Member {
  const spawn = (): OwnedProcess => spawnZooKeeper(`zookeeper-${id}:${port}`, cfgPath);
  const m: Member = {
    id,
    port,
    cfgPath,
    proc: spawn(),
    get pid() {
      return m.proc.pid;
    },
    kill9: () => m.proc.kill9(),
    async restart() {
      await m.proc.stop();
      m.proc = spawn();
      await waitServing(port, m.proc);
    },
    mode: () => zkMode(port),
  };
  return m;
}

function ensembleHandle(members: Member[], closeAll: () => Promise<void>): EnsembleHandle {
  let closing: Promise<void> | undefined;
  return {
    connectString: members.map((m) => `127.0.0.1:${m.port}`).join(','),
    members,
    leader: () =>
      until(
        'an ensemble leader',
        async () => {
          const modes = await Promise.all(members.map((m) => m.mode()));
          return members[modes.indexOf('leader')];
        },
        { timeoutMs: ZK_START_TIMEOUT_MS },
      ),
    close: () => (closing ??= closeAll()),
  };
}
