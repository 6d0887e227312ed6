// Errors with stable codes: code branches on `code`, never on message text.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'PLUGIN_NOT_FOUND'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_API_MISMATCH'
  | 'PLUGIN_CHANNEL_UNSUPPORTED'
  | 'PLUGIN_SYMBOL_INVALID'
  | 'BAD_FRAME'
  | 'EXCHANGE_ERROR'
  | 'WORKER_START_TIMEOUT'
  | 'WORKER_CRASHED'
  | 'BAD_REQUEST'
  /** replay: an input file or directory that cannot be read or names no exchange */
  | 'REPLAY_INPUT'
  /** replay: a bad command-line argument */
  | 'REPLAY_ARGS'
  /** a dependency needed for the request (e.g. ZooKeeper for a cluster-wide change) does not answer: HTTP 503 */
  | 'UNAVAILABLE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'LIMIT_EXCEEDED';

export class GatewayError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}

/** A frame from an exchange that cannot be mapped. Thrown by plugins; counted and skipped by the worker. */
export function badFrame(message: string): GatewayError {
  return new GatewayError('BAD_FRAME', message);
}

/** The plain shape an error takes across a thread boundary (Error objects do not survive postMessage intact). */
export interface SerializedError {
  code: string;
  message: string;
  stack?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'INTERNAL', message: err.message, stack: err.stack };
  }
  return { code: 'INTERNAL', message: String(err) };
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  if (err instanceof SyntaxError) return 'BAD_FRAME';
  return 'INTERNAL';
}

/** the codes a client may see in an error event or answer; anything else is reported as INTERNAL */
const CLIENT_CODES = new Set(['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'LIMIT_EXCEEDED']);

export function clientErrorCode(err: unknown): string {
  const code = errorCode(err);
  return CLIENT_CODES.has(code) ? code : 'INTERNAL';
}
