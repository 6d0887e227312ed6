// Which Bithumb API a configuration uses (`api: v1 | legacy`, v1 by default) and each API's production endpoints.

import { clip, GatewayError } from '../../sdk/index.ts';

export type BithumbApi = 'v1' | 'legacy';

export const ENDPOINTS: Readonly<Record<BithumbApi, { url: string; restUrl: string }>> = {
  v1: { url: 'wss://ws-api.bithumb.com/websocket/v1', restUrl: 'https://api.bithumb.com' },
  legacy: { url: 'wss://pubwss.bithumb.com/pub/ws', restUrl: 'https://api.bithumb.com' },
};

/** The API named by `options.api`; anything but absent, "v1" or "legacy" is a configuration error. */
export function apiOf(options: Record<string, unknown> | undefined): BithumbApi {
  const api = options?.api;
  if (api === undefined || api === 'v1') return 'v1';
  if (api === 'legacy') return 'legacy';
  throw new GatewayError('CONFIG_INVALID', `exchanges.bithumb.api must be "v1" or "legacy", not ${clip(api)}`);
}
