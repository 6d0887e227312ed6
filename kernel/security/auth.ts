// Client authentication for /ws/exchange and /api/*: static tokens (from the environment or stored as SHA-256
// digests) and JWTs (HS256 or ES256, key from the environment), each mapped to a ClientIdentity with its limits.

import { importJWK, importSPKI, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { GatewayError } from '../../sdk/errors.ts';
import type { AuthConfig } from './config-schema.ts';
import { digestsEqual, sha256 } from './constant-time.ts';
import type { ClientIdentity } from './identity.ts';

interface StoredToken {
  digest: Buffer;
  identity: ClientIdentity;
}

interface JwtVerifier {
  key: CryptoKey | Uint8Array;
  options: { algorithms: string[]; issuer?: string; audience?: string; clockTolerance: number; requiredClaims: string[] };
}

const unauthorized = (message: string) => new GatewayError('UNAUTHORIZED', message);

function stringList(payload: JWTPayload, claim: string): string[] | undefined {
  const v = payload[claim];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw unauthorized(`token claim "${claim}" must be a list of strings`);
  return v as string[];
}

async function loadKey(alg: 'HS256' | 'ES256', keyEnv: string, env: NodeJS.ProcessEnv): Promise<CryptoKey | Uint8Array> {
  const raw = env[keyEnv];
  if (!raw) throw new GatewayError('CONFIG_INVALID', `auth.jwt: environment variable ${keyEnv} (the ${alg} key) is not set`);
  if (alg === 'HS256') {
    const secret = new TextEncoder().encode(raw);
    if (secret.length < 32) throw new GatewayError('CONFIG_INVALID', `auth.jwt: the HS256 secret in ${keyEnv} must be at least 32 bytes`);
    return secret;
  }
  try {
    const text = raw.trim();
    if (text.startsWith('{')) return (await importJWK(JSON.parse(text), 'ES256')) as CryptoKey;
    return await importSPKI(text.replace(/\\n/g, '\n'), 'ES256');
  } catch (cause) {
    // the message names the variable, never its content
    throw new GatewayError('CONFIG_INVALID', `auth.jwt: ${keyEnv} does not hold an ES256 public key (PEM SPKI or JWK)`, { cause });
  }
}

export class Authenticator {
  private constructor(
    readonly required: boolean,
    private readonly tokens: StoredToken[],
    private readonly jwt: JwtVerifier | undefined,
  ) {}

  /** Reads the configured secrets from `env` once. Throws CONFIG_INVALID naming a missing variable (not a value). */
  static async create(cfg: AuthConfig, env: NodeJS.ProcessEnv = process.env): Promise<Authenticator> {
    const tokens: StoredToken[] = cfg.tokens.map((t) => {
      let digest: Buffer;
      if (t.env) {
        const secret = env[t.env];
        if (!secret) throw new GatewayError('CONFIG_INVALID', `auth.tokens "${t.id}": environment variable ${t.env} is not set`);
        digest = sha256(secret);
      } else digest = Buffer.from(t.sha256!, 'hex');
      const identity: ClientIdentity = { subject: t.id };
      if (t.exchanges) identity.exchanges = [...t.exchanges];
      if (t.types) identity.types = [...t.types];
      if (t.accounts) identity.accounts = [...t.accounts];
      return { digest, identity };
    });
    let jwt: JwtVerifier | undefined;
    if (cfg.jwt) {
      const j = cfg.jwt;
      jwt = {
        key: await loadKey(j.algorithm, j.keyEnv, env),
        options: {
          algorithms: [j.algorithm],
          ...(j.issuer ? { issuer: j.issuer } : {}),
          ...(j.audience ? { audience: j.audience } : {}),
          clockTolerance: j.clockToleranceSec,
          requiredClaims: j.requireExp ? ['sub', 'exp'] : ['sub'],
        },
      };
    }
    return new Authenticator(cfg.required, tokens, jwt);
  }

  /** true when any kind of credential is configured */
  get enabled(): boolean {
    return this.tokens.length > 0 || this.jwt !== undefined;
  }

  /** The identity a credential proves. Throws UNAUTHORIZED, with a message that never repeats the credential. */
  async verify(credential: string): Promise<ClientIdentity> {
    if (!this.enabled) throw unauthorized('this gateway accepts no client credentials (auth is not configured)');
    if (credential.length === 0 || credential.length > 8192) throw unauthorized('invalid credential');
    // every stored token is compared, so the time taken does not say which one (nor whether any) matched
    let found: StoredToken | undefined;
    const given = sha256(credential);
    for (const t of this.tokens) if (digestsEqual(given, t.digest) && !found) found = t;
    if (found) return { ...found.identity };
    if (this.jwt && credential.split('.').length === 3) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(credential, this.jwt.key, this.jwt.options));
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'ERR_JWT_INVALID';
        throw new GatewayError('UNAUTHORIZED', `invalid token (${code})`);
      }
      if (typeof payload.sub !== 'string' || !payload.sub) throw unauthorized('token has no "sub"');
      const identity: ClientIdentity = { subject: payload.sub };
      const exchanges = stringList(payload, 'exchanges');
      const types = stringList(payload, 'types');
      const accounts = stringList(payload, 'accounts');
      if (exchanges) identity.exchanges = exchanges;
      if (types) identity.types = types;
      if (accounts) identity.accounts = accounts;
      return identity;
    }
    throw unauthorized('invalid credential');
  }
}
