// One way to open Redis connections: never throws into callers, retries forever, and reports health.

import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';
import { redact } from '../log.ts';

export interface RedisConnection {
  client: Redis;
  healthy(): boolean;
  lastError(): string | undefined;
  close(): Promise<void>;
}

/** `extra`: ioredis options on top of these, e.g. a `commandTimeout` so a hung server fails commands */
export function connectRedis(url: string, name: string, log: Logger, extra: RedisOptions = {}): RedisConnection {
  let error: string | undefined;
  let ready = false;
  const client = new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    // fail commands at once while disconnected instead of queueing them without bound
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(2000, 100 * 2 ** Math.min(times, 5)),
    ...extra,
  });
  client.on('ready', () => {
    if (!ready) log.info(`Redis ${name} connected (${redact(url)})`);
    ready = true;
    error = undefined;
  });
  client.on('error', (err: Error) => {
    if (ready || error !== err.message) log.warn(`Redis ${name}: ${err.message}`);
    error = err.message;
  });
  client.on('end', () => (ready = false));
  client.on('close', () => (ready = false));
  return {
    client,
    healthy: () => ready && client.status === 'ready',
    lastError: () => error,
    close: async () => {
      client.disconnect();
    },
  };
}
