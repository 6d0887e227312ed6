// A WebSocket test client that records every frame and lets a test wait for the one it needs, with a deadline.

import WebSocket from 'ws';

export interface Frame {
  text: string;
  binary: boolean;
  /** JSON.parse(text), or undefined when it is not JSON */
  json: unknown;
}

export interface Closed {
  code: number;
  reason: string;
}

type Waiter = { check: () => boolean };

export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  pings = 0;
  private readonly waiters = new Set<Waiter>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data, binary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      this.frames.push({ text, binary, json });
      for (const w of this.waiters) w.check();
    });
    socket.on('ping', () => {
      this.pings++;
      for (const w of this.waiters) w.check();
    });
  }

  /** Opens a connection; rejects with the HTTP status (and headers) if the server refuses the upgrade. */
  static open(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, headers: res.headers }));
        res.resume();
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Resolves once `ready()` holds, checking after every frame and ping; fails after `timeoutMs`. */
  until<T>(what: string, ready: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const value = ready();
          if (value === undefined || value === false) return false;
          this.waiters.delete(waiter);
          clearTimeout(timer);
          resolve(value);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last frame: ${this.frames.at(-1)?.text.slice(0, 300)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  /** Waits for the first frame from index `from` on whose JSON `match` holds. */
  async next<T = Record<string, unknown>>(what: string, match: (json: any, frame: Frame) => boolean, from = 0, timeoutMs?: number): Promise<T> {
    const frame = await this.until(
      what,
      () => this.frames.slice(from).find((f) => f.json !== undefined && match(f.json, f)),
      timeoutMs,
    );
    return frame.json as T;
  }

  /** Waits until `count` frames from index `from` match. */
  async collect<T = Record<string, unknown>>(what: string, count: number, match: (json: any) => boolean, from = 0): Promise<T[]> {
    return this.until(what, () => {
      const hits = this.frames.slice(from).filter((f) => f.json !== undefined && match(f.json));
      return hits.length >= count ? hits.slice(0, count).map((f) => f.json as T) : undefined;
    });
  }

  async close(): Promise<Closed> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close();
    return this.closed;
  }
}
