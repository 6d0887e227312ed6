// The exchange plugin contract: what a plugin declares, and the only ways it can act (via Output).
//
// A plugin is pure: it turns configuration into connection plans, and raw text frames into record drafts.
// It MUST NOT open sockets, start timers, read the environment, touch threads, Kafka or msgpack.
// The worker (worker/exchange.ts) owns the socket, keep-alive, HTTP requests, epochs, sequences and encoding.

import type { Draft, RecordType } from './model.ts';
import type { Credentials, PrivateAccountConfig, SigningInput } from './private.ts';

/** Bumped when the contract changes incompatibly; the kernel refuses plugins built for another version. */
export const PLUGIN_API_VERSION = 1;

/** The part of an exchange's configuration a plugin sees. */
export interface PluginConfig {
  /** exchange id (= the plugin's folder name) */
  id: string;
  /** WebSocket base URL */
  url: string;
  /** REST base URL, for plugins that need snapshots */
  restUrl?: string;
  /** unified symbols, `BASE/QUOTE` */
  symbols: string[];
  /** record types to subscribe */
  channels: RecordType[];
  /** order-book depth N (top N levels per record) */
  depth: number;
  /** plugin-specific options from config (for example Bithumb's `api: v1 | legacy`) */
  options: Record<string, unknown>;
}

/** A subscription request for one connection. Values are plugin-defined (e.g. native stream names). */
export interface ConnectionPlan {
  /** short, stable name for logs and metrics, unique within the exchange: `main`, `streams-2` */
  name: string;
  /** full WebSocket URL to open */
  url: string;
  /** frames to send, in order, right after the socket opens (the full subscription set) */
  subscribe: string[];
  /**
   * Keep-alive the worker sends every `intervalMs`. `frame` absent: a WebSocket ping control frame.
   * Servers that ping us (Binance) are answered automatically by the socket layer.
   */
  keepAlive?: { intervalMs: number; frame?: string };
  /** A fresh mapper per connection: all per-connection state (books, last ids) lives in it. */
  createMapper(): Mapper;
  /**
   * Headers for the upgrade request, computed before every connection attempt. Set by the worker (for private
   * connections: the signed `Authorization`), never by a plugin.
   */
  headers?(): Record<string, string>;
}

/**
 * A private (per-account) connection: a plan whose upgrade carries credentials. `authorize` is pure: the same
 * credentials and input give the same headers (the worker supplies a fresh nonce and time per attempt).
 */
export interface PrivatePlan extends ConnectionPlan {
  authorize(credentials: Credentials, input: SigningInput): Record<string, string>;
}

/** How a mapper acts. Every call is synchronous and cheap; the worker does the I/O. */
export interface Output {
  /** a normalized record draft (the worker adds rtms, ep and sq, and drops unchanged books) */
  emit(draft: Draft): void;
  /** ask the worker to GET `url`; the answer comes back through `Mapper.onResponse(tag, ...)` */
  request(tag: string, url: string): void;
  /** send a text frame on this connection (e.g. an application-level pong) */
  send(frame: string): void;
  /**
   * The exchange announced it will close this connection (e.g. Binance `serverShutdown`): the worker opens a
   * replacement, subscribes, and only then closes this one, with no record lost or duplicated across the switch.
   */
  rollover(reason: string): void;
  /**
   * The last record emitted for this key no longer holds (a diff-stream book found a gap and is being rebuilt):
   * clients are told (`resync`) and the next book is published even if its top N equals the last one.
   * Optional for callers that replay fixtures; the worker always provides it.
   */
  invalidate?(ty: RecordType, cd: string): void;
}

/** An exchange's published limits; the worker paces connection attempts and outgoing frames by them. */
export interface ExchangeLimits {
  /** connection attempts per second per IP */
  connectsPerSecond?: number;
  /** connection attempts per longer window per IP (Binance: 300 per 5 minutes) */
  connectsPerWindow?: { count: number; windowMs: number };
  /** frames the client may send per second per connection (subscriptions, pings and pongs included) */
  sendsPerSecond?: number;
  /** REST requests (book snapshots) per minute per IP: the worker delays requests beyond it */
  requestsPerMinute?: number;
  /** a connection is closed by the exchange after this long: the worker rolls it over before (Binance: 24 h) */
  maxConnectionAgeMs?: number;
  /**
   * The length of the window the exchange counts connection attempts in (Upbit, Bithumb: 1000; Binance: 5 minutes).
   * Pushback after a refusal (HTTP 429/418, close 1008) is shaped by it (worker/pushback.ts). Absent: the window of
   * `connectsPerWindow`, else one second for `connectsPerSecond`, else the reconnect policy's `maxDelayMs`.
   */
  windowMs?: number;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/**
 * Maps one connection's frames. Throw a GatewayError with code BAD_FRAME (see `badFrame()`) for a frame that cannot
 * be mapped, EXCHANGE_ERROR for an error the exchange reports: the worker counts it by code and goes on.
 * Acknowledgements and keep-alive answers are simply ignored (emit nothing).
 */
export interface Mapper {
  /** `text` is the frame's payload; binary frames (Upbit) arrive decoded as UTF-8. `rtms` = receive time, ms. */
  onMessage(text: string, rtms: number, out: Output): void;
  /** the answer (or failure: status 0, body = the error message) to an `out.request(tag, url)` */
  onResponse?(tag: string, response: HttpResponse, rtms: number, out: Output): void;
}

export interface ExchangePlugin {
  /** MUST equal the folder name under plugins/ and the key under `exchanges:` in config */
  id: string;
  apiVersion: typeof PLUGIN_API_VERSION;
  /** record types this plugin can produce */
  channels: readonly RecordType[];
  /** the exchange's production endpoints, used where config gives no `url` / `restUrl` (options: the config section) */
  defaultUrls(options: Record<string, unknown>): { url: string; restUrl?: string };
  /** the market code the exchange uses for a unified symbol; throws for symbols it cannot express */
  marketCode(symbol: string, config: PluginConfig): string;
  /** the connections to open for this configuration */
  connections(config: PluginConfig): ConnectionPlan[];
  /** published limits (EXCHANGES.md); absent = no pacing beyond the reconnect backoff */
  limits?: ExchangeLimits;
  /** the private connection of one configured account (`private.accounts`); absent = no private streams */
  privateConnection?(account: PrivateAccountConfig, config: PluginConfig): PrivatePlan;
  /** the exchange's market list over REST, for `symbols: all` / `{quote: [...]}` (SPEC §7); absent = lists only */
  markets?: MarketList;
}

/** How a plugin lists the exchange's spot markets (SPEC §7 whole-universe subscriptions). */
export interface MarketList {
  /** absolute URL of the REST endpoint listing every market (built from `config.restUrl`) */
  url(config: PluginConfig): string;
  /**
   * the answer's body → every tradable market: unified symbol (`BASE/QUOTE`, asset aliases applied with
   * `unifyAsset`, sdk/aliases.ts) and the exchange's own code for it. Throws (badFrame) on an unreadable body.
   */
  parse(body: string): { symbol: string; code: string }[];
}

/** Identity helper that gives plugin authors type checking: `export default definePlugin({...})`. */
export function definePlugin(plugin: ExchangePlugin): ExchangePlugin {
  return plugin;
}
