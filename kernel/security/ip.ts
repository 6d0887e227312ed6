// IP addresses and CIDR ranges, for `server.trustProxy` and per-IP limits: parse, normalize, match.

import { isIP } from 'node:net';

/** `::ffff:1.2.3.4` → `1.2.3.4`; lower case; undefined when it is not an IP address */
export function normalizeIp(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let a = raw.trim().toLowerCase();
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  return isIP(a) ? a : undefined;
}

export function isLoopback(ip: string | undefined): boolean {
  const a = normalizeIp(ip);
  return a !== undefined && (a.startsWith('127.') || a === '::1');
}

function toBigInt(ip: string): { v: bigint; bits: number } {
  if (isIP(ip) === 4) {
    return { v: ip.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n), bits: 32 };
  }
  // expand `::` and any trailing dotted quad
  let s = ip;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    const q = toBigInt(quad[1]!).v;
    s = s.slice(0, -quad[1]!.length) + `${(q >> 16n).toString(16)}:${(q & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { v: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
}

/** A list of addresses and CIDR ranges (`10.0.0.0/8`, `::1`, `fd00::/8`). Throws on a malformed entry. */
export class IpSet {
  private readonly ranges: { v: bigint; bits: number; prefix: number }[] = [];

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const [addr, len] = e.split('/') as [string, string | undefined];
      const ip = normalizeIp(addr);
      if (!ip) throw new Error(`not an IP address or CIDR range: "${e}"`);
      const { v, bits } = toBigInt(ip);
      const prefix = len === undefined ? bits : Number(len);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`bad prefix length in "${e}"`);
      this.ranges.push({ v, bits, prefix });
    }
  }

  get size(): number {
    return this.ranges.length;
  }

  has(raw: string | undefined): boolean {
    const ip = normalizeIp(raw);
    if (!ip) return false;
    const { v, bits } = toBigInt(ip);
    return this.ranges.some((r) => r.bits === bits && v >> BigInt(bits - r.prefix) === r.v >> BigInt(bits - r.prefix));
  }
}
