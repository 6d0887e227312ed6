// A WebSocket test client that collects decoded frames and waits for the ones a test expects.

import WebSocket from 'ws';
import { decode } from '../../boundary/codec.ts';

export type Frame = Record<string, unknown>;

export class TestClient {
  readonly frames: Frame[] = [];
  /** which frames arrived as binary */
  readonly binary: boolean[] = [];
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  /** Date.now() when the connection opened: the gateway had registered the client by then (assertSequences) */
  joinedAt = 0;
  closeCode: number | undefined;
  closeReason = '';
  private readonly closedP: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const f = (isBinary ? decode(data) : JSON.parse(data.toString('utf8'))) as Frame;
      this.frames.push(f);
      this.binary.push(isBinary);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    this.closedP = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve();
      }),
    );
  }

  /** `opts`: request headers (Authorization, Origin, X-Forwarded-For) and subprotocols, for the security tests */
  static connect(url: string, opts: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers });
      const c = new TestClient(ws);
      ws.once('open', () => {
        c.joinedAt = Date.now();
        resolve(c);
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
    });
  }

  /** resolves with the first frame (already received or future) matching `pred` */
  next(pred: (f: Frame) => boolean, timeoutMs = 10_000, from = 0): Promise<Frame> {
    const have = this.frames.slice(from).find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms (got ${this.frames.length})`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** waits until `count` frames match `pred` */
  async collect(pred: (f: Frame) => boolean, count: number, timeoutMs = 15_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.frames.filter(pred);
      if (got.length >= count) return got.slice(0, count);
      if (Date.now() > deadline) throw new Error(`only ${got.length} of ${count} matching frames within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  closed(): Promise<void> {
    return this.closedP;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closedP;
  }
}

/** polls `fn` until it returns a truthy value */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
