// Private (per-account) record types, myOrder and myAsset, and how their stream keys carry the account.
//
// Private records never enter the shared latest-value store, the Redis hash or the public bus: they travel as their
// own batches (worker → main `private` messages, and in cluster mode sealed on a private channel) and reach only
// clients whose identity lists the account (kernel/private/delivery.ts).

export const PRIVATE_TYPES = ['myOrder', 'myAsset'] as const;
export type PrivateType = (typeof PRIVATE_TYPES)[number];

export function isPrivateType(t: unknown): t is PrivateType {
  return t === 'myOrder' || t === 'myAsset';
}

/** Keys every private record carries (besides its own fields). `rtms`, `ep`, `sq` come from the worker. */
interface PrivateBase {
  ex: string;
  /** the configured account id (`private.accounts[].id`): who may receive it */
  acct: string;
  /** the exchange's time of the message (`timestamp` / `tms`), ms */
  tms: number;
  rtms: number;
  ep: number;
  sq: number;
}

/** One order event, Upbit's SIMPLE names (docs: plugins/upbit/PRIVATE.md). Absent fields are absent. */
export interface MyOrderRecord extends PrivateBase {
  ty: 'myOrder';
  cd: string;
  mc: string;
  /** order id */
  uid: string;
  /** ASK = sell order, BID = buy order */
  ab: 'ASK' | 'BID';
  /** order type: limit, price (market buy), market (market sell), best */
  ot?: string;
  /** state: wait, watch, trade, done, cancel, prevented */
  s: string;
  /** trade id, on trade events */
  tuid?: string;
  /** order price; on a trade event, the trade price */
  p?: number;
  /** average execution price */
  ap?: number;
  /** order volume; on a trade event, the traded volume */
  v?: number;
  rv?: number;
  ev?: number;
  tc?: number;
  rsf?: number;
  rmf?: number;
  pf?: number;
  l?: number;
  ef?: number;
  tif?: string;
  /** the client's own order id, where the exchange echoes it (Bithumb `client_order_id`) */
  coid?: string;
  ttms?: number;
  otms?: number;
}

export interface AssetUnit {
  /** currency code */
  cu: string;
  /** balance available for orders */
  b: number;
  /** locked in open orders */
  l: number;
}

export interface MyAssetRecord extends PrivateBase {
  ty: 'myAsset';
  astuid?: string;
  ast: AssetUnit[];
  asttms?: number;
}

export type PrivateRecord = MyOrderRecord | MyAssetRecord;
type Assigned = 'rtms' | 'ep' | 'sq';
export type PrivateDraft = Omit<MyOrderRecord, Assigned> | Omit<MyAssetRecord, Assigned>;

/**
 * Stream key of a private record: `ex|ty|cd|acct` (myAsset has no market: `cd` is empty). The first three parts read
 * like a public key, the fourth names the account, so one account's keys never collide with another's.
 */
export function privateKey(ex: string, ty: string, cd: string | undefined, acct: string): string {
  return `${ex}|${ty}|${cd ?? ''}|${acct}`;
}

/** the account of a private stream key, or undefined for a public key */
export function accountOfKey(key: string): string | undefined {
  const parts = key.split('|');
  return parts.length >= 4 && isPrivateType(parts[1]) ? parts.slice(3).join('|') : undefined;
}

/** API keys of one account, read from the environment variables the config names; never logged or reported. */
export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** What a plugin sees of a configured private account (no credentials). */
export interface PrivateAccountConfig {
  id: string;
  channels: PrivateType[];
  /** myOrder markets (unified symbols); absent = every market of the account */
  symbols?: string[];
  /** private WebSocket URL; absent = the plugin's own rule from the exchange's public `url` */
  url?: string;
}

/** The fresh values a signature needs; the worker supplies them on every connection attempt. */
export interface SigningInput {
  /** a unique string per token (the worker uses a random UUID) */
  nonce: string;
  /** the current time, ms */
  tms: number;
}

/** What the worker hands a private connection: the account, and its keys (from the main thread, never logged). */
export interface PrivateAccountInit extends PrivateAccountConfig {
  credentials: Credentials;
}
