// The one thing the hub needs from a client connection, whatever the runtime or WebSocket library.

export interface Peer {
  /** queue a frame: text for JSON clients, binary for msgpack clients. MUST NOT throw. */
  send(frame: string | Uint8Array): void;
  /** bytes queued but not yet written to the network */
  readonly bufferedAmount: number;
  /** MUST NOT throw; idempotent */
  close(code: number, reason: string): void;
}
