// The fast path of the Binance mapper: reads combined-stream trade, 24hrTicker and depthUpdate frames straight from
// their text (sdk/json-cursor.ts) instead of JSON.parse, building only what the records need.
//
// It answers only for frames it fully understands: `{"stream":"...","data":{"e":...}}` with the event type first, no
// whitespace or escapes, every field well-formed, a configured symbol and channel. For anything else it returns
// undefined having emitted nothing, and the ordinary path (map.ts: JSON.parse and the strict readers) decides, so
// both paths give the same records and the same errors. test/bench/fast-paths.test.ts holds them to that.

import { JsonCursor } from '../../sdk/json-cursor.ts';
import { KeyTable, ValueTable } from '../../sdk/json-keys.ts';
import type { Draft, RecordType } from '../../sdk/model.ts';
import type { DepthDiff } from './depth.ts';

/** a validated depth diff for a market's book */
export class FastDiff {
  constructor(
    readonly diff: DepthDiff,
    readonly mc: string,
    readonly cd: string,
  ) {}
}

/** what the fast path made of a frame: a record draft, or a depth diff for the market's book */
export type FastResult = Draft | FastDiff;

const EX = 'binance';
/** Binance's decimal strings: `-?\d{1,30}(\.\d{1,30})?` (fields.ts DECIMAL_RE) */
const MAX_DIGITS = 30;

const cursor = new JsonCursor();
/** each mapper's symbols, recognised in the text */
const symbolTables = new WeakMap<ReadonlyMap<string, string>, ValueTable<string>>();
/** the symbols of the mapper whose frame is being read (set by readFast) */
let current: ValueTable<string>;

/** Off: every frame takes the ordinary path. Only the equivalence tests switch it. */
export const fastPath = { enabled: true };

export interface FastContext {
  /** market code → unified symbol, configured symbols only */
  symbols: ReadonlyMap<string, string>;
  channels: readonly RecordType[];
}

/** The record draft (or depth diff) of a combined-stream frame, or undefined when the ordinary path must decide. */
export function readFast(frame: string, ctx: FastContext): FastResult | undefined {
  if (!fastPath.enabled) return undefined;
  const c = cursor.reset(frame);
  let t = symbolTables.get(ctx.symbols);
  if (!t) symbolTables.set(ctx.symbols, (t = new ValueTable(ctx.symbols)));
  current = t;
  if (!c.openObject() || !c.memberIs('"stream":', true)) return undefined;
  c.checkedStringEnd();
  if (!c.memberIs('"data":', false)) return undefined;
  // data: its first member must be the event type, which decides how the rest is read
  if (!c.openObject() || !c.memberIs('"e":', true)) return undefined;
  let r: FastResult | undefined;
  if (c.stringIs('trade')) r = ctx.channels.includes('trade') ? trade(c) : undefined;
  else if (c.text.startsWith('24hrTicker"', c.numStart)) r = ctx.channels.includes('ticker') ? ticker(c) : undefined;
  else if (c.text.startsWith('depthUpdate"', c.numStart)) r = ctx.channels.includes('orderbook') ? depthUpdate(c) : undefined;
  // the envelope closes right after data, and nothing follows
  if (!r || c.member(false) || !c.done()) return undefined;
  return r;
}

// Each table lists the fields read, then the others Binance sends (known, so skipped without a second look).
const TRADE = new KeyTable(['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);

function trade(c: JsonCursor): FastResult | undefined {
  // the market's index among the configured symbols (-1: not configured, missing or not a string)
  let m = -1;
  let T = -1;
  let p = NaN;
  let q = NaN;
  let side = -1;
  let sid = '';
  for (let id = TRADE.next(c, false, 0); id !== -2; id = TRADE.next(c, false, id)) {
    switch (id) {
      case 0:
        return undefined; // a second "e"
      case 2:
        m = current.read(c);
        break;
      case 3:
        // the id exactly as written (map.ts reads it from the text): a plain integer literal of at most 30 digits
        c.number();
        if (!c.numPlainInt || c.numEnd - c.numStart > 30) return undefined;
        sid = c.text.slice(c.numStart, c.numEnd);
        break;
      case 4:
        p = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 5:
        q = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 6:
        T = c.number();
        break;
      case 7:
        side = c.boolean() ? 1 : 0;
        break;
      default:
        // a nested value could hold another "t", which map.ts would read: not for the fast path
        if (c.peek() === 91 || c.peek() === 123) return undefined;
        c.skip();
    }
  }
  if (!c.ok || m < 0 || sid === '' || side < 0 || !Number.isSafeInteger(T) || T < 0 || !(p > 0) || !(q > 0)) return undefined;
  return { ty: 'trade', ex: EX, cd: current.values[m]!, mc: current.names[m]!, tms: T, tp: p, tv: q, ab: side === 1 ? 'ASK' : 'BID', sid };
}

const TICKER = new KeyTable(['e', 'E', 's', 'c', 'o', 'h', 'l', 'x', 'p', 'P', 'v', 'q', 'w', 'Q', 'b', 'B', 'a', 'A', 'O', 'C', 'F', 'L', 'n']);

/** "-0.00" is a change of zero (fields.ts noNegativeZero) */
const nz = (n: number): number => (n === 0 ? 0 : n);

function ticker(c: JsonCursor): FastResult | undefined {
  // the market's index among the configured symbols (-1: not configured, missing or not a string)
  let m = -1;
  let E = -1;
  let tp = NaN;
  let op = NaN;
  let hp = NaN;
  let lp = NaN;
  let pcp = NaN;
  let scp = NaN;
  let scr = NaN;
  let atv = NaN;
  let atp = NaN;
  for (let id = TICKER.next(c, false, 0); id !== -2; id = TICKER.next(c, false, id)) {
    switch (id) {
      case 0:
        return undefined;
      case 1:
        E = c.number();
        break;
      case 2:
        m = current.read(c);
        break;
      case 3:
        tp = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 4:
        op = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 5:
        hp = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 6:
        lp = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 7:
        pcp = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 8:
        scp = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 9:
        // a percentage: the point moves two places, as fields.ts percentToFraction does in the text
        scr = c.decimalString(true, MAX_DIGITS, 0, 2);
        break;
      case 10:
        atv = c.decimalString(true, MAX_DIGITS, 0);
        break;
      case 11:
        atp = c.decimalString(true, MAX_DIGITS, 0);
        break;
      default:
        c.skip();
    }
  }
  // NaN (a field missing) fails every comparison
  const all = tp === tp && op === op && hp === hp && lp === lp && pcp === pcp && scp === scp && scr === scr && atv === atv && atp === atp;
  if (!c.ok || m < 0 || !all || !Number.isSafeInteger(E) || E < 0) return undefined;
  const cd = current.values[m]!;
  const mc = current.names[m]!;
  return { ty: 'ticker', ex: EX, cd, mc, tms: E, tp: nz(tp), op: nz(op), hp: nz(hp), lp: nz(lp), pcp: nz(pcp), scp: nz(scp), scr: nz(scr), atv24h: nz(atv), atp24h: nz(atp) };
}

const DEPTH = new KeyTable(['e', 'E', 's', 'U', 'u', 'b', 'a']);

function depthUpdate(c: JsonCursor): FastResult | undefined {
  // the market's index among the configured symbols (-1: not configured, missing or not a string)
  let m = -1;
  let E = -1;
  let U = -1;
  let u = -1;
  let bids: [number, number][] | undefined;
  let asks: [number, number][] | undefined;
  for (let id = DEPTH.next(c, false, 0); id !== -2; id = DEPTH.next(c, false, id)) {
    switch (id) {
      case 0:
        return undefined;
      case 1:
        E = c.number();
        break;
      case 2:
        m = current.read(c);
        break;
      case 3:
        U = c.number();
        break;
      case 4:
        u = c.number();
        break;
      case 5:
        bids = levels(c);
        break;
      case 6:
        asks = levels(c);
        break;
      default:
        c.skip();
    }
  }
  const ints = Number.isSafeInteger(E) && E >= 0 && Number.isSafeInteger(U) && U >= 0 && Number.isSafeInteger(u) && u >= 0;
  if (!c.ok || m < 0 || !ints || !bids || !asks || U > u) return undefined;
  return new FastDiff({ E, U, u, bids, asks }, current.names[m]!, current.values[m]!);
}

/** `[["68250.01","0.5"],...]`: prices positive, sizes not negative (fields.ts levels()) */
function levels(c: JsonCursor): [number, number][] | undefined {
  const out: [number, number][] = [];
  if (!c.openArray()) return undefined;
  for (let first = true; c.element(first); first = false) {
    if (!c.openArray() || !c.readDecimal(true, MAX_DIGITS, 0)) return undefined;
    const price = c.value;
    if (!c.element(false) || !c.readDecimal(true, MAX_DIGITS, 0)) return undefined;
    const size = c.value;
    if (c.element(false) || !(price > 0) || !(size >= 0)) return undefined;
    out.push([price, size === 0 ? 0 : size]);
  }
  return c.ok ? out : undefined;
}
