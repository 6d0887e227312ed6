// Helpers for the infrastructure tests: process and port checks, small ZooKeeper and Kafka client wrappers, and a
// two-faced (HTTP + WebSocket) upstream for nginx.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaMessage } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import WebSocket, { WebSocketServer } from 'ws';
import { KAFKA_READY_KEY } from '../../scripts/infra/index.ts';

export function assertGone(pid: number): void {
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is still running`);
}

/** Resolves with the connect error code, or 'connected'. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

export async function zkClient(connectString: string): Promise<Client> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 5000, spinDelay: 100, retries: 0 });
  const connected = once(client, 'connected');
  client.connect();
  await connected;
  return client;
}

export const zkCall = <T>(fn: (cb: (err: unknown, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

export const createEphemeral = (c: Client, path: string) =>
  zkCall<string>((cb) => c.create(path, Buffer.from('x'), zookeeper.CreateMode.EPHEMERAL, cb));

export const exists = (c: Client, path: string) => zkCall<boolean>((cb) => c.exists(path, (err, stat) => cb(err, Boolean(stat))));

/** A call that may meet CONNECTION_LOSS while the client moves to another server is tried again. */
export async function retrying<T>(op: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'infra-test',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** Reads `topic` from the beginning with a fresh group until `count` records (readiness record excluded) arrived. */
export async function consume(kafka: Kafka, groupId: string, topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  const got: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== KAFKA_READY_KEY) got.push(message);
          if (got.length >= count) resolve();
        },
      });
    });
    return got;
  } finally {
    await consumer.disconnect();
  }
}

export const asText = (m: KafkaMessage) => `${m.key?.toString()}=${m.value?.toString()}`;

export interface Upstream {
  name: string;
  address: string;
  close(): Promise<void>;
}

/** An HTTP server answering its name, which also upgrades to WebSocket: greets with its name, echoes with it. */
export async function startUpstream(name: string): Promise<Upstream> {
  const http = createServer((_req, res) => res.end(name));
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => {
    ws.send(name);
    ws.on('message', (data) => ws.send(`${name}:${data.toString()}`));
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    name,
    address: `127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}

/** Opens a WebSocket and resolves with it and its first message (the upstream's name). */
export async function openSocket(url: string): Promise<{ ws: WebSocket; greeting: string }> {
  const ws = new WebSocket(url);
  const [data] = (await once(ws, 'message')) as [Buffer];
  return { ws, greeting: data.toString() };
}

