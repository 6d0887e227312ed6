// The fast path of the Upbit-format mapper (Upbit, Bithumb v1): reads ticker, trade and orderbook messages, SIMPLE
// or DEFAULT, single or _LIST, straight from the frame's text (sdk/json-cursor.ts) instead of JSON.parse.
//
// It answers only for frames it fully understands (the type key first, every field it reads well-formed, a
// subscribed market) and otherwise returns false having produced nothing: map.ts then runs its ordinary path, which
// stays the authority on records and errors. test/bench/fast-paths.test.ts holds both paths to the same output.

import { JsonCursor } from '../../sdk/json-cursor.ts';
import { KeyTable, ValueTable } from '../../sdk/json-keys.ts';
import type { BookUnit, Draft } from '../../sdk/model.ts';
import type { Json } from './read.ts';
import { msFromTimeNumber } from './time-unit.ts';

export interface FastDialect {
  ex: string;
  readTime(m: Json, key: string, ctx: string): number;
}

/** field ids, the same for both formats */
const TYPE = 0;
const CODE = 1;
const TMS = 2;
const TTMS = 3;
const TP = 4;
const TV = 5;
const AB = 6;
const SID = 7;
const OBU = 8;
const ERROR = 9;
/** the other format's type key: SIMPLE wins when a message has both (fields.ts namesOf) */
const OTHER_TYPE = 10;
const OPTIONAL_BASE = 11;
/** ticker fields passed through when present, in map.ts TICKER_OPTIONAL order */
const OPTIONAL = ['op', 'hp', 'lp', 'pcp', 'scp', 'scr', 'atv24h', 'atp24h'] as const;

/** fields Upbit sends that no record carries: known, so skipped without a second look */
const SIMPLE_OTHER = ['c', 'cp', 'cr', 'atv', 'atp', 'tdt', 'ttm', 'aav', 'abv', 'h52wp', 'h52wdt', 'l52wp', 'l52wdt', 'ms', 'its', 'dd', 'mw', 'st', 'td', 'bap', 'bas', 'bbp', 'bbs', 'tas', 'tbs', 'lv'];
const DEFAULT_OTHER = [
  'change',
  'change_price',
  'change_rate',
  'acc_trade_volume',
  'acc_trade_price',
  'trade_date',
  'trade_time',
  'acc_ask_volume',
  'acc_bid_volume',
  'highest_52_week_price',
  'highest_52_week_date',
  'lowest_52_week_price',
  'lowest_52_week_date',
  'market_state',
  'is_trading_suspended',
  'delisting_date',
  'market_warning',
  'stream_type',
  'best_ask_price',
  'best_ask_size',
  'best_bid_price',
  'best_bid_size',
  'total_ask_size',
  'total_bid_size',
  'level',
];
const SIMPLE = new KeyTable(['ty', 'cd', 'tms', 'ttms', 'tp', 'tv', 'ab', 'sid', 'obu', 'error', '\u0000', ...OPTIONAL, ...SIMPLE_OTHER]);
const DEFAULT = new KeyTable([
  'type',
  'code',
  'timestamp',
  'trade_timestamp',
  'trade_price',
  'trade_volume',
  'ask_bid',
  'sequential_id',
  'orderbook_units',
  'error',
  'ty',
  'opening_price',
  'high_price',
  'low_price',
  'prev_closing_price',
  'signed_change_price',
  'signed_change_rate',
  'acc_trade_volume_24h',
  'acc_trade_price_24h',
  ...DEFAULT_OTHER,
]);
const TIME_KEYS = { simple: ['tms', 'ttms'], default: ['timestamp', 'trade_timestamp'] };
const UNIT_SIMPLE = new KeyTable(['ap', 'as', 'bp', 'bs']);
const UNIT_DEFAULT = new KeyTable(['ask_price', 'ask_size', 'bid_price', 'bid_size']);
const OPTIONAL_END = OPTIONAL_BASE + OPTIONAL.length;

const cursor = new JsonCursor();
/** each mapper's markets, recognised in the text */
const codeTables = new WeakMap<ReadonlyMap<string, string>, ValueTable<string>>();

/** Off: every frame takes the ordinary path. Only the equivalence tests switch it. */
export const fastPath = { enabled: true };

/** Reads a frame into `out`; false (with `out` left as it was) when the ordinary path must decide. */
export function readFast(text: string, dialect: FastDialect, markets: ReadonlyMap<string, string>, out: Draft[]): boolean {
  if (!fastPath.enabled) return false;
  const c = cursor.reset(text);
  let codes = codeTables.get(markets);
  if (!codes) codeTables.set(markets, (codes = new ValueTable(markets)));
  const before = out.length;
  const first = c.peek();
  if (first === 123) {
    const d = message(c, dialect, markets, codes);
    if (d && c.done()) {
      out.push(d);
      return true;
    }
  } else if (first === 91) {
    c.openArray();
    let n = 0;
    for (let f = true; c.element(f); f = false) {
      const d = message(c, dialect, markets, codes);
      if (!d) break;
      out.push(d);
      n++;
    }
    if (n > 0 && c.done()) return true;
  }
  out.length = before;
  return false;
}

type Kind = 'ticker' | 'trade' | 'orderbook';

/** one message object, or undefined (the cursor may be anywhere then) */
function message(c: JsonCursor, dialect: FastDialect, markets: ReadonlyMap<string, string>, codes: ValueTable<string>): Draft | undefined {
  if (!c.openObject() || !c.member(true)) return undefined;
  let table: KeyTable;
  let simple: boolean;
  if (c.keyIs('ty')) {
    table = SIMPLE;
    simple = true;
  } else if (c.keyIs('type')) {
    table = DEFAULT;
    simple = false;
  } else return undefined;
  let kind: Kind;
  if (c.stringIs('ticker')) kind = 'ticker';
  else if (c.text.startsWith('trade"', c.numStart)) kind = 'trade';
  else if (c.text.startsWith('orderbook"', c.numStart)) kind = 'orderbook';
  else return undefined;

  let mc = '';
  let cd: string | undefined;
  let tms: number | undefined;
  let ttms: number | undefined;
  let tp: number | undefined;
  let tv: number | undefined;
  let ab = '';
  let sid = '';
  let obu: BookUnit[] | undefined;
  let opt: (number | undefined)[] | undefined;
  for (let id = table.next(c, false, TYPE); id !== -2; id = table.next(c, false, id)) {
    switch (id) {
      case TYPE:
      case ERROR:
      case OTHER_TYPE:
        return undefined;
      case CODE: {
        const m = codes.read(c);
        if (m >= 0) {
          mc = codes.names[m]!;
          cd = codes.values[m]!;
        } else {
          // not a configured code as it stands: map.ts's rule (a `.15` size suffix is dropped)
          const code = c.text.slice(c.numStart, c.numEnd);
          mc = markets.has(code) || code.length > 40 ? code : code.replace(/\.[0-9]+$/, '');
          cd = markets.get(mc);
        }
        break;
      }
      case TMS:
        if (kind !== 'trade') tms = time(c, dialect, simple ? TIME_KEYS.simple[0]! : TIME_KEYS.default[0]!);
        else c.skip();
        break;
      case TTMS:
        if (kind === 'trade') ttms = time(c, dialect, simple ? TIME_KEYS.simple[1]! : TIME_KEYS.default[1]!);
        else c.skip();
        break;
      case TP:
        tp = c.optNumber();
        if (tp !== undefined && !Number.isFinite(tp)) return undefined;
        break;
      case TV:
        if (kind === 'trade') tv = c.optNumber();
        else c.skip();
        if (tv !== undefined && !Number.isFinite(tv)) return undefined;
        break;
      case AB:
        if (kind !== 'trade') c.skip();
        else if (c.stringIs('ASK')) ab = 'ASK';
        else if (c.text.startsWith('BID"', c.numStart)) ab = 'BID';
        else return undefined;
        break;
      case SID:
        if (kind === 'trade') sid = id_(c);
        else c.skip();
        break;
      case OBU:
        if (kind === 'orderbook') obu = units(c, simple);
        else c.skip();
        break;
      default:
        if (id >= OPTIONAL_BASE && id < OPTIONAL_END && kind === 'ticker') {
          opt ??= [];
          const v = c.optNumber();
          if (v !== undefined && !Number.isFinite(v)) return undefined;
          opt[id - OPTIONAL_BASE] = v;
        } else c.skip();
    }
  }
  if (!c.ok || cd === undefined || (tms === undefined && kind !== 'trade')) return undefined;
  const { ex } = dialect;
  if (kind === 'ticker') {
    if (tp === undefined || tms === undefined) return undefined;
    // `+ 0` turns -0.0 (a change of zero) into 0, as read.ts optNumber does
    const d: Extract<Draft, { ty: 'ticker' }> = { ty: 'ticker', ex, cd, mc, tp: tp + 0, tms };
    if (opt) {
      for (let i = 0; i < OPTIONAL.length; i++) {
        const v = opt[i];
        if (v !== undefined) d[OPTIONAL[i]!] = v + 0;
      }
    }
    return d;
  }
  if (kind === 'trade') {
    if (!(tp! > 0) || !(tv! > 0) || ab === '' || ttms === undefined) return undefined;
    // no id field at all: a trade without `sid` (an empty or null id is left to the ordinary path)
    if (sid === '') return { ty: 'trade', ex, cd, mc, tp: tp!, tv: tv!, ab: ab as 'ASK' | 'BID', tms: ttms };
    return { ty: 'trade', ex, cd, mc, tp: tp!, tv: tv!, ab: ab as 'ASK' | 'BID', sid, tms: ttms };
  }
  if (!obu) return undefined;
  return { ty: 'orderbook', ex, cd, mc, tms: tms!, obu };
}

/** a time field: a number in ms or µs (time-unit.ts); a string goes to the dialect's own reader (Bithumb's digit strings) */
function time(c: JsonCursor, dialect: FastDialect, key: string): number | undefined {
  if (c.peek() === 34) {
    const s = c.checkedString();
    if (!c.ok) return undefined;
    try {
      return dialect.readTime({ [key]: s }, key, '');
    } catch {
      c.fail();
      return undefined;
    }
  }
  const v = msFromTimeNumber(c.number());
  if (v === undefined) c.fail();
  return v;
}

/** a trade id: an integer literal's digits (exact-ids.ts quotes them), or a string of 1-64 characters */
function id_(c: JsonCursor): string {
  if (c.peek() === 34) {
    const s = c.checkedString();
    if (s.length === 0 || s.length > 64) c.fail();
    return s;
  }
  c.number();
  if (!c.numPlainInt || c.numEnd - c.numStart > 64) {
    c.fail();
    return '';
  }
  return c.text.slice(c.numStart, c.numEnd);
}

/**
 * Orderbook units as map.ts bookUnits() builds them: a side with a zero or absent price or size is left out (the
 * i-th unit pairs the i-th ask with the i-th bid left); asks must ascend, bids descend, the book must not be crossed,
 * nothing may be negative (else the ordinary path rejects the frame).
 */
function units(c: JsonCursor, simple: boolean): BookUnit[] | undefined {
  const table = simple ? UNIT_SIMPLE : UNIT_DEFAULT;
  // price, size, price, size, ...
  const asks: number[] = [];
  const bids: number[] = [];
  if (!c.openArray()) return undefined;
  for (let first = true; c.element(first); first = false) {
    if (!c.openObject()) return undefined;
    // NaN: absent or null (map.ts optNumber), then left out like a zero
    let ap = NaN;
    let as = NaN;
    let bp = NaN;
    let bs = NaN;
    for (let id = table.next(c, true, -1); id !== -2; id = table.next(c, false, id)) {
      if (id >= 0 && id < 4) {
        if (!c.readOptNumber()) return undefined;
        if (id === 0) ap = c.value;
        else if (id === 1) as = c.value;
        else if (id === 2) bp = c.value;
        else bs = c.value;
      } else c.skip();
    }
    // negative: rejected by map.ts; 1e400 and the like: not finite, rejected too
    if (!c.ok || ap < 0 || as < 0 || bp < 0 || bs < 0 || ap === Infinity || as === Infinity || bp === Infinity || bs === Infinity) return undefined;
    if (ap && as) {
      if (asks.length > 0 && ap <= asks[asks.length - 2]!) return undefined;
      asks.push(ap, as);
    }
    if (bp && bs) {
      if (bids.length > 0 && bp >= bids[bids.length - 2]!) return undefined;
      bids.push(bp, bs);
    }
  }
  if (!c.ok || (asks.length > 0 && bids.length > 0 && bids[0]! >= asks[0]!)) return undefined;
  const n = Math.max(asks.length, bids.length) / 2;
  const obu: BookUnit[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const u: BookUnit = {};
    if (2 * i < asks.length) {
      u.ap = asks[2 * i]!;
      u.as = asks[2 * i + 1]!;
    }
    if (2 * i < bids.length) {
      u.bp = bids[2 * i]!;
      u.bs = bids[2 * i + 1]!;
    }
    obu[i] = u;
  }
  return obu;
}
