// A client's control message as the hub takes it: decoded in the client's format, checked by the security guard,
// parsed, its filter narrowed by the guard; and the error answer when any of that fails.

import { clientErrorCode } from '../../sdk/errors.ts';
import type { Catalog, Filter } from '../filter.ts';
import type { Control } from './client-protocol.ts';
import { decodeControl, parseControl } from './client-protocol.ts';
import type { Client, HubOptions } from './hub-types.ts';

export interface ControlContext {
  catalog: Catalog;
  maxDepth: number;
  guard?: HubOptions['guard'];
}

/**
 * The control message and the filter it leaves in force. `seen.id` is set as soon as the message is decoded, so a
 * later failure can still be answered with the client's id.
 */
export function readControl(cx: ControlContext, c: Client, data: string | Uint8Array, seen: { id?: unknown }): { ctl: Control; filter: Filter } {
  const raw = decodeControl(data, c.format);
  seen.id = (raw as { id?: unknown } | null)?.id;
  cx.guard?.control(raw);
  const ctl = parseControl(raw, cx.catalog, { maxDepth: cx.maxDepth, shape: c.shape });
  if (ctl.method === 'ping') return { ctl, filter: c.filter };
  const filter = cx.guard ? cx.guard.filter(ctl.filter, c.peer.identity, ctl.resume?.map((e) => e.id)) : ctl.filter;
  return { ctl, filter };
}

/** `{event:"error"}` for a control message that failed, with its stable code and the client's id if it gave one */
export function errorAnswer(err: unknown, id: unknown): { code: string; answer: Record<string, unknown> } {
  const code = clientErrorCode(err);
  const withId = typeof id === 'string' || typeof id === 'number' ? { id } : {};
  return { code, answer: { event: 'error', code, message: (err as Error).message, ...withId } };
}
