// The little of the Kafka wire protocol the proxy needs: size-prefixed frames, the request header, and an
// ApiVersions (key 18) answer on behalf of a 0.9 broker, which predates that request.

/** One row of an ApiVersions answer. */
export interface ApiVersionRange {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
}

/**
 * What Kafka 0.9.0.1 serves to clients, read from its own `org.apache.kafka.common.protocol.Protocol.REQUESTS`.
 * Inter-broker keys 4-7 are left out, as later brokers do. ApiVersions itself is answered by the proxy (v0-v2:
 * the non-flexible versions kafkajs speaks). kafkajs 2.2 has every key here at version 0, except OffsetFetch, which
 * it starts at v1 (offsets kept in Kafka), which 0.9 has.
 */
export const KAFKA_09_API_VERSIONS: readonly ApiVersionRange[] = [
  { apiKey: 0, name: 'Produce', minVersion: 0, maxVersion: 1 },
  { apiKey: 1, name: 'Fetch', minVersion: 0, maxVersion: 1 },
  { apiKey: 2, name: 'ListOffsets', minVersion: 0, maxVersion: 0 },
  { apiKey: 3, name: 'Metadata', minVersion: 0, maxVersion: 0 },
  { apiKey: 8, name: 'OffsetCommit', minVersion: 0, maxVersion: 2 },
  { apiKey: 9, name: 'OffsetFetch', minVersion: 0, maxVersion: 1 },
  { apiKey: 10, name: 'GroupCoordinator', minVersion: 0, maxVersion: 0 },
  { apiKey: 11, name: 'JoinGroup', minVersion: 0, maxVersion: 0 },
  { apiKey: 12, name: 'Heartbeat', minVersion: 0, maxVersion: 0 },
  { apiKey: 13, name: 'LeaveGroup', minVersion: 0, maxVersion: 0 },
  { apiKey: 14, name: 'SyncGroup', minVersion: 0, maxVersion: 0 },
  { apiKey: 15, name: 'DescribeGroups', minVersion: 0, maxVersion: 0 },
  { apiKey: 16, name: 'ListGroups', minVersion: 0, maxVersion: 0 },
  { apiKey: 18, name: 'ApiVersions', minVersion: 0, maxVersion: 2 },
];

export const API_KEY_PRODUCE = 0;
export const API_KEY_API_VERSIONS = 18;
const ERROR_NONE = 0;
const ERROR_UNSUPPORTED_VERSION = 35;
const MAX_API_VERSIONS_VERSION = 2;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** offset of the request body within the frame */
  bodyOffset: number;
}

/** Parses the v0/v1 request header of a whole frame (4-byte size prefix included). */
export function readRequestHeader(frame: Buffer): RequestHeader {
  const clientIdLength = frame.readInt16BE(12);
  const clientIdEnd = 14 + Math.max(clientIdLength, 0);
  return {
    apiKey: frame.readInt16BE(4),
    apiVersion: frame.readInt16BE(6),
    correlationId: frame.readInt32BE(8),
    clientId: clientIdLength < 0 ? null : frame.toString('utf8', 14, clientIdEnd),
    bodyOffset: clientIdEnd,
  };
}

/** The broker sends nothing back for a Produce with acks=0, so the proxy must not wait for an answer. */
export function expectsResponse(frame: Buffer, header: RequestHeader): boolean {
  return !(header.apiKey === API_KEY_PRODUCE && frame.readInt16BE(header.bodyOffset) === 0);
}

/**
 * The whole response frame. v0-v2 bodies are answered in the version asked; a newer (flexible) version gets a v0 body
 * with UNSUPPORTED_VERSION, which is how real brokers tell a client to retry with a version from the list.
 */
export function apiVersionsResponse(correlationId: number, requestVersion: number): Buffer {
  const supported = requestVersion <= MAX_API_VERSIONS_VERSION;
  const withThrottle = supported && requestVersion >= 1;
  const rows = KAFKA_09_API_VERSIONS;
  const size = 4 + 2 + 4 + rows.length * 6 + (withThrottle ? 4 : 0);
  const out = Buffer.alloc(4 + size);
  let at = out.writeInt32BE(size, 0);
  at = out.writeInt32BE(correlationId, at);
  at = out.writeInt16BE(supported ? ERROR_NONE : ERROR_UNSUPPORTED_VERSION, at);
  at = out.writeInt32BE(rows.length, at);
  for (const row of rows) {
    at = out.writeInt16BE(row.apiKey, at);
    at = out.writeInt16BE(row.minVersion, at);
    at = out.writeInt16BE(row.maxVersion, at);
  }
  if (withThrottle) out.writeInt32BE(0, at);
  return out;
}

/** Reads a response frame's correlation id (right after the size prefix). */
export function responseCorrelationId(frame: Buffer): number {
  return frame.readInt32BE(4);
}

/** Frames larger than this are not Kafka talking: the connection is dropped rather than buffering without bound. */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** Cuts a byte stream into whole size-prefixed frames (prefix included). */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** bytes needed before the next frame can be complete: chunks are only joined then, not on every arrival */
  private needed = 4;

  /** Returns the frames completed by this chunk; throws when a size prefix is absurd. */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.needed) return [];
    let buffer = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const frames: Buffer[] = [];
    this.needed = 4;
    while (buffer.length >= 4) {
      const size = buffer.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME_BYTES) throw new Error(`bad Kafka frame size ${size}`);
      if (buffer.length < 4 + size) {
        this.needed = 4 + size;
        break;
      }
      frames.push(buffer.subarray(0, 4 + size));
      buffer = buffer.subarray(4 + size);
    }
    this.pending = buffer.length > 0 ? [buffer] : [];
    this.pendingBytes = buffer.length;
    return frames;
  }
}
