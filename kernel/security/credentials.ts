// Where a client's credential comes from: `Authorization: Bearer`, the WebSocket subprotocol pair
// `bearer, <token>` (browsers cannot set headers on a WebSocket), or `?access_token=` on /ws/exchange.

/** the subprotocol a browser offers before its token; the server selects it in the handshake answer */
export const BEARER_PROTOCOL = 'bearer';
export const TOKEN_QUERY = 'access_token';

type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function bearerFrom(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}

/** the token offered as `Sec-WebSocket-Protocol: bearer, <token>` */
export function subprotocolToken(h: Headers): string | undefined {
  const list = (header(h, 'sec-websocket-protocol') ?? '').split(',').map((s) => s.trim());
  const i = list.indexOf(BEARER_PROTOCOL);
  return i >= 0 ? list[i + 1] || undefined : undefined;
}

/**
 * The credential of a WebSocket upgrade, and the query parameters without `access_token` (which the connect
 * parser would refuse as unknown). A token in the query is ignored unless `allowQuery`.
 */
export function upgradeCredential(h: Headers, params: URLSearchParams, allowQuery: boolean): { credential?: string; source?: string } {
  const fromQuery = params.get(TOKEN_QUERY);
  params.delete(TOKEN_QUERY);
  const auth = bearerFrom(header(h, 'authorization'));
  if (auth) return { credential: auth, source: 'header' };
  const proto = subprotocolToken(h);
  if (proto) return { credential: proto, source: 'subprotocol' };
  if (fromQuery !== null && allowQuery) return { credential: fromQuery, source: 'query' };
  return {};
}
