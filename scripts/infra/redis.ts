// A private redis-server on a loopback port: no persistence, not daemonized so we own its PID, ready when it
// answers PING over a raw socket (no Redis client package needed).

import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, retryOnPortClash } from './free-port.ts';
import { spawnOwned } from './owned-process.ts';
import type { OwnedProcess } from './owned-process.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';
import { listensOn } from './port-owner.ts';
import { until } from './wait.ts';

const REDIS_START_TIMEOUT_MS = 15_000;

export interface RedisHandle {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** the server's PID (changes after start()) */
  readonly pid: number;
  /** An outage: SIGTERM (SIGKILL after a deadline) and wait for the exit; start() brings it back on the same port. */
  stop(): Promise<void>;
  /** An outage without goodbye: SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
  /** Starts the server again on the same port (empty: nothing is persisted); resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after a deadline), wait for the exit, remove the temp dir. Idempotent. */
  close(): Promise<void>;
}

export function startRedis(opts: { port?: number } = {}): Promise<RedisHandle> {
  return retryOnPortClash(opts.port !== undefined, () => startOnce(opts.port));
}

/** Sends one inline command and resolves with the first reply line, e.g. `+PONG`. */
export function redisCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${command} on port ${port} timed out`)));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}

async function startOnce(fixedPort: number | undefined): Promise<RedisHandle> {
  const dir = await makeTempDir('redis');
  let proc: OwnedProcess | undefined;
  try {
    const port = fixedPort ?? (await freePort());
    const launch = async (): Promise<OwnedProcess> => {
      // `--save ""` turns snapshots off; the empty string must be its own argument, which spawn (no shell) keeps.
      const p = spawnOwned(`redis:${port}`, 'redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--daemonize', 'no', '--pidfile', join(dir, 'redis.pid'), '--dir', dir, '--logfile', '',
      ]);
      proc = p;
      await until(
        `redis on 127.0.0.1:${port} to answer PING`,
        async () => listensOn(p.pid, port) && (await redisCommand(port, 'PING')) === '+PONG',
        { timeoutMs: REDIS_START_TIMEOUT_MS, proc: p },
      );
      return p;
    };
    await launch();
    let closing: Promise<void> | undefined;
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      get pid() {
        return proc!.pid;
      },
      stop: () => proc!.stop(),
      kill9: () => proc!.kill9(),
      start: async () => {
        if (closing || proc!.running) return;
        await launch();
      },
      close: () =>
        (closing ??= (async () => {
          await proc?.stop();
          await removeDir(dir);
        })()),
    };
  } catch (err) {
    await proc?.stop();
    await removeDir(dir);
    throw err;
  }
}
