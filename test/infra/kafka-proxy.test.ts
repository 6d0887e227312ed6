// The Kafka ApiVersions proxy against a fake broker: what it answers itself, what it forwards untouched, and the
// order answers leave in. No JVM needed.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { test } from 'node:test';
import { FrameSplitter } from '../../scripts/infra/kafka-protocol.ts';
import { KAFKA_09_API_VERSIONS, startKafkaProxy } from '../../scripts/infra/index.ts';

function request(apiKey: number, apiVersion: number, correlationId: number, body = Buffer.alloc(0)): Buffer {
  const clientId = Buffer.from('test');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

function response(correlationId: number, body: Buffer): Buffer {
  const out = Buffer.alloc(8 + body.length);
  out.writeInt32BE(4 + body.length, 0);
  out.writeInt32BE(correlationId, 4);
  body.copy(out, 8);
  return out;
}

/** A fake broker: records every frame; `answer` decides what (if anything) to send back for each. */
interface FakeBroker {
  server: Server;
  port: number;
  frames: Buffer[];
}

async function fakeBroker(answer: (frame: Buffer, socket: Socket) => void): Promise<FakeBroker> {
  const frames: Buffer[] = [];
  const server = createServer((socket) => {
    const splitter = new FrameSplitter();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        frames.push(frame);
        answer(frame, socket);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, frames };
}

/** A client connection that collects whole response frames. */
async function client(port: number): Promise<{ socket: Socket; next(): Promise<Buffer> }> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const splitter = new FrameSplitter();
  const queue: Buffer[] = [];
  const waiters: ((b: Buffer) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const frame of splitter.push(chunk)) {
      const waiter = waiters.shift();
      waiter ? waiter(frame) : queue.push(frame);
    }
  });
  return {
    socket,
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r))),
  };
}

function parseApiVersions(frame: Buffer, withThrottle: boolean) {
  const correlationId = frame.readInt32BE(4);
  const errorCode = frame.readInt16BE(8);
  const count = frame.readInt32BE(10);
  const rows = Array.from({ length: count }, (_, i) => ({
    apiKey: frame.readInt16BE(14 + i * 6),
    minVersion: frame.readInt16BE(16 + i * 6),
    maxVersion: frame.readInt16BE(18 + i * 6),
  }));
  const end = 14 + count * 6 + (withThrottle ? 4 : 0);
  assert.equal(frame.length, end, 'frame length matches its declared body');
  return { correlationId, errorCode, rows };
}

test('the proxy answers ApiVersions itself with the Kafka 0.9 table, in the version the client asked', async () => {
  const broker = await fakeBroker(() => {});
  const proxy = await startKafkaProxy({ upstreamPort: broker.port });
  const c = await client(proxy.port);
  try {
    const table = KAFKA_09_API_VERSIONS.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
    c.socket.write(request(18, 0, 7));
    assert.deepEqual(parseApiVersions(await c.next(), false), { correlationId: 7, errorCode: 0, rows: table });
    c.socket.write(request(18, 2, 8));
    assert.deepEqual(parseApiVersions(await c.next(), true), { correlationId: 8, errorCode: 0, rows: table });
    // A flexible version it cannot speak: UNSUPPORTED_VERSION in a v0 body, so the client retries lower.
    c.socket.write(request(18, 3, 9));
    assert.equal(parseApiVersions(await c.next(), false).errorCode, 35);
    assert.equal(broker.frames.length, 0, 'the broker never saw an ApiVersions request');
  } finally {
    c.socket.destroy();
    await proxy.close();
    broker.server.close();
  }
});

test('the proxy forwards other requests byte for byte and keeps answers in request order', async () => {
  // The broker answers Metadata only when told to, after the client has already sent ApiVersions behind it.
  let release: (() => void) | undefined;
  let arrived!: () => void;
  const metadataArrived = new Promise<void>((resolve) => (arrived = resolve));
  const broker = await fakeBroker((frame, socket) => {
    release = () => socket.write(response(frame.readInt32BE(8), Buffer.from('metadata')));
    arrived();
  });
  const proxy = await startKafkaProxy({ upstreamPort: broker.port });
  const c = await client(proxy.port);
  try {
    const metadata = request(3, 0, 1, Buffer.from([0, 0, 0, 0]));
    c.socket.write(Buffer.concat([metadata, request(18, 0, 2)]));
    await metadataArrived;
    assert.deepEqual(broker.frames[0], metadata);
    release!();
    const first = await c.next();
    const second = await c.next();
    assert.equal(first.readInt32BE(4), 1, 'the broker\'s answer to the earlier request comes first');
    assert.equal(first.subarray(8).toString(), 'metadata');
    assert.equal(second.readInt32BE(4), 2);
  } finally {
    c.socket.destroy();
    await proxy.close();
    broker.server.close();
  }
});

test('a Produce with acks=0 is forwarded without waiting for an answer the broker never sends', async () => {
  const broker = await fakeBroker((frame, socket) => {
    if (frame.readInt16BE(4) !== 0) socket.write(response(frame.readInt32BE(8), Buffer.alloc(0)));
  });
  const proxy = await startKafkaProxy({ upstreamPort: broker.port });
  const c = await client(proxy.port);
  try {
    const acksZero = Buffer.from([0, 0, 0, 0, 0x03, 0xe8]); // acks=0, timeout 1000 ms (the rest of the body is irrelevant here)
    c.socket.write(Buffer.concat([request(0, 1, 1, acksZero), request(3, 0, 2, Buffer.from([0, 0, 0, 0]))]));
    assert.equal((await c.next()).readInt32BE(4), 2);
  } finally {
    c.socket.destroy();
    await proxy.close();
    broker.server.close();
  }
});

test('a paused proxy refuses connections and serves again on the same port once resumed', async () => {
  const broker = await fakeBroker(() => {});
  const proxy = await startKafkaProxy({ upstreamPort: broker.port });
  const open = await client(proxy.port);
  try {
    const dropped = once(open.socket, 'close');
    await proxy.pause();
    await dropped;
    const refused = connect({ host: '127.0.0.1', port: proxy.port });
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');

    await proxy.resume();
    const again = await client(proxy.port);
    again.socket.write(request(18, 0, 3));
    assert.equal((await again.next()).readInt32BE(4), 3);
    again.socket.destroy();
  } finally {
    open.socket.destroy();
    await proxy.close();
    broker.server.close();
  }
});

/** A Metadata v0 response frame: one broker, one topic, partitions with the given error codes. */
function metadataV0(correlationId: number, errors: number[]): Buffer {
  const parts: Buffer[] = [];
  const i16 = (v: number) => { const b = Buffer.alloc(2); b.writeInt16BE(v); parts.push(b); };
  const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v); parts.push(b); };
  const str = (s: string) => { i16(s.length); parts.push(Buffer.from(s)); };
  i32(correlationId);
  i32(1); i32(0); str('127.0.0.1'); i32(9092);
  i32(1); i16(0); str('t'); i32(errors.length);
  errors.forEach((e, p) => { i16(e); i32(p); i32(0); i32(2); i32(0); i32(1); i32(1); i32(0); });
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

test('clears REPLICA_NOT_AVAILABLE from Metadata v0 answers, and nothing else', async () => {
  const { clearReplicaNotAvailable } = await import('../../scripts/infra/kafka-metadata.ts');
  const fixed = clearReplicaNotAvailable(metadataV0(7, [9, 0, 5, 9]));
  assert.deepEqual(fixed, metadataV0(7, [0, 0, 5, 0]));
  const clean = metadataV0(8, [0, 0]);
  assert.equal(clearReplicaNotAvailable(clean), clean);
});
