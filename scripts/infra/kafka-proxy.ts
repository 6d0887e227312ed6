// A TCP proxy in front of a Kafka 0.9 broker: it answers ApiVersions (key 18) itself, which kafkajs 2.x sends first
// and 0.9 answers by hanging up, and forwards every other request frame unchanged. Pausing it makes the broker's
// advertised address refuse connections, which is what an outage looks like to a client.

import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import {
  API_KEY_API_VERSIONS,
  apiVersionsResponse,
  expectsResponse,
  FrameSplitter,
  readRequestHeader,
} from './kafka-protocol.ts';
import { API_KEY_METADATA, clearReplicaNotAvailable } from './kafka-metadata.ts';

export interface KafkaProxyStats {
  connections: number;
  apiVersionsAnswered: number;
  framesForwarded: number;
}

export interface KafkaProxy {
  readonly port: number;
  readonly stats: KafkaProxyStats;
  /** Stops listening (new connections are refused) and drops every open connection. Idempotent. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaProxyOptions {
  upstreamPort: number;
  upstreamHost?: string;
  /** the port to listen on; 0 or absent lets the OS choose */
  port?: number;
}

/** One answer owed to the client, in request order: either ours (ApiVersions) or the broker's, still to come. */
interface Slot {
  response?: Buffer;
  /** applied to the broker's answer before it goes back */
  fix?: (frame: Buffer) => Buffer;
}

export async function startKafkaProxy(opts: KafkaProxyOptions): Promise<KafkaProxy> {
  const upstreamHost = opts.upstreamHost ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const stats: KafkaProxyStats = { connections: 0, apiVersionsAnswered: 0, framesForwarded: 0 };
  const server = createServer((client) => {
    stats.connections++;
    relay(client, connect({ host: upstreamHost, port: opts.upstreamPort }), sockets, stats);
  });
  let listening = false;
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  await listen(opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;

  const pause = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  let closed = false;
  return {
    port,
    stats,
    pause,
    resume: async () => {
      if (!listening && !closed) await listen(port);
    },
    close: async () => {
      closed = true;
      await pause();
    },
  };
}

function relay(client: Socket, upstream: Socket, sockets: Set<Socket>, stats: KafkaProxyStats): void {
  sockets.add(client);
  sockets.add(upstream);
  const drop = (): void => {
    client.destroy();
    upstream.destroy();
  };
  for (const socket of [client, upstream]) {
    socket.setNoDelay(true);
    socket.on('error', drop);
    socket.on('close', () => {
      sockets.delete(socket);
      drop();
    });
  }
  // Backpressure both ways, as pipe() would do.
  client.on('drain', () => upstream.resume());
  upstream.on('drain', () => client.resume());

  // Kafka answers a connection's requests in order; answering ApiVersions ourselves must not overtake an answer
  // the broker still owes, so answers leave in request order.
  const slots: Slot[] = [];
  const flush = (): void => {
    while (slots[0]?.response) {
      if (!client.write(slots.shift()!.response!)) upstream.pause();
    }
  };

  const fromClient = new FrameSplitter();
  client.on('data', (chunk: Buffer) => {
    try {
      for (const frame of fromClient.push(chunk)) {
        const header = readRequestHeader(frame);
        if (header.apiKey === API_KEY_API_VERSIONS) {
          stats.apiVersionsAnswered++;
          slots.push({ response: apiVersionsResponse(header.correlationId, header.apiVersion) });
          flush();
          continue;
        }
        if (expectsResponse(frame, header)) {
          slots.push(header.apiKey === API_KEY_METADATA && header.apiVersion === 0 ? { fix: clearReplicaNotAvailable } : {});
        }
        stats.framesForwarded++;
        if (!upstream.write(frame)) client.pause();
      }
    } catch {
      drop(); // not Kafka: a frame too short for its header, or an absurd size
    }
  });

  const fromBroker = new FrameSplitter();
  upstream.on('data', (chunk: Buffer) => {
    try {
      for (const frame of fromBroker.push(chunk)) {
        const slot = slots.find((s) => !s.response);
        if (!slot) return drop(); // the broker answered something nobody asked
        slot.response = slot.fix ? slot.fix(frame) : frame;
      }
      flush();
    } catch {
      drop();
    }
  });
}
