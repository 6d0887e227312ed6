// A small controllable WebSocket "exchange" for the worker's unit tests: records every upgrade attempt and every
// frame it receives with its time, refuses upgrades on demand, broadcasts frames, and can stay silent to pings.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

export interface Attempt {
  at: number;
  /** 101 when accepted, the refusal status otherwise */
  status: number;
}

export interface WsExchange {
  url: string;
  attempts: Attempt[];
  /** every frame received, with the time and the connection's number (1, 2, ...) */
  received: { at: number; conn: number; text: string }[];
  /** open connections, by their number */
  sockets: Map<number, WebSocket>;
  /** refuse the next `n` upgrades with `status` */
  refuse(n: number, status?: number): void;
  broadcast(frame: string): void;
  /** runs for each accepted connection (number, socket) */
  onConnection(fn: (conn: number, ws: WebSocket) => void): void;
  close(): Promise<void>;
}

export async function startWsExchange(opts: { autoPong?: boolean } = {}): Promise<WsExchange> {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, autoPong: opts.autoPong ?? true });
  let refusals: { n: number; status: number } = { n: 0, status: 503 };
  let count = 0;
  const hooks: ((conn: number, ws: WebSocket) => void)[] = [];
  const ex: WsExchange = {
    url: '',
    attempts: [],
    received: [],
    sockets: new Map(),
    refuse(n, status = 503) {
      refusals = { n, status };
    },
    broadcast(frame) {
      for (const ws of ex.sockets.values()) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
    onConnection(fn) {
      hooks.push(fn);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of ex.sockets.values()) ws.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
  http.on('upgrade', (req, socket: Duplex, head) => {
    if (refusals.n > 0) {
      refusals.n--;
      ex.attempts.push({ at: Date.now(), status: refusals.status });
      socket.end(`HTTP/1.1 ${refusals.status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    ex.attempts.push({ at: Date.now(), status: 101 });
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = ++count;
      ex.sockets.set(conn, ws);
      ws.on('message', (data) => ex.received.push({ at: Date.now(), conn, text: data.toString() }));
      ws.on('close', () => ex.sockets.delete(conn));
      for (const fn of hooks) fn(conn, ws);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  ex.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return ex;
}
