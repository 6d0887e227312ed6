// The HTTP side of the security layer, as Hono middleware: response counting, body size limit, client
// authentication for /api/* (its identity in `c.get('identity')`), admin guard, and nosniff on every answer.

import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorCode } from '../../sdk/errors.ts';
import { adminGuard, isAdminCall } from './admin-guard.ts';
import { constantTimeEqual } from './constant-time.ts';
import { bearerFrom } from './credentials.ts';
import type { ClientIdentity } from './identity.ts';
import type { Security } from './security.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** set by the client auth middleware for an authenticated /api/* request */
    identity: ClientIdentity | undefined;
  }
}

/** the identity of an HTTP request (undefined: anonymous) */
export function requestIdentity(c: Context): ClientIdentity | undefined {
  return c.get('identity');
}

export function installHttpSecurity(app: Hono, security: Security): void {
  const responses = security.metrics.counter('gateway_http_responses_total', 'HTTP answers, by status code');
  app.use('*', async (c, next) => {
    await next();
    responses.inc({ code: String(c.res.status) });
    c.res.headers.set('x-content-type-options', 'nosniff');
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: security.limits.httpBodyBytes,
      onError: (c) => {
        security.refused('body_too_large', 'http');
        return c.json({ error: 'PAYLOAD_TOO_LARGE', message: `request body over ${security.limits.httpBodyBytes} bytes (limits.httpBodyBytes)` }, 413);
      },
    }),
  );
  app.use('/api/*', adminGuard(security));
  app.use('/api/*', async (c, next) => {
    // admin calls carry the admin token, judged by the admin guard, not a client credential
    if (isAdminCall(c.req.method, c.req.path)) return next();
    const auth = security.auth;
    const header = c.req.header('authorization');
    const credential = bearerFrom(header);
    if (credential === undefined) {
      if (header !== undefined && auth.enabled) {
        security.refused('unauthorized', 'http');
        return c.json({ error: 'UNAUTHORIZED', message: 'Authorization: expected "Bearer <token>"' }, 401, { 'www-authenticate': 'Bearer' });
      }
      if (auth.required) {
        security.refused('unauthenticated', 'http');
        return c.json({ error: 'UNAUTHORIZED', message: 'a bearer token is required (auth.required)' }, 401, { 'www-authenticate': 'Bearer' });
      }
      return next();
    }
    if (!auth.enabled && !auth.required) return next();
    // the operator's admin token reads too (e.g. GET /api/subscriptions before changing them)
    if (security.adminToken && constantTimeEqual(credential, security.adminToken)) {
      c.set('identity', { subject: 'admin' });
      return next();
    }
    try {
      c.set('identity', await auth.verify(credential));
    } catch (err) {
      if (errorCode(err) !== 'UNAUTHORIZED') throw err;
      security.refused('unauthorized', 'http');
      return c.json({ error: 'UNAUTHORIZED', message: (err as Error).message }, 401, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    return next();
  });
}
