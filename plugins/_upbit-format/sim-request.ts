// Parses and validates an Upbit-style subscription request (one JSON array: ticket, types, format).

export type UpbitType = 'ticker' | 'trade' | 'orderbook';
export type UpbitFormat = 'DEFAULT' | 'SIMPLE' | 'JSON_LIST' | 'SIMPLE_LIST';

export interface UpbitSub {
  type: UpbitType;
  /** the code without a depth suffix: KRW-BTC */
  code: string;
  base: string;
  quote: string;
  /** BASE/QUOTE, the market's key */
  symbol: string;
  /** `type:code`, the stream's key */
  stream: string;
  /** orderbook units to send */
  depth: number;
  onlySnapshot: boolean;
  onlyRealtime: boolean;
}

export interface UpbitRequest {
  ticket: string;
  format: UpbitFormat;
  subs: UpbitSub[];
}

export type ParsedRequest =
  | { ok: true; request: UpbitRequest }
  | { ok: false; error: { name: 'WRONG_FORMAT' | 'INVALID_PARAM'; message: string } };

const TYPES: readonly string[] = ['ticker', 'trade', 'orderbook'];
const FORMATS: readonly string[] = ['DEFAULT', 'SIMPLE', 'JSON_LIST', 'SIMPLE_LIST'];
const DEPTHS = [1, 5, 15, 30];
const CODE = /^(KRW|BTC|USDT)-([A-Z0-9]{1,15})(?:\.([0-9]+))?$/;
const DEFAULT_DEPTH = 15;

const invalid = (message: string): ParsedRequest => ({ ok: false, error: { name: 'INVALID_PARAM', message } });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseSubs(field: Record<string, unknown>, into: Map<string, UpbitSub>): string | undefined {
  const type = field.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) return `unsupported type: ${JSON.stringify(type)}`;
  const codes = field.codes;
  if (!Array.isArray(codes) || codes.length === 0) return `${type}: codes must be a non-empty array`;
  for (const key of ['isOnlySnapshot', 'isOnlyRealtime']) {
    if (field[key] !== undefined && typeof field[key] !== 'boolean') return `${type}: ${key} must be a boolean`;
  }
  if (field.level !== undefined && field.level !== 0) return `${type}: only level 0 is supported`;
  for (const code of codes) {
    const m = typeof code === 'string' ? CODE.exec(code) : null;
    if (!m) return `invalid market code: ${JSON.stringify(code)}`;
    if (m[3] !== undefined && (type !== 'orderbook' || !DEPTHS.includes(Number(m[3])))) return `invalid market code: ${code}`;
    const bare = `${m[1]}-${m[2]}`;
    into.set(`${type}:${bare}`, {
      type: type as UpbitType,
      code: bare,
      quote: m[1]!,
      base: m[2]!,
      symbol: `${m[2]}/${m[1]}`,
      stream: `${type}:${bare}`,
      depth: m[3] === undefined ? DEFAULT_DEPTH : Number(m[3]),
      onlySnapshot: field.isOnlySnapshot === true,
      onlyRealtime: field.isOnlyRealtime === true,
    });
  }
  return undefined;
}

export function parseRequest(text: string): ParsedRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: { name: 'WRONG_FORMAT', message: 'request is not valid JSON' } };
  }
  if (!Array.isArray(body) || body.length === 0) return invalid('request must be a non-empty JSON array');
  let ticket: string | undefined;
  let format: UpbitFormat = 'DEFAULT';
  const subs = new Map<string, UpbitSub>();
  for (const field of body) {
    if (!isObject(field)) return invalid('every request element must be an object');
    if ('ticket' in field) {
      if (typeof field.ticket !== 'string' || field.ticket === '') return invalid('ticket must be a non-empty string');
      ticket = field.ticket;
    } else if ('type' in field) {
      const problem = parseSubs(field, subs);
      if (problem) return invalid(problem);
    } else if ('format' in field) {
      if (typeof field.format !== 'string' || !FORMATS.includes(field.format)) return invalid(`unsupported format: ${JSON.stringify(field.format)}`);
      format = field.format as UpbitFormat;
    } else return invalid(`unknown request field: ${JSON.stringify(field)}`);
  }
  if (ticket === undefined) return invalid('ticket is required');
  if (subs.size === 0) return invalid('at least one type is required');
  return { ok: true, request: { ticket, format, subs: [...subs.values()] } };
}
