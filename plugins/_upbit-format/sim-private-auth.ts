// Checks the JWT on a private upgrade as Upbit and Bithumb do: `Authorization: Bearer <JWT>`, HS256/HS512 signed with
// the secret of the access key it names, a fresh nonce (Bithumb also a current timestamp). Refusals are HTTP 401
// with the exchange's error body.

import type { IncomingHttpHeaders } from 'node:http';
import { peekJwt, verifyJwt } from '../../kernel/private/jwt.ts';
import type { HttpReply } from '../../sim/sim-server.ts';
import type { SimAccount } from '../../sim/sim-types.ts';

export type { SimAccount };

/** how far a Bithumb token's timestamp may be from the server's clock */
const TIMESTAMP_SKEW_MS = 60_000;
/** nonces remembered per access key (a replayed token is refused) */
const NONCES_KEPT = 10_000;

const refuse = (message: string): HttpReply => ({
  status: 401,
  body: JSON.stringify({ error: { name: 'INVALID_AUTH', message } }),
});

export class PrivateAuth {
  private readonly nonces = new Map<string, Set<string>>();
  /** refused upgrades, for tests */
  refusals = 0;

  constructor(
    private readonly accounts: readonly SimAccount[],
    private readonly needTimestamp: boolean,
  ) {}

  /** the access key of an accepted upgrade, or the refusal to send */
  check(headers: IncomingHttpHeaders, nowMs = Date.now()): { accessKey: string } | { refusal: HttpReply } {
    const fail = (message: string) => {
      this.refusals++;
      return { refusal: refuse(message) };
    };
    const auth = headers.authorization;
    if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) return fail('인증 정보가 없습니다. (no bearer token)');
    const token = auth.slice(7);
    const accessKey = peekJwt(token)?.payload.access_key;
    const account = this.accounts.find((a) => a.accessKey === accessKey);
    if (!account) return fail('잘못된 엑세스 키입니다. (unknown access key)');
    const checked = verifyJwt(token, account.secretKey);
    if (!checked.ok) return fail(`Jwt 토큰 검증에 실패했습니다. (${checked.reason})`);
    const { nonce, timestamp } = checked.payload;
    if (typeof nonce !== 'string' || nonce === '') return fail('nonce 가 없습니다.');
    if (this.needTimestamp && (typeof timestamp !== 'number' || Math.abs(nowMs - timestamp) > TIMESTAMP_SKEW_MS)) {
      return fail('timestamp 가 유효하지 않습니다.');
    }
    let seen = this.nonces.get(account.accessKey);
    if (!seen) this.nonces.set(account.accessKey, (seen = new Set()));
    if (seen.has(nonce)) return fail('이미 사용된 nonce 입니다.');
    if (seen.size >= NONCES_KEPT) seen.clear();
    seen.add(nonce);
    return { accessKey: account.accessKey };
  }
}
