// Who the client is behind proxies: the address X-Forwarded-For / Forwarded name, believed only when the request
// came through a proxy listed in `server.trustProxy`.

import type { IpSet } from './ip.ts';
import { normalizeIp } from './ip.ts';

type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** `for=` values of a Forwarded header (RFC 7239), in order; `"[::1]:80"` → `::1`, `1.2.3.4:80` → `1.2.3.4` */
export function parseForwarded(value: string): string[] {
  const out: string[] = [];
  for (const element of value.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let v = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
      if (v6) v = v6[1]!;
      else if (/^[\d.]+:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
      out.push(v);
    }
  }
  return out;
}

export function parseXForwardedFor(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export type ClientAddress =
  /** no forwarding header: the TCP peer is the client */
  | { kind: 'direct'; address: string }
  /** forwarded through trusted proxies: `address` is what every forwarding header names */
  | { kind: 'forwarded'; address: string }
  /** a forwarding header through a proxy not in `trustProxy`, or headers that disagree: not believed */
  | { kind: 'untrusted'; address: string; reason: string };

/** walks a chain from the nearest hop back, skipping trusted proxies: the first untrusted hop is the client */
function clientOf(chain: string[], trusted: IpSet): string | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = normalizeIp(chain[i]);
    if (!hop) return chain[i]; // `unknown`, obfuscated names: not an address we can trust
    if (!trusted.has(hop) || i === 0) return hop;
  }
  return undefined;
}

/**
 * The client's address. `peer` is the TCP peer (the last proxy, or the client itself). With both headers present,
 * both must name the same client: a proxy that appends X-Forwarded-For but passes a forged Forwarded through
 * would otherwise let the client choose the answer.
 */
export function resolveClientAddress(peer: string | undefined, headers: Headers, trusted: IpSet): ClientAddress {
  const tcp = normalizeIp(peer) ?? peer ?? 'unknown';
  const xff = header(headers, 'x-forwarded-for');
  const fwd = header(headers, 'forwarded');
  if (xff === undefined && fwd === undefined) return { kind: 'direct', address: tcp };
  if (!trusted.has(tcp)) return { kind: 'untrusted', address: tcp, reason: `forwarded by ${tcp}, which is not in server.trustProxy` };
  const named = [xff !== undefined ? clientOf(parseXForwardedFor(xff), trusted) : null, fwd !== undefined ? clientOf(parseForwarded(fwd), trusted) : null]
    .filter((a) => a !== null);
  if (named.some((a) => a === undefined)) return { kind: 'untrusted', address: tcp, reason: 'an empty forwarding header' };
  const distinct = new Set(named);
  if (distinct.size !== 1) return { kind: 'untrusted', address: tcp, reason: 'X-Forwarded-For and Forwarded name different clients' };
  return { kind: 'forwarded', address: [...distinct][0]! };
}
