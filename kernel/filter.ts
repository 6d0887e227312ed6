// A client's subscription filter (exchange × symbol × type) and the catalog it is validated against.

import { GatewayError } from '../sdk/errors.ts';
import { DERIVED_TYPES, LISTING_TYPE, RECORD_TYPES, isSymbol, splitStreamKey, streamKey } from '../sdk/model.ts';

const LISTING_KEY_PART = `|${LISTING_TYPE}|`;
import { isPrivateType } from '../sdk/private.ts';

/** null in a dimension = everything */
export interface Filter {
  exchange: Set<string> | null;
  symbol: Set<string> | null;
  type: Set<string> | null;
}

export const MATCH_ALL: Filter = { exchange: null, symbol: null, type: null };

export function matchesKey(f: Filter, key: string): boolean {
  const { ex, ty, cd } = splitStreamKey(key);
  return matches(f, ex, ty, cd);
}

export function matches(f: Filter, ex: string, ty: string, cd: string): boolean {
  return (!f.exchange || f.exchange.has(ex)) && (!f.symbol || f.symbol.has(cd)) && (!f.type || f.type.has(ty));
}

/** The filter as clients see it in a `subscribed` answer: lists, or null for "all". */
export function describeFilter(f: Filter): { exchange: string[] | null; symbol: string[] | null; type: string[] | null } {
  const list = (s: Set<string> | null) => (s ? [...s] : null);
  return { exchange: list(f.exchange), symbol: list(f.symbol), type: list(f.type) };
}

/** What this node serves: enabled exchanges, their symbols and record types. */
export class Catalog {
  private symbols = new Set<string>();
  /** every stream key (`ex|ty|cd`) an enabled exchange is subscribed to */
  private keys = new Set<string>();
  /** derived record types this node serves (kernel/derived/), for every served exchange and symbol */
  private derived = new Set<string>();

  constructor(readonly exchanges = new Map<string, { symbols: string[]; channels: string[] }>()) {
    this.reindex();
  }

  set(id: string, entry: { symbols: string[]; channels: string[] }): void {
    this.exchanges.set(id, entry);
    this.reindex();
  }

  delete(id: string): void {
    this.exchanges.delete(id);
    this.reindex();
  }

  private reindex(): void {
    this.symbols = new Set([...this.exchanges.values()].flatMap((e) => e.symbols));
    this.keys = new Set(
      [...this.exchanges].flatMap(([ex, e]) => e.channels.flatMap((ty) => e.symbols.map((cd) => streamKey(ex, ty, cd)))),
    );
  }

  /** the derived types (`premium`, `candle`) the derived stage produces: clients may filter on them */
  setDerived(types: Iterable<string>): void {
    this.derived = new Set(types);
  }

  /** true when the key belongs to the current subscriptions (records of dropped ones may still be in flight) */
  serves(key: string): boolean {
    if (this.keys.has(key)) return true;
    if (key.includes(LISTING_KEY_PART)) return this.exchanges.has(splitStreamKey(key).ex);
    if (this.derived.size === 0) return false;
    const { ex, ty, cd } = splitStreamKey(key);
    return this.derived.has(ty) && this.exchanges.has(ex) && this.symbols.has(cd);
  }

  /**
   * Builds a filter from raw values (a list, a single string, or undefined = all).
   * Throws BAD_REQUEST naming the offending value.
   */
  filter(raw: { exchange?: unknown; symbol?: unknown; type?: unknown }): Filter {
    return {
      exchange: this.dimension('exchange', raw.exchange, (v) => this.exchanges.has(v), 'unknown or disabled exchange'),
      symbol: this.dimension('symbol', raw.symbol, (v) => isSymbol(v) && this.symbols.has(v), (v) =>
        isSymbol(v) ? 'no enabled exchange serves symbol' : 'malformed symbol (expected BASE/QUOTE)',
      ),
      // private types are valid filters for everyone; only entitled clients ever receive such records
      type: this.dimension(
        'type',
        raw.type,
        (v) =>
          (RECORD_TYPES as readonly string[]).includes(v) ||
          v === LISTING_TYPE ||
          isPrivateType(v) ||
          ((DERIVED_TYPES as readonly string[]).includes(v) && this.derived.has(v)),
        (v) => ((DERIVED_TYPES as readonly string[]).includes(v) ? 'derived type not enabled (see derived: in the config)' : 'unknown type'),
      ),
    };
  }

  private dimension(
    name: string,
    raw: unknown,
    valid: (v: string) => boolean,
    why: string | ((v: string) => string),
  ): Set<string> | null {
    if (raw === undefined || raw === null) return null;
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list)) throw new GatewayError('BAD_REQUEST', `${name}: expected a string or a list of strings`);
    if (list.length === 0) throw new GatewayError('BAD_REQUEST', `${name}: empty list (omit it to mean all)`);
    for (const v of list) {
      if (typeof v !== 'string') throw new GatewayError('BAD_REQUEST', `${name}: expected strings, got ${JSON.stringify(v)}`);
      if (!valid(v)) throw new GatewayError('BAD_REQUEST', `${name}: ${typeof why === 'string' ? why : why(v)} "${v}"`);
    }
    return new Set(list as string[]);
  }
}
