// The HTTP + WebSocket plumbing every simulated exchange shares: peers, limits, timers, recording and fault switches.

import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SimHandle } from './sim-types.ts';
import { rawSocket, WriteBatch, type Corkable } from './write-batch.ts';

/** One client connection as a protocol sees it. */
export interface Peer<S> {
  readonly id: number;
  /** the upgrade request's URL (path and query) */
  readonly url: URL;
  readonly state: S;
  /** sends one frame; a no-op while the server is stalled or once the socket is closing */
  send(text: string, binary?: boolean): void;
  close(code: number, reason: string): void;
}

export interface HttpReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface TimerSpec {
  everyMs: number;
  run(nowMs: number): void;
}

/** What one exchange's protocol plugs into the shared server. */
export interface Protocol<S> {
  /** the WebSocket endpoint's path, appended to ws://host:port for the handle's url ('' for Binance) */
  readonly wsPath: string;
  /** null accepts the upgrade; a reply refuses it (unknown path, bad stream list, bad credentials) */
  checkUpgrade(url: URL, headers: IncomingHttpHeaders): HttpReply | null;
  createState(url: URL, headers: IncomingHttpHeaders): S;
  onOpen?(peer: Peer<S>): void;
  onMessage(peer: Peer<S>, text: string): void;
  onClose?(peer: Peer<S>): void;
  /** undefined: 404 */
  onHttp?(url: URL, method: string): HttpReply | undefined;
  /** run only while at least one client is connected */
  readonly timers: TimerSpec[];
}

export interface ServerLimits {
  host: string;
  port: number;
  /** 0 disables server pings */
  pingIntervalMs: number;
  /** a client that has not answered a ping for this long is dropped */
  pongTimeoutMs: number;
  /** 0 disables the idle timeout */
  idleTimeoutMs: number;
  /** incoming messages (and pings) per second per connection before close 1008; 0 disables */
  maxMessagesPerSecond: number;
}

const MAX_RECORDED = 100_000;

export interface PeerSet<S> {
  peers(): Iterable<Peer<S>>;
}

class SimPeer<S> implements Peer<S> {
  /** when the oldest unanswered server ping went out */
  pingOutstandingSinceMs: number | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  recentMs: number[] = [];
  private readonly raw: Corkable | undefined;

  constructor(
    readonly id: number,
    readonly url: URL,
    readonly state: S,
    readonly socket: WebSocket,
    private readonly isStalled: () => boolean,
    private readonly batch: WriteBatch,
  ) {
    this.raw = rawSocket(socket);
  }

  send(text: string, binary = false): void {
    if (this.isStalled() || this.socket.readyState !== this.socket.OPEN) return;
    if (this.raw) this.batch.hold(this.raw);
    this.socket.send(binary ? Buffer.from(text, 'utf8') : text, { binary });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
  }
}

/** Client frames as text; binary ones (some Upbit clients send their request that way) decoded as UTF-8. */
function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
}

function writeRawHttp(socket: Duplex, reply: HttpReply): void {
  const head = [`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Error'}`, 'Connection: close'];
  head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(reply.body)}`);
  for (const [k, v] of Object.entries(reply.headers ?? {})) head.push(`${k}: ${v}`);
  socket.end(`${head.join('\r\n')}\r\n\r\n${reply.body}`);
}

/** Starts one simulated exchange on its own port. `build` receives a view of the peers for broadcasting. */
export async function startSimServer<S>(limits: ServerLimits, build: (set: PeerSet<S>) => Protocol<S>): Promise<SimHandle> {
  const peers = new Set<SimPeer<S>>();
  const protocol = build({ peers: () => peers });
  const received: string[] = [];
  let total = 0;
  let nextId = 1;
  let stalled = false;
  let rejection: HttpReply | null = null;
  /** refusals left before upgrades are accepted again (Infinity: until switched off) */
  let refusalsLeft = Infinity;
  const upgrades: { atMs: number; status: number }[] = [];
  let timers: NodeJS.Timeout[] = [];
  const batch = new WriteBatch();
  let closing: Promise<void> | undefined;

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    let reply: HttpReply;
    try {
      reply = protocol.onHttp?.(url, req.method ?? 'GET') ?? { status: 404, body: '{"error":"not found"}' };
    } catch (err) {
      console.error('simulator: HTTP handler failed', err);
      reply = { status: 500, body: '{"error":"internal error"}' };
    }
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    res.end(reply.body);
  });
  // autoPong off: a stalled server must not answer pings either, or clients could not detect the stall.
  const wss = new WebSocketServer({ noServer: true, autoPong: false });

  const startTimers = (): void => {
    for (const t of protocol.timers) timers.push(setInterval(() => batch.run(() => t.run(Date.now())), t.everyMs));
    if (limits.pingIntervalMs > 0) timers.push(setInterval(pingAll, limits.pingIntervalMs));
  };
  const stopTimers = (): void => {
    for (const t of timers) clearInterval(t);
    timers = [];
  };

  function pingAll(): void {
    if (stalled) return;
    const now = Date.now();
    for (const peer of peers) {
      const since = peer.pingOutstandingSinceMs;
      if (since !== undefined && now - since > limits.pongTimeoutMs) peer.socket.terminate();
      else {
        peer.pingOutstandingSinceMs ??= now;
        peer.socket.ping();
      }
    }
  }

  /** true when the peer went over the message rate and is being closed */
  function overRate(peer: SimPeer<S>): boolean {
    if (limits.maxMessagesPerSecond <= 0) return false;
    const now = Date.now();
    peer.recentMs = peer.recentMs.filter((t) => now - t < 1000);
    peer.recentMs.push(now);
    if (peer.recentMs.length <= limits.maxMessagesPerSecond) return false;
    peer.close(1008, 'Too many requests');
    return true;
  }

  function heardFrom(peer: SimPeer<S>): void {
    peer.idleTimer?.refresh();
  }

  function attach(socket: WebSocket, url: URL, headers: IncomingHttpHeaders): void {
    const peer = new SimPeer(nextId++, url, protocol.createState(url, headers), socket, () => stalled, batch);
    peers.add(peer);
    total++;
    if (peers.size === 1) startTimers();
    if (limits.idleTimeoutMs > 0) {
      // No close frame: an idle cut at a load balancer looks like a dropped connection.
      peer.idleTimer = setTimeout(() => socket.terminate(), limits.idleTimeoutMs);
    }
    socket.on('error', () => socket.terminate());
    socket.on('ping', (data: Buffer) => {
      heardFrom(peer);
      if (overRate(peer)) return;
      if (!stalled && socket.readyState === socket.OPEN) socket.pong(data);
    });
    socket.on('pong', () => {
      heardFrom(peer);
      peer.pingOutstandingSinceMs = undefined;
    });
    socket.on('message', (data: RawData) => {
      heardFrom(peer);
      if (socket.readyState !== socket.OPEN) return;
      const text = toText(data);
      if (received.length >= MAX_RECORDED) received.shift();
      received.push(text);
      if (overRate(peer)) return;
      try {
        protocol.onMessage(peer, text);
      } catch (err) {
        // A simulator bug must not take the test process down; the client sees an internal-error close.
        console.error('simulator: message handler failed', err);
        peer.close(1011, 'Internal error');
      }
    });
    socket.on('close', () => {
      clearTimeout(peer.idleTimer);
      if (!peers.delete(peer)) return;
      protocol.onClose?.(peer);
      if (peers.size === 0) stopTimers();
    });
    protocol.onOpen?.(peer);
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://sim');
    const refusal = closing ? { status: 503, body: '' } : (rejection ?? protocol.checkUpgrade(url, req.headers));
    if (upgrades.length < MAX_RECORDED) upgrades.push({ atMs: Date.now(), status: refusal?.status ?? 101 });
    if (refusal === rejection && rejection && --refusalsLeft <= 0) rejection = null;
    if (refusal) return writeRawHttp(socket, refusal);
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closing) ws.terminate();
      else attach(ws, url, req.headers);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(limits.port, limits.host, () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : limits.port;
  const hostPort = `${limits.host.includes(':') ? `[${limits.host}]` : limits.host}:${port}`;

  return {
    url: `ws://${hostPort}${protocol.wsPath}`,
    restUrl: `http://${hostPort}`,
    port,
    // Counts sockets still OPEN, so a terminated one stops counting before its 'close' event has run.
    connections: () => {
      let open = 0;
      for (const p of peers) if (p.socket.readyState === p.socket.OPEN) open++;
      return open;
    },
    totalConnections: () => total,
    received: () => [...received],
    dropAll: () => {
      for (const p of peers) p.socket.terminate();
    },
    closeAll: (code = 1000, reason = '') => {
      for (const p of peers) p.close(code, reason);
    },
    stall: (on) => {
      stalled = on;
    },
    upgrades: () => upgrades.map((u) => ({ ...u })),
    rejectUpgrades: (status, retryAfterS, count) => {
      refusalsLeft = count ?? Infinity;
      rejection =
        status === null
          ? null
          : {
              status,
              body: JSON.stringify({ error: STATUS_CODES[status] ?? 'refused' }),
              headers: retryAfterS === undefined ? {} : { 'Retry-After': String(retryAfterS) },
            };
    },
    sendRaw: (frame, binary = false) => {
      for (const p of peers) p.send(frame, binary);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        stopTimers();
        for (const p of peers) {
          clearTimeout(p.idleTimer);
          p.socket.terminate();
        }
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections?.();
      });
      return closing;
    },
  };
}
