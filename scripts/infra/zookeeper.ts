// A standalone ZooKeeper on a loopback port of its own, in a fresh temp dir, owned by PID.

import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, retryOnPortClash } from './free-port.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';
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

async function startOnce(fixedPort: number | undefined): Promise<ZkHandle> {
  const dir = await makeTempDir('zookeeper');
  let proc: ReturnType<typeof spawnZooKeeper> | undefined;
  try {
    const port = fixedPort ?? (await freePort());
    await mkdir(join(dir, 'data'));
    const cfgPath = join(dir, 'zoo.cfg');
    await writeFile(cfgPath, zooCfg({ dataDir: join(dir, 'data'), clientPort: port }));
    proc = spawnZooKeeper(`zookeeper:${port}`, cfgPath);
    await waitServing(port, proc);
    const owned = proc;
    let closing: Promise<void> | undefined;
    return {
      connectString: `127.0.0.1:${port}`,
      port,
      pid: owned.pid,
      close: () =>
        (closing ??= (async () => {
          await owned.stop();
          await removeDir(dir);
        })()),
    };
  } catch (err) {
    await proc?.stop();
    await removeDir(dir);
    throw err;
  }
}
