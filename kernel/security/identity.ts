// Who a client is, once authenticated, and what that allows: the limits a token or JWT carries.

import { GatewayError } from '../../sdk/errors.ts';
import type { Filter } from '../filter.ts';

/**
 * The identity of an authenticated client (WebSocket peer or HTTP request). Absent on anonymous clients, which
 * see all public data when `auth.required` is false.
 */
export interface ClientIdentity {
  /** the token's id or the JWT's `sub`; safe to log, never the secret itself */
  subject: string;
  /** exchanges this client may receive; absent = all */
  exchanges?: string[];
  /** record types this client may receive; absent = all */
  types?: string[];
  /** private-stream account ids this client may receive; absent or empty = none */
  accounts?: string[];
}

/** one dimension of a filter narrowed to what is allowed; throws FORBIDDEN when the client asked for more */
function narrow(name: string, asked: Set<string> | null, allowed: string[] | undefined): Set<string> | null {
  if (!allowed) return asked;
  const ok = new Set(allowed);
  if (!asked) return ok;
  for (const v of asked) {
    if (!ok.has(v)) throw new GatewayError('FORBIDDEN', `${name}: this client's credential does not allow "${v}"`);
  }
  return asked;
}

/**
 * The filter a client gets: what it asked for, within its identity's limits. "All" in a limited dimension becomes
 * the allowed list; an explicit value outside it is refused (FORBIDDEN) rather than silently dropped.
 */
export function restrictFilter(filter: Filter, identity: ClientIdentity | undefined): Filter {
  if (!identity || (!identity.exchanges && !identity.types)) return filter;
  return {
    exchange: narrow('exchange', filter.exchange, identity.exchanges),
    symbol: filter.symbol,
    type: narrow('type', filter.type, identity.types),
  };
}

/** true when the identity may receive records of this exchange and type */
export function allows(identity: ClientIdentity | undefined, ex: string, ty: string): boolean {
  if (!identity) return true;
  return (!identity.exchanges || identity.exchanges.includes(ex)) && (!identity.types || identity.types.includes(ty));
}
