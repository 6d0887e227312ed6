// Guards admin routes (every state-changing /api/* call): a bearer token compared in constant time when
// GATEWAY_ADMIN_TOKEN is set, otherwise loopback clients only, judged through trusted proxies' forwarding headers.

import type { MiddlewareHandler } from 'hono';
import { resolveClientAddress } from './client-address.ts';
import { constantTimeEqual } from './constant-time.ts';
import { bearerFrom } from './credentials.ts';
import { isLoopback } from './ip.ts';
import type { Security } from './security.ts';

/** the TCP peer's address, where the server adapter provides it (@hono/node-server under Node and Deno) */
export function peerAddress(env: unknown): string | undefined {
  return (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

export function requestHeaders(env: unknown): Record<string, string | string[] | undefined> {
  return (env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)?.incoming?.headers ?? {};
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** true for the calls the admin guard covers */
export function isAdminCall(method: string, path: string): boolean {
  return path.startsWith('/api/') && !SAFE_METHODS.has(method);
}

/** why an admin call is refused, or undefined when it may go on */
export function adminRefusal(security: Security, peer: string | undefined, headers: Record<string, string | string[] | undefined>, authorization: string | undefined): string | undefined {
  const token = security.adminToken;
  if (token) {
    const given = bearerFrom(authorization);
    // hashed on both sides: constant time whatever the lengths
    return given !== undefined && constantTimeEqual(given, token) ? undefined : 'a valid admin bearer token is required';
  }
  const who = resolveClientAddress(peer, headers, security.trustProxy);
  if (who.kind === 'untrusted') return `admin calls without GATEWAY_ADMIN_TOKEN are accepted from loopback only; ${who.reason}`;
  if (!isLoopback(who.address)) return 'admin calls are accepted from loopback only (or set GATEWAY_ADMIN_TOKEN)';
  return undefined;
}

export function adminGuard(security: Security): MiddlewareHandler {
  return async (c, next) => {
    if (!isAdminCall(c.req.method, c.req.path)) return next();
    // a browser page elsewhere must not drive the admin API through an operator's browser (CSRF)
    const origin = c.req.header('origin');
    if (origin !== undefined && !security.allowedOrigins.has(origin) && origin !== new URL(c.req.url).origin) {
      security.refused('origin', 'http');
      return c.json({ error: 'FORBIDDEN', message: `origin ${origin} may not call admin routes (server.allowedOrigins)` }, 403);
    }
    const why = adminRefusal(security, peerAddress(c.env), requestHeaders(c.env), c.req.header('authorization'));
    if (why) {
      security.refused('admin', 'http');
      security.metrics.counter('gateway_admin_refused_total', 'Admin calls refused for missing credentials').inc();
      return c.json({ error: 'FORBIDDEN', message: why }, 403);
    }
    return next();
  };
}
