// Loads config.yaml, fills built-in defaults and validates it; errors name the key and what was expected.

import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { GatewayError } from '../sdk/errors.ts';
import { RECORD_TYPES, isSymbol } from '../sdk/model.ts';
import { derivedSchema } from './derived/config.ts';
import { privateSchema } from './private/config.ts';
import { authSchema, limitsSchema, serverSecurityShape } from './security/config-schema.ts';

const symbol = z.string().refine(isSymbol, { message: 'expected a unified symbol BASE/QUOTE in upper case, e.g. BTC/KRW' });
const url = (schemes: string[]) =>
  z.string().refine((u) => schemes.some((s) => u.startsWith(`${s}://`)), {
    message: `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`,
  });

const reconnectSchema = z.strictObject({
  initialDelayMs: z.number().int().min(0).default(500),
  maxDelayMs: z.number().int().min(1).default(30_000),
  multiplier: z.number().min(1).default(2),
  /** a connection open this long without trouble resets the backoff */
  resetAfterMs: z.number().int().min(0).default(60_000),
});

/** One exchange. Keys not listed here are passed to the plugin as its options (e.g. Bithumb's `api`). */
const exchangeSchema = z.looseObject({
  enabled: z.boolean().default(true),
  url: url(['ws', 'wss']).optional(),
  restUrl: url(['http', 'https']).optional(),
  /** a list, `all`, or `{quote: [KRW, USDT]}`: the exchange's market list decides (SPEC §7, docs/symbols.md) */
  symbols: z.union([
    z.array(symbol).min(1, 'expected at least one symbol'),
    z.literal('all'),
    z.strictObject({ quote: z.array(z.string().regex(/^[A-Z0-9]+$/, 'expected an upper-case asset code')).min(1, 'expected at least one quote') }),
  ]),
  /** how often the market list is read again when `symbols` is `all` or `{quote}` (SPEC §7) */
  marketRefreshMs: z.number().int().min(100).default(600_000),
  channels: z
    .array(z.enum(RECORD_TYPES))
    .min(1, 'expected at least one channel')
    .default([...RECORD_TYPES]),
  reconnect: reconnectSchema.default(reconnectSchema.parse({})),
  /** nothing heard (no frame, ping or pong) for this long: the connection is replaced; a ping probes at half */
  stallTimeoutMs: z.number().int().min(100).default(20_000),
  /** replace connections before this age, make-before-break; 0 = the exchange's published maximum less 30 min */
  maxConnectionAgeMs: z.number().int().min(0).default(0),
  /** the worker thread's niceness above the main thread's (worker/priority.ts): the fan-out runs first when the cores are full */
  nice: z.number().int().min(0).max(19).default(5),
});

const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');

export const configSchema = z.strictObject({
  mode: z.enum(['standalone', 'cluster']).default('standalone'),
  /** identifies this node in cluster mode and in /ws/info; default: host-pid */
  nodeId: z.string().min(1).optional(),
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** a client whose unsent data exceeds this is disconnected (close 1008) */
      maxBufferedBytes: z.number().int().min(1024).default(4 * 1024 * 1024),
      /** routed records are written to clients at most this often, in ms (0: at the end of every event-loop turn) */
      flushMs: z.number().int().min(0).max(1000).default(0),
      ...serverSecurityShape,
    })
    .prefault({}),
  auth: authSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  orderbook: z.strictObject({ depth: z.number().int().min(1).max(200).default(15) }).prefault({}),
  /** what every node keeps of the stream it serves, per key, for clients that resume (SPEC §4a) */
  history: z
    .strictObject({
      /** records per key; 0 keeps none (every resume is then lost + snapshot) */
      records: z.number().int().min(0).default(1000),
      maxAgeMs: z.number().int().min(0).default(120_000),
      /** all keys together: the oldest entries go first */
      maxBytes: z.number().int().min(0).default(256 * 1024 * 1024),
    })
    .prefault({}),
  log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
  exchanges: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case exchange id'), exchangeSchema),
  cluster: z
    .strictObject({
      zookeeper: z.string().min(1).default('127.0.0.1:2181'),
      path: z.string().startsWith('/').default('/gateway'),
      sessionTimeoutMs: z.number().int().min(1000).default(6000),
      /** a leader whose ZooKeeper connection drops: `fence` = stop exchange connections at once; `grace` = keep
       * them until the session timeout has passed without reconnecting */
      onDisconnect: z.enum(['fence', 'grace']).default('fence'),
    })
    .prefault({}),
  kafka: z
    .strictObject({
      enabled: z.boolean().default(false),
      brokers: z.array(hostPort).min(1).default(['127.0.0.1:9092']),
      topic: z.string().min(1).default('market-data'),
      /** partitions for the topic when the gateway has to create it (records are keyed by stream key) */
      partitions: z.number().int().min(1).max(1000).default(3),
      /** -1: every in-sync replica acknowledges (durable); 1: the partition leader only (faster) */
      acks: z.union([z.literal(-1), z.literal(1)]).default(-1),
      /** how long a consumer fetch waits for data: lower means less latency and more requests */
      maxWaitMs: z.number().int().min(1).max(10_000).default(20),
    })
    .prefault({}),
  /** cluster bus recovery (Kafka consumer watchdog, Redis subscription probe): docs/operations.md */
  bus: z
    .strictObject({
      /** a consumer that has not fetched, or a subscriber that has heard nothing, for this long is rebuilt */
      stallTimeoutMs: z.number().int().min(1000).max(120_000).default(5000),
      /** how often the watchdog looks and a bus that does not answer is probed (Redis: one probe message) */
      probeIntervalMs: z.number().int().min(100).max(60_000).default(1000),
      /** the first rebuild waits this long, doubling for each rebuild that does not help, up to the maximum */
      rebuildInitialDelayMs: z.number().int().min(0).max(60_000).default(250),
      rebuildMaxDelayMs: z.number().int().min(1).max(300_000).default(4000),
    })
    .prefault({}),
  redis: z
    .strictObject({
      enabled: z.boolean().default(false),
      url: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
      /** hash holding the latest record of every stream key */
      hash: z.string().min(1).default('gateway:latest'),
      /** pub/sub channel of the cluster bus when Kafka is not enabled */
      channel: z.string().min(1).default('gateway:records'),
    })
    .prefault({}),
  /** recording of raw frames for replay (docs/replay.md) */
  record: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** one folder per exchange under it; relative to the working directory */
      dir: z.string().min(1).default('data/raw'),
      /** a new part file every this many minutes, aligned to the clock (fractions allowed) */
      rotateMinutes: z.number().positive().default(60),
      /** parts last written longer ago are deleted; 0 = keep everything */
      keepHours: z.number().min(0).default(48),
      /** per exchange and queue (to the recorder thread, to the disk): bytes waiting beyond which frames are dropped from the recording */
      maxBufferBytes: z.number().int().min(65_536).default(8 * 1024 * 1024),
      /** how often compressed data is flushed to the file (a crash loses at most this much) */
      flushMs: z.number().int().min(50).max(60_000).default(1000),
    })
    .prefault({}),
  /** premium, candles, FX source and their history (kernel/derived/, docs/derived.md); absent = off */
  derived: derivedSchema.optional(),
  /** per-account private streams (kernel/private/config.ts) */
  private: privateSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ExchangeConfig = Config['exchanges'][string];

/** The exchanges used when the file has no `exchanges:` section: a few major markets on the three first plugins. */
export const DEFAULT_EXCHANGES = {
  binance: { symbols: ['BTC/USDT', 'ETH/USDT'] },
  upbit: { symbols: ['BTC/KRW', 'ETH/KRW'] },
  bithumb: { api: 'v1', symbols: ['BTC/KRW'] },
};

/** Keys of an exchange section that the kernel uses itself; every other key is a plugin option. */
export const EXCHANGE_KERNEL_KEYS = new Set(['enabled', 'url', 'restUrl', 'symbols', 'channels', 'reconnect', 'stallTimeoutMs', 'maxConnectionAgeMs', 'marketRefreshMs', 'nice']);

/** Validates a parsed document. `exchanges` replaces the default set as a whole when present. */
export function parseConfig(doc: unknown, source = 'config'): Config {
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new GatewayError('CONFIG_INVALID', `${source}: expected a YAML mapping at the top level`);
  }
  const withDefaults = { exchanges: DEFAULT_EXCHANGES, ...(doc as Record<string, unknown>) };
  const result = configSchema.safeParse(withDefaults);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new GatewayError('CONFIG_INVALID', `${source} is invalid:\n${lines.join('\n')}`, { cause: result.error });
  }
  return result.data;
}

/** Reads a YAML file. A missing file gives the built-in defaults (reported through `onMissing`). */
export function loadConfig(path: string, onMissing?: (path: string) => void): Config {
  if (!existsSync(path)) {
    onMissing?.(path);
    return parseConfig({}, 'built-in defaults');
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_UNREADABLE', `${path}: ${(cause as Error).message}`, { cause });
  }
  return parseConfig(doc, path);
}
