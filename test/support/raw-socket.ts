// A bare WebSocket client of a simulator for tests: keeps every JSON frame it gets, counts the server's pings, and
// says when the server closed it. (TestClient in client.ts is the gateway's client; this one speaks any protocol.)

import WebSocket from 'ws';

export interface RawSocket {
  ws: WebSocket;
  frames: Record<string, unknown>[];
  /** settles when the socket closed */
  closed: Promise<void>;
  /** how many WebSocket pings the server sent */
  pings(): number;
  send(frame: unknown): void;
  close(): void;
}

export async function rawSocket(url: string): Promise<RawSocket> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let pings = 0;
  ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString('utf8'))));
  ws.on('ping', () => pings++);
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  return { ws, frames, closed, pings: () => pings, send: (f) => ws.send(typeof f === 'string' ? f : JSON.stringify(f)), close: () => ws.close() };
}
