// The security settings of one gateway, built once at start: authenticator, trusted proxies, origins, limits,
// admin token, and the counters every refusal goes to.

import type { Config } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import { Authenticator } from './auth.ts';
import type { LimitsConfig } from './config-schema.ts';
import { IpSet } from './ip.ts';

export type RefusalReason =
  | 'origin'
  | 'ip_limit'
  | 'client_limit'
  | 'unauthenticated'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'auth_timeout'
  | 'too_many_keys'
  | 'body_too_large'
  | 'admin';

export class Security {
  private readonly refusals;
  private constructor(
    readonly auth: Authenticator,
    readonly trustProxy: IpSet,
    readonly allowedOrigins: Set<string>,
    readonly limits: LimitsConfig,
    /** when set, admin calls need it as a bearer token (GATEWAY_ADMIN_TOKEN); never logged */
    readonly adminToken: string | undefined,
    readonly metrics: Metrics,
    /** `auth.queryParameter`: `?access_token=` accepted on /ws/exchange */
    readonly queryToken: boolean,
  ) {
    this.refusals = metrics.counter('gateway_security_refusals_total', 'Requests, connections and messages refused by a security rule, by reason');
  }

  static async create(config: Pick<Config, 'auth' | 'limits' | 'server'>, metrics: Metrics, env: NodeJS.ProcessEnv = process.env): Promise<Security> {
    return new Security(
      await Authenticator.create(config.auth, env),
      new IpSet(config.server.trustProxy),
      new Set(config.server.allowedOrigins),
      config.limits,
      env.GATEWAY_ADMIN_TOKEN || undefined,
      metrics,
      config.auth.queryParameter,
    );
  }

  refused(reason: RefusalReason, where: 'ws' | 'http'): void {
    this.refusals.inc({ reason, where });
  }

  /**
   * a browser's Origin, judged against `server.allowedOrigins` (empty list: any); no Origin (not a browser) passes,
   * and so does the gateway's own origin (its monitor page), named by the request's Host
   */
  originAllowed(origin: string | undefined, host?: string): boolean {
    if (origin === undefined || this.allowedOrigins.size === 0 || this.allowedOrigins.has(origin)) return true;
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  }
}
