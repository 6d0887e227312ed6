// The private connection of an Upbit-format exchange: signed upgrade (JWT in `Authorization: Bearer`), one request
// array with myOrder / myAsset in SIMPLE format, ping keep-alive, the private mapper. Facts: plugins/upbit/PRIVATE.md.

import { signJwt } from '../../sdk/index.ts';
import type { Credentials, HmacAlg, PluginConfig, PrivateAccountConfig, PrivatePlan, SigningInput } from '../../sdk/index.ts';
import { quoteBaseCode } from './code.ts';
import { KEEP_ALIVE_MS } from './plan.ts';
import { createPrivateMapper } from './private-map.ts';
import type { PrivateDialect } from './private-map.ts';

export interface PrivateSpec {
  dialect: PrivateDialect;
  alg: HmacAlg;
  /** the JWT payload the exchange documents */
  claims(credentials: Credentials, input: SigningInput): Record<string, unknown>;
  /** the private endpoint from the exchange's public WebSocket URL */
  privateUrl(publicUrl: string): string;
}

/** `[{ticket},{type:myOrder,codes?},{type:myAsset},{format:SIMPLE}]`; myAsset takes no codes (WRONG_FORMAT otherwise) */
export function privateRequest(ex: string, account: PrivateAccountConfig): string {
  const types: Record<string, unknown>[] = [];
  if (account.channels.includes('myOrder')) {
    types.push(account.symbols ? { type: 'myOrder', codes: account.symbols.map(quoteBaseCode) } : { type: 'myOrder' });
  }
  if (account.channels.includes('myAsset')) types.push({ type: 'myAsset' });
  return JSON.stringify([{ ticket: `gateway-${ex}-private-${account.id}` }, ...types, { format: 'SIMPLE' }]);
}

export function upbitStylePrivatePlan(account: PrivateAccountConfig, config: PluginConfig, spec: PrivateSpec): PrivatePlan {
  return {
    name: `private-${account.id}`,
    url: account.url ?? spec.privateUrl(config.url),
    subscribe: [privateRequest(spec.dialect.ex, account)],
    // private streams are silent without orders: the ping keeps the connection (and our stall check) alive
    keepAlive: { intervalMs: KEEP_ALIVE_MS },
    createMapper: () => createPrivateMapper(spec.dialect, account.id),
    authorize: (credentials, input) => ({ Authorization: `Bearer ${signJwt(spec.claims(credentials, input), credentials.secretKey, spec.alg)}` }),
  };
}
