// One client connection as the security layer sees it: the control-message rate limit, authentication by first
// message when the upgrade carried no credential and auth is required, then hand-over to the hub.

import { encode } from '../../boundary/codec.ts';
import { decodeControl } from '../fanout/client-protocol.ts';
import type { ClientHandle } from '../fanout/hub.ts';
import { errorCode } from '../../sdk/errors.ts';
import type { ClientIdentity } from './identity.ts';
import { TokenBucket } from './limits.ts';
import type { SessionSocket, WsGate } from './ws-gate.ts';
import { errorFrame } from './ws-gate.ts';

export class WsSession {
  private handle: ClientHandle | undefined;
  private readonly bucket: TokenBucket;
  private pending: boolean;
  private authenticating = false;
  private queued: (string | Uint8Array)[] = [];
  private done = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** gives the connection slot back (idempotent) */
  private readonly release: () => void;

  /**
   * `connect` hands the client to the hub with its identity; it may throw (e.g. FORBIDDEN for a filter outside the
   * identity's limits), which closes the connection with 1008.
   */
  constructor(
    private readonly gate: WsGate,
    admission: { identity?: ClientIdentity; pending: boolean; release: () => void },
    private readonly sock: SessionSocket,
    private readonly connect: (identity: ClientIdentity | undefined) => ClientHandle,
  ) {
    const { limits } = gate.security;
    this.bucket = new TokenBucket(limits.controlPerSecond, limits.controlBurst);
    this.release = admission.release;
    this.pending = admission.pending;
    if (!this.pending) this.start(admission.identity);
    else {
      this.timer = setTimeout(() => {
        this.gate.security.refused('auth_timeout', 'ws');
        this.fail('UNAUTHORIZED', `no {"method":"auth"} message within ${limits.authTimeoutMs} ms (limits.authTimeoutMs)`);
      }, limits.authTimeoutMs);
    }
  }

  private start(identity: ClientIdentity | undefined): void {
    try {
      this.handle = this.connect(identity);
    } catch (err) {
      const code = errorCode(err);
      this.fail(code === 'FORBIDDEN' || code === 'LIMIT_EXCEEDED' ? code : 'INTERNAL', (err as Error).message);
    }
  }

  /** sends an error event, then closes with 1008 (policy violation) */
  private fail(code: string, message: string): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.sock.send(errorFrame(this.sock.format, code, message));
    this.sock.close(1008, code === 'RATE_LIMITED' ? 'rate limited' : code.toLowerCase());
  }

  message(data: string | Uint8Array): void {
    if (this.done) return;
    if (!this.bucket.take()) {
      this.gate.security.refused('rate_limited', 'ws');
      const { controlPerSecond, controlBurst } = this.gate.security.limits;
      this.fail('RATE_LIMITED', `more than ${controlBurst} control messages at once or ${controlPerSecond} per second (limits.controlPerSecond)`);
      return;
    }
    if (this.handle) return this.handle.message(data);
    if (this.authenticating) {
      this.queued.push(data);
      return;
    }
    void this.authenticate(data);
  }

  private async authenticate(data: string | Uint8Array): Promise<void> {
    const security = this.gate.security;
    let msg: { method?: unknown; token?: unknown } | null | undefined;
    try {
      msg = decodeControl(data, this.sock.format) as typeof msg;
    } catch {
      msg = undefined;
    }
    if (!msg || typeof msg !== 'object' || msg.method !== 'auth' || typeof msg.token !== 'string') {
      security.refused('unauthenticated', 'ws');
      return this.fail('UNAUTHORIZED', 'authenticate first: {"method":"auth","token":"<token>"} (auth.required)');
    }
    this.authenticating = true;
    let identity: ClientIdentity;
    try {
      identity = await security.auth.verify(msg.token);
    } catch (err) {
      security.refused('unauthorized', 'ws');
      return this.fail('UNAUTHORIZED', errorCode(err) === 'UNAUTHORIZED' ? (err as Error).message : 'invalid credential');
    }
    if (this.done) return;
    clearTimeout(this.timer);
    this.pending = false;
    const answer = { event: 'authenticated', subject: identity.subject };
    this.sock.send(this.sock.format === 'json' ? JSON.stringify(answer) : encode(answer));
    this.start(identity);
    const queued = this.queued;
    this.queued = [];
    // already counted by the rate limit when they arrived
    for (const q of queued) if (this.handle && !this.done) this.handle.message(q);
  }

  closed(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.release();
    this.handle?.closed();
  }
}
