// JWT (JWS compact form) with HMAC: HS256 and HS512, as Upbit and Bithumb sign private requests. Signing is pure
// (the caller supplies nonce and time), so plugins use it and tests reproduce tokens exactly; the simulators verify.

import { createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlg = 'HS256' | 'HS512';

const HASH: Record<HmacAlg, string> = { HS256: 'sha256', HS512: 'sha512' };

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

function mac(alg: HmacAlg, secret: string, input: string): Buffer {
  return createHmac(HASH[alg], secret).update(input).digest();
}

/** `header.payload.signature`; keys of `payload` keep their order */
export function signJwt(payload: Record<string, unknown>, secret: string, alg: HmacAlg = 'HS256'): string {
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${mac(alg, secret, input).toString('base64url')}`;
}

export type JwtCheck =
  | { ok: true; alg: HmacAlg; payload: Record<string, unknown> }
  | { ok: false; reason: string };

/** The token's parts without checking the signature (to find which secret to check it with). */
export function peekJwt(token: string): { alg: unknown; payload: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    return { alg: header?.alg, payload: payload as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** Checks an HS256/HS512 token against `secret` in constant time; other algorithms (and `none`) are refused. */
export function verifyJwt(token: string, secret: string, allowed: readonly HmacAlg[] = ['HS256', 'HS512']): JwtCheck {
  const peek = peekJwt(token);
  if (!peek) return { ok: false, reason: 'malformed token' };
  const alg = peek.alg as HmacAlg;
  if (!allowed.includes(alg)) return { ok: false, reason: `algorithm ${String(peek.alg)} not accepted` };
  const dot = token.lastIndexOf('.');
  const want = mac(alg, secret, token.slice(0, dot));
  const got = Buffer.from(token.slice(dot + 1), 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true, alg, payload: peek.payload };
}
