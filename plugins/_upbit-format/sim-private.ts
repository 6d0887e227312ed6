// The private endpoint of the Upbit / Bithumb simulators: JWT-checked upgrade, myOrder / myAsset subscriptions, and
// each subscribed account's orders and balances moving with the simulated market (private-events.ts).

import type { IncomingHttpHeaders } from 'node:http';
import { peekJwt } from '../../kernel/private/jwt.ts';
import { SimAccountBook, toSimple } from './sim-private-events.ts';
import { PrivateAuth, type SimAccount } from './sim-private-auth.ts';
import { parsePrivateRequest, type PrivateRequest } from './sim-private-request.ts';
import type { MarketSet } from '../../sim/market-set.ts';
import type { HttpReply, Peer } from '../../sim/sim-server.ts';
import type { Variant } from './sim-messages.ts';

export const PRIVATE_PATHS: Record<Variant, string> = { upbit: '/websocket/v1/private', bithumb: '/websocket/v2/private' };

/** the market an account trades when it subscribed to every market */
const DEFAULT_CODE = 'KRW-BTC';

export interface PrivateSession {
  accessKey: string;
  request?: PrivateRequest;
  /** which subscribed market the next order goes to */
  turn: number;
}

export class PrivateEndpoint {
  readonly auth: PrivateAuth;
  private readonly books = new Map<string, SimAccountBook>();

  constructor(
    private readonly variant: Variant,
    accounts: readonly SimAccount[],
    private readonly seed: number,
    private readonly markets: MarketSet,
  ) {
    // Bithumb's token also carries a timestamp (ms) the server checks
    this.auth = new PrivateAuth(accounts, variant === 'bithumb');
  }

  get path(): string {
    return PRIVATE_PATHS[this.variant];
  }

  checkUpgrade(headers: IncomingHttpHeaders): HttpReply | null {
    const r = this.auth.check(headers);
    return 'refusal' in r ? r.refusal : null;
  }

  /** called after checkUpgrade accepted the same headers */
  createSession(headers: IncomingHttpHeaders): PrivateSession {
    const token = String(headers.authorization ?? '').slice(7);
    return { accessKey: String(peekJwt(token)?.payload.access_key ?? ''), turn: 0 };
  }

  onMessage(peer: Peer<{ private?: PrivateSession }>, session: PrivateSession, text: string, binary: boolean): void {
    if (text === 'PING') return peer.send('{"status":"UP"}', binary);
    const parsed = parsePrivateRequest(text);
    if (!parsed.ok) return peer.send(JSON.stringify({ error: parsed.error }), binary);
    session.request = parsed.request;
  }

  /** one market step: each subscribed account may place, fill or cancel an order */
  onStep(peers: Iterable<Peer<{ private?: PrivateSession }>>, nowMs: number, binary: boolean): void {
    for (const peer of peers) {
      const session = peer.state.private;
      const request = session?.request;
      if (!session || !request) continue;
      let book = this.books.get(session.accessKey);
      if (!book) this.books.set(session.accessKey, (book = new SimAccountBook(this.variant, session.accessKey, this.seed)));
      const codes = request.orderCodes?.length ? request.orderCodes : [DEFAULT_CODE];
      const code = codes[session.turn++ % codes.length]!;
      const [quote, base] = code.split('-') as [string, string];
      const price = this.markets.get(base, quote, nowMs).lastTrade.price;
      const simple = request.format === 'SIMPLE' || request.format === 'SIMPLE_LIST';
      for (const msg of book.step(code, price, nowMs)) {
        if (msg.type === 'myOrder' && request.orderCodes === null) continue;
        if (msg.type === 'myAsset' && !request.assets) continue;
        peer.send(JSON.stringify(simple ? toSimple(msg, this.variant) : msg), binary);
      }
    }
  }
}
