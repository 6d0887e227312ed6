// Parses a private subscription request (myOrder with optional codes, myAsset without codes) as Upbit and Bithumb
// check it: myAsset with codes is WRONG_FORMAT; a public type on the private endpoint is INVALID_PARAM.

import type { UpbitFormat } from './sim-request.ts';

export interface PrivateRequest {
  ticket: string;
  format: UpbitFormat;
  /** null: not subscribed; [] : every market */
  orderCodes: string[] | null;
  assets: boolean;
}

export type ParsedPrivate = { ok: true; request: PrivateRequest } | { ok: false; error: { name: string; message: string } };

const CODE = /^(KRW|BTC|USDT)-[A-Z0-9]{1,15}$/;
const FORMATS: readonly string[] = ['DEFAULT', 'SIMPLE', 'JSON_LIST', 'SIMPLE_LIST'];
const bad = (name: string, message: string): ParsedPrivate => ({ ok: false, error: { name, message } });

export function parsePrivateRequest(text: string): ParsedPrivate {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return bad('WRONG_FORMAT', 'request is not valid JSON');
  }
  if (!Array.isArray(body) || body.length === 0) return bad('WRONG_FORMAT', 'request must be a non-empty JSON array');
  const r: PrivateRequest = { ticket: '', format: 'DEFAULT', orderCodes: null, assets: false };
  for (const f of body as unknown[]) {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return bad('WRONG_FORMAT', 'every request element must be an object');
    const field = f as Record<string, unknown>;
    if ('ticket' in field) {
      if (typeof field.ticket !== 'string' || !field.ticket) return bad('NO_TICKET', 'ticket must be a non-empty string');
      r.ticket = field.ticket;
    } else if ('format' in field) {
      if (typeof field.format !== 'string' || !FORMATS.includes(field.format)) return bad('INVALID_PARAM', 'unsupported format');
      r.format = field.format as UpbitFormat;
    } else if (field.type === 'myAsset') {
      if ('codes' in field) return bad('WRONG_FORMAT', 'myAsset does not take codes');
      r.assets = true;
    } else if (field.type === 'myOrder') {
      const codes = field.codes ?? [];
      if (!Array.isArray(codes) || !codes.every((c) => typeof c === 'string' && CODE.test(c))) return bad('INVALID_PARAM', 'invalid codes');
      r.orderCodes = codes as string[];
    } else return bad('INVALID_PARAM', `unsupported type on the private endpoint: ${JSON.stringify(field.type)}`);
  }
  if (!r.ticket) return bad('NO_TICKET', 'ticket is required');
  if (r.orderCodes === null && !r.assets) return bad('NO_TYPE', 'at least one type is required');
  return { ok: true, request: r };
}
