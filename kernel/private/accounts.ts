// The configured private accounts as the main thread holds them: keys read from the environment variables the
// config names (never from the file), handed to the exchange's worker, and described for health without them.

import { GatewayError } from '../../sdk/errors.ts';
import type { Logger } from '../log.ts';
import type { ConnectionStats } from '../../boundary/worker-protocol.ts';
import type { PrivateAccountEntry, PrivateConfig } from './config.ts';
import type { PrivateAccountInit } from '../../sdk/private.ts';

interface Account {
  entry: PrivateAccountEntry;
  /** absent while a variable is unset: the account is not connected */
  init?: PrivateAccountInit;
  /** names (never values) of the variables that are unset */
  missing: string[];
}

export class PrivateAccounts {
  private readonly accounts: Account[];

  constructor(config: PrivateConfig, env: Record<string, string | undefined>, log: Logger) {
    this.accounts = config.accounts.map((entry) => {
      // a key pasted from a file often ends in a newline: surrounding whitespace is never part of a key
      const accessKey = env[entry.accessKeyEnv]?.trim();
      const secretKey = env[entry.secretKeyEnv]?.trim();
      const missing = [entry.accessKeyEnv, entry.secretKeyEnv].filter((v) => !env[v]?.trim());
      if (missing.length || !accessKey || !secretKey) {
        log.warn(`private account ${entry.id} (${entry.exchange}) is not connected: environment variable ${missing.join(' and ')} not set`);
        return { entry, missing };
      }
      const { id, channels, symbols, url } = entry;
      return { entry, missing, init: { id, channels, ...(symbols ? { symbols } : {}), ...(url ? { url } : {}), credentials: { accessKey, secretKey } } };
    });
  }

  get size(): number {
    return this.accounts.length;
  }

  /** refuses accounts on an exchange this gateway does not run (or without private streams), naming the key */
  check(problem: (exchange: string) => string | undefined): void {
    this.accounts.forEach((a, i) => {
      const why = problem(a.entry.exchange);
      if (why) throw new GatewayError('CONFIG_INVALID', `private.accounts.${i}.exchange: "${a.entry.exchange}" ${why}`);
    });
  }

  /** what the exchange's worker connects: the accounts whose keys are present */
  forExchange(exchange: string): PrivateAccountInit[] {
    return this.accounts.flatMap((a) => (a.entry.exchange === exchange && a.init ? [a.init] : []));
  }

  /** health: per account, its connection figures and whether its keys are present; never a key */
  describe(connections: (exchange: string) => ConnectionStats[]): Record<string, unknown>[] {
    return this.accounts.map(({ entry, init, missing }) => {
      const conn = connections(entry.exchange).find((c) => c.name === `private-${entry.id}`);
      const state = !init ? 'missing-credentials' : (conn?.state ?? 'inactive');
      const refused = conn && conn.state !== 'open' ? Object.keys(conn.errors).find((k) => k === 'HTTP_401' || k === 'HTTP_403') : undefined;
      return {
        id: entry.id,
        exchange: entry.exchange,
        channels: entry.channels,
        ...(entry.symbols ? { symbols: entry.symbols } : {}),
        state,
        connected: conn?.state === 'open',
        ...(refused ? { reason: `the exchange refused the keys (${refused.replace('_', ' ')}); retrying with backoff` } : {}),
        ...(missing.length ? { missingEnv: missing } : {}),
        ...(conn
          ? { url: conn.url, ep: conn.ep, connectedAt: conn.connectedAt, lastHeardAt: conn.lastHeardAt, messages: conn.messages, records: conn.records, reconnects: conn.reconnects, errors: conn.errors }
          : {}),
      };
    });
  }
}
