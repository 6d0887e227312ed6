// The WebSocket side of the security layer: admission at upgrade (Origin, connection limits, credential), the
// per-connection session (authentication by first message, control-message rate limit), and the filter guard the
// hub applies to every subscription (keys per subscription, the identity's exchanges and types).

import type { IncomingMessage } from 'node:http';
import { encode } from '../../boundary/codec.ts';
import { GatewayError, errorCode } from '../../sdk/errors.ts';
import type { Filter } from '../filter.ts';
import { resolveClientAddress } from './client-address.ts';
import { BEARER_PROTOCOL, upgradeCredential } from './credentials.ts';
import type { ClientIdentity } from './identity.ts';
import { allows, restrictFilter } from './identity.ts';
import { ConnectionLimits, listedQueryValues, listedValues, nestedDeeper } from './limits.ts';
import type { RefusalReason, Security } from './security.ts';

export type Admission =
  | { ok: true; address: string; identity?: ClientIdentity; pending: boolean; release: () => void }
  | { ok: false; status: number; text: string; error: string; message: string; reason: RefusalReason };

/** the subprotocol to answer with: `bearer` when the client offered its token that way */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false;
}

/** What a transport adapter needs to talk to a client before (and besides) the hub. */
export interface SessionSocket {
  format: 'json' | 'msgpack';
  send(frame: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

/** no control message needs more: {resume: [{...}]} is three levels */
const MAX_CONTROL_DEPTH = 8;

export class WsGate {
  private readonly conns: ConnectionLimits;

  constructor(readonly security: Security) {
    this.conns = new ConnectionLimits(security.limits.connectionsPerIp, security.limits.clients);
    security.metrics.gauge('gateway_ws_open_connections', 'Open client WebSocket connections, authenticated or not', () => [
      { labels: {}, value: this.conns.open },
    ]);
  }

  /**
   * node:http options: a connection that has not sent a complete request head within `limits.authTimeoutMs` is
   * closed (408, counted as ERR_HTTP_REQUEST_TIMEOUT by the server's clientError handler); upgraded WebSockets are
   * not affected.
   */
  serverOptions(): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
    const t = this.security.limits.authTimeoutMs;
    return { headersTimeout: t, requestTimeout: Math.max(300_000, t), connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(t / 4))) };
  }

  /** Judges an upgrade. Removes `access_token` from `params`. */
  async admit(req: IncomingMessage, params: URLSearchParams): Promise<Admission> {
    const s = this.security;
    const refuse = (status: number, text: string, error: string, message: string, reason: RefusalReason): Admission => {
      s.refused(reason, 'ws');
      return { ok: false, status, text, error, message, reason };
    };
    const origin = req.headers.origin;
    if (!s.originAllowed(origin, req.headers.host)) return refuse(403, 'Forbidden', 'FORBIDDEN', `origin ${origin} is not allowed (server.allowedOrigins)`, 'origin');
    const { credential } = upgradeCredential(req.headers, params, s.queryToken);
    if (listedQueryValues(params) > s.limits.keysPerSubscription) {
      return refuse(400, 'Bad Request', 'LIMIT_EXCEEDED', `more than ${s.limits.keysPerSubscription} filter values (limits.keysPerSubscription)`, 'too_many_keys');
    }
    // limits count the client behind a trusted proxy, else the TCP peer (an untrusted proxy's header is ignored)
    const who = resolveClientAddress(req.socket.remoteAddress, req.headers, s.trustProxy);
    let identity: ClientIdentity | undefined;
    if (credential !== undefined) {
      try {
        identity = await s.auth.verify(credential);
      } catch (err) {
        if (errorCode(err) !== 'UNAUTHORIZED') throw err;
        return refuse(401, 'Unauthorized', 'UNAUTHORIZED', (err as Error).message, 'unauthorized');
      }
    }
    const lease = this.conns.acquire(who.address);
    if (lease === 'client_limit') return refuse(503, 'Service Unavailable', 'LIMIT_EXCEEDED', `the gateway serves at most ${s.limits.clients} clients (limits.clients)`, 'client_limit');
    if (lease === 'ip_limit') return refuse(429, 'Too Many Requests', 'LIMIT_EXCEEDED', `at most ${s.limits.connectionsPerIp} connections per client address (limits.connectionsPerIp)`, 'ip_limit');
    return { ok: true, address: who.address, identity, pending: identity === undefined && s.auth.required, release: lease.release };
  }

  /**
   * The filter a client's subscription may have: within keysPerSubscription and its identity's limits. `keys`
   * (resume entries) must lie inside the result: a resume cannot reach what the filter may not.
   */
  guardFilter(filter: Filter, identity: ClientIdentity | undefined, keys: { ex: string; ty: string; cd: string }[] = []): Filter {
    const n = (filter.exchange?.size ?? 0) + (filter.symbol?.size ?? 0) + (filter.type?.size ?? 0);
    if (n > this.security.limits.keysPerSubscription) {
      this.security.refused('too_many_keys', 'ws');
      throw new GatewayError('LIMIT_EXCEEDED', `more than ${this.security.limits.keysPerSubscription} filter values (limits.keysPerSubscription)`);
    }
    try {
      const allowed = restrictFilter(filter, identity);
      for (const k of keys) {
        if (!allows(identity, k.ex, k.ty)) throw new GatewayError('FORBIDDEN', `resume: this client's credential does not allow ${k.ex} ${k.ty}`);
      }
      return allowed;
    } catch (err) {
      this.security.refused('forbidden', 'ws');
      throw err;
    }
  }

  /**
   * Checks a decoded control message before the hub parses it: its nesting (no valid message nests deeper than a
   * resume entry; deeper input would only cost stack in later steps) and the number of values it lists.
   */
  guardControl(msg: unknown): void {
    if (nestedDeeper(msg, MAX_CONTROL_DEPTH)) throw new GatewayError('BAD_REQUEST', `control message nested deeper than ${MAX_CONTROL_DEPTH} levels`);
    if (listedValues(msg) > this.security.limits.keysPerSubscription) {
      this.security.refused('too_many_keys', 'ws');
      throw new GatewayError('LIMIT_EXCEEDED', `more than ${this.security.limits.keysPerSubscription} values listed (limits.keysPerSubscription)`);
    }
  }
}

/** an error event in the client's format */
export function errorFrame(format: 'json' | 'msgpack', code: string, message: string): string | Uint8Array {
  const msg = { event: 'error', code, message };
  return format === 'json' ? JSON.stringify(msg) : encode(msg);
}
