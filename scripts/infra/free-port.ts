// Free loopback ports chosen by the OS, so parallel test runs and other people's services never collide on a guess.

import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { isPortClash } from './errors.ts';

/**
 * Returns `count` distinct ports that were free a moment ago. The listeners are held open together so the OS cannot
 * hand out the same port twice; the small window between closing them and the service binding is covered by the
 * launchers retrying on a port clash.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/**
 * Runs `start` again (it picks new ports itself) when the service died because a port we chose was taken in the
 * meantime. Ports the caller fixed are never retried: a clash there is the caller's to see.
 */
export async function retryOnPortClash<T>(portsFixed: boolean, start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (portsFixed || attempt >= attempts || !isPortClash(err)) throw err;
    }
  }
}
