// The config keys of the security layer: `server.trustProxy`, `server.allowedOrigins`, `auth` and `limits`.

import { z } from 'zod';
import { IpSet } from './ip.ts';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

/** added to the `server` section */
export const serverSecurityShape = {
  /** proxies (addresses or CIDR ranges) whose X-Forwarded-For / Forwarded headers are believed */
  trustProxy: z
    .array(z.string())
    .default([])
    .refine((list) => {
      try {
        new IpSet(list);
        return true;
      } catch {
        return false;
      }
    }, 'expected IP addresses or CIDR ranges, e.g. [127.0.0.1, 10.0.0.0/8]'),
  /** browser origins allowed to open /ws/exchange and to call admin routes; empty = any origin for the stream */
  allowedOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected an origin such as https://app.example.com')).default([]),
};

const tokenSchema = z
  .strictObject({
    /** names the client in logs and metrics (never the secret) */
    id: z.string().min(1),
    /** environment variable holding the token */
    env: envName.optional(),
    /** or the token's SHA-256, hex: the file then holds no secret */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits').optional(),
    exchanges: z.array(z.string().min(1)).min(1).optional(),
    types: z.array(z.string().min(1)).min(1).optional(),
    accounts: z.array(z.string().min(1)).optional(),
  })
  .refine((t) => (t.env ? 1 : 0) + (t.sha256 ? 1 : 0) === 1, 'expected exactly one of env or sha256');

const jwtSchema = z.strictObject({
  algorithm: z.enum(['HS256', 'ES256']),
  /** HS256: the shared secret (at least 32 bytes); ES256: the public key as PEM (SPKI) or JWK JSON */
  keyEnv: envName.default('GATEWAY_JWT_KEY'),
  issuer: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
  clockToleranceSec: z.number().int().min(0).max(600).default(30),
  /** refuse tokens without `exp` */
  requireExp: z.boolean().default(true),
});

export const authSchema = z
  .strictObject({
    /** true: every /ws/exchange client and /api/* request needs a credential; false: public data is open */
    required: z.boolean().default(false),
    tokens: z.array(tokenSchema).default([]),
    jwt: jwtSchema.optional(),
    /** accept `?access_token=` on /ws/exchange (browsers; the token can end up in proxy logs) */
    queryParameter: z.boolean().default(true),
  })
  .refine((a) => !a.required || a.tokens.length > 0 || a.jwt !== undefined, 'auth.required needs auth.tokens or auth.jwt');

export const limitsSchema = z.strictObject({
  /** open WebSocket connections from one client address */
  connectionsPerIp: z.number().int().min(1).default(64),
  /** open WebSocket connections in total */
  clients: z.number().int().min(1).default(10_000),
  /** control messages a client may send per second on average ... */
  controlPerSecond: z.number().min(0.1).default(20),
  /** ... and in one burst */
  controlBurst: z.number().int().min(1).default(40),
  /** values listed in one filter or subscribe message (exchanges + symbols + types + resume entries) */
  keysPerSubscription: z.number().int().min(1).default(1000),
  /** largest HTTP request body */
  httpBodyBytes: z.number().int().min(256).default(64 * 1024),
  /** a WebSocket connection that has to authenticate by message and has not done so within this is closed */
  authTimeoutMs: z.number().int().min(100).default(10_000),
});

export type AuthConfig = z.infer<typeof authSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;
