// One fix-up of 0.9's Metadata v0 answers in the proxy: a partition whose leader is fine but one of whose replicas
// is down carries REPLICA_NOT_AVAILABLE (9), which the Java client ignores but kafkajs treats as a failed request,
// so no client could produce or consume while any replica is down. Current brokers send that code only to v0
// requests too, and kafkajs asks them a newer version; clearing it makes 0.9 answer as they do.

export const API_KEY_METADATA = 3;
const REPLICA_NOT_AVAILABLE = 9;

/**
 * A copy of a Metadata v0 response frame (size prefix included) with partition code 9 cleared; `frame` itself if it
 * has none, or is not what it should be (the proxy forwards what it cannot read unchanged).
 */
export function clearReplicaNotAvailable(frame: Buffer): Buffer {
  try {
    return clear(frame);
  } catch {
    return frame;
  }
}

function clear(frame: Buffer): Buffer {
  let out: Buffer | undefined;
  let at = 8; // size prefix, correlation id
  const string = () => {
    const len = frame.readInt16BE(at);
    at += 2 + Math.max(len, 0);
  };
  const int32s = () => {
    const n = frame.readInt32BE(at);
    at += 4 + 4 * Math.max(n, 0);
  };
  const brokers = frame.readInt32BE(at);
  at += 4;
  for (let i = 0; i < brokers; i++) {
    at += 4; // node id
    string(); // host
    at += 4; // port
  }
  const topics = frame.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topics; t++) {
    at += 2; // topic error code
    string(); // topic
    const partitions = frame.readInt32BE(at);
    at += 4;
    for (let p = 0; p < partitions; p++) {
      if (frame.readInt16BE(at) === REPLICA_NOT_AVAILABLE) {
        out ??= Buffer.from(frame);
        out.writeInt16BE(0, at);
      }
      at += 2 + 4 + 4; // error code, partition id, leader
      int32s(); // replicas
      int32s(); // isr
    }
  }
  return out ?? frame;
}
