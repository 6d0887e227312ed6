// A standalone ZooKeeper on a loopback port of its own, in a fresh temp dir, owned by PID.

import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, retryOnPortClash } from './free-port.ts';
import { startInTempDir } from './owned-process.ts';
import { spawnZooKeeper, waitServing, zooCfg } from './zookeeper-process.ts';

export interface ZkHandle {
  /** for clients: `127.0.0.1:PORT` */
  connectString: string;
  port: number;
  pid: number;
  /** SIGTERM, SIGKILL after a deadline, waits for the exit, removes the temp dir. Idempotent. */
  close(): Promise<void>;
}

export function startZooKeeper(opts: { port?: number } = {}): Promise<ZkHandle> {
  return retryOnPortClash(opts.port !== undefined, () => startOnce(opts.port));
}

function startOnce(fixedPort: number | undefined): Promise<ZkHandle> {
  return startInTempDir('zookeeper', async (dir, own) => {
    const port = fixedPort ?? (await freePort());
    await mkdir(join(dir, 'data'));
    const cfgPath = join(dir, 'zoo.cfg');
    await writeFile(cfgPath, zooCfg({ dataDir: join(dir, 'data'), clientPort: port }));
    await waitServing(port, own(spawnZooKeeper(`zookeeper:${port}`, cfgPath)));
    return { connectString: `127.0.0.1:${port}`, port };
  });
}
