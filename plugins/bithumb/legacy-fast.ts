// The fast path of the Bithumb legacy mapper: reads transaction, ticker and orderbookdepth frames straight from their
// text (sdk/json-cursor.ts) instead of JSON.parse.
//
// It answers only for frames it fully understands (`type` first, then `content`; every value a well-formed string;
// configured symbols) and otherwise returns undefined having produced nothing: legacy-map.ts then runs its ordinary
// path, which stays the authority on records and errors. test/bench/fast-paths.test.ts holds both to the same output.

import { JsonCursor } from '../../sdk/json-cursor.ts';
import { KeyTable, ValueTable } from '../../sdk/json-keys.ts';
import type { Draft } from '../../sdk/model.ts';
import type { Level } from './legacy-book.ts';
import { contDtmMs, dateTimeMs } from './legacy-values.ts';

export type LegacyFast =
  | { kind: 'drafts'; drafts: Draft[] }
  /** a ticker of another tick type than 24H: nothing to emit */
  | { kind: 'none' }
  | { kind: 'depth'; us: number; byMarket: Map<string, Level[]> };

// Each table lists the fields read, then the others Bithumb sends (known, so skipped without a second look).
const TRADE = new KeyTable(['symbol', 'buySellGb', 'contPrice', 'contQty', 'contDtm', 'contAmt', 'updn']);
const TICKER = new KeyTable([
  'symbol',
  'tickType',
  'date',
  'time',
  'closePrice',
  'openPrice',
  'highPrice',
  'lowPrice',
  'prevClosePrice',
  'chgAmt',
  'chgRate',
  'volume',
  'value',
  'sellVolume',
  'buyVolume',
  'volumePower',
]);
const DEPTH = new KeyTable(['list', 'datetime']);
const LEVEL = new KeyTable(['symbol', 'orderType', 'price', 'quantity', 'total']);
/** legacy-values.ts: decimals are strings of at most 40 characters */
const MAX_LEN = 40;

const cursor = new JsonCursor();
/** each mapper's markets, recognised in the text */
const marketTables = new WeakMap<ReadonlyMap<string, string>, ValueTable<string>>();
/** the markets of the mapper whose frame is being read (set by readLegacyFast) */
let current: ValueTable<string>;

/** the configured market a `symbol` names, as its index in `current`, or -1 */
function symbol(c: JsonCursor): number {
  return current.read(c);
}

/** Off: every frame takes the ordinary path. Only the equivalence tests switch it. */
export const fastPath = { enabled: true };

export function readLegacyFast(text: string, ex: string, markets: ReadonlyMap<string, string>): LegacyFast | undefined {
  if (!fastPath.enabled) return undefined;
  const c = cursor.reset(text);
  let t = marketTables.get(markets);
  if (!t) marketTables.set(markets, (t = new ValueTable(markets)));
  current = t;
  if (!c.openObject() || !c.memberIs('"type":', true)) return undefined;
  let kind = 0;
  if (c.stringIs('transaction')) kind = 1;
  else if (c.text.startsWith('ticker"', c.numStart)) kind = 2;
  else if (c.text.startsWith('orderbookdepth"', c.numStart)) kind = 3;
  else return undefined;
  if (!c.memberIs('"content":', false)) return undefined;
  const r = kind === 1 ? transactions(c, ex) : kind === 2 ? ticker(c, ex) : depth(c);
  if (!r || c.member(false) || !c.done()) return undefined;
  return r;
}

function transactions(c: JsonCursor, ex: string): LegacyFast | undefined {
  const drafts: Draft[] = [];
  if (!c.openObject() || !c.memberIs('"list":', true) || !c.openArray()) return undefined;
  for (let first = true; c.element(first); first = false) {
    if (!c.openObject()) return undefined;
    let m = -1;
    let gb = 0;
    let tp = NaN;
    let tv = NaN;
    let tms = NaN;
    for (let id = TRADE.next(c, true, -1); id !== -2; id = TRADE.next(c, false, id)) {
      switch (id) {
        case 0:
          m = symbol(c);
          break;
        case 1:
          gb = c.stringIs('1') ? 1 : c.text.startsWith('2"', c.numStart) ? 2 : 0;
          break;
        case 2:
          tp = c.decimalString(false, 0, MAX_LEN);
          break;
        case 3:
          tv = c.decimalString(false, 0, MAX_LEN);
          break;
        case 4:
          tms = contDtm(c);
          break;
        default:
          c.skip();
      }
    }
    if (!c.ok || m < 0 || gb === 0 || !(tp > 0) || !(tv > 0) || tms !== tms) return undefined;
    drafts.push({ ty: 'trade', ex, cd: current.values[m]!, mc: current.names[m]!, tp, tv, ab: gb === 1 ? 'ASK' : 'BID', tms });
  }
  if (c.member(false) || drafts.length === 0) return undefined;
  return { kind: 'drafts', drafts };
}

/** `contDtm` "2024-01-29 12:24:18.830039": the whole second is worked out once (legacy-values.ts contDtmMs) */
let secondText = '';
let secondMs = 0;

function contDtm(c: JsonCursor): number {
  const end = c.checkedStringEnd();
  const s = c.text;
  const start = c.numStart;
  const len = end - start;
  if (!c.ok || len < 19 || len === 20 || len > 26) return NaN;
  if (len > 19) {
    if (s.charCodeAt(start + 19) !== 46) return NaN;
    for (let i = start + 20; i < end; i++) {
      const d = s.charCodeAt(i);
      if (d < 48 || d > 57) return NaN;
    }
  }
  // the first three digits of the fraction, padded: microseconds are cut, not rounded
  let ms = 0;
  for (let k = 0; k < 3; k++) ms = ms * 10 + (start + 20 + k < end ? s.charCodeAt(start + 20 + k) - 48 : 0);
  if (!(secondText.length === 19 && s.startsWith(secondText, start))) {
    const text = s.slice(start, start + 19);
    try {
      secondMs = contDtmMs(text, '');
    } catch {
      return NaN;
    }
    secondText = text;
  }
  return secondMs + ms;
}

/** the last ticker `date` + `time` and the ms they make (legacy-values.ts dateTimeMs) */
let lastDate = '';
let lastTime = '';
let lastDateTimeMs = 0;

function ticker(c: JsonCursor, ex: string): LegacyFast | undefined {
  let m = -1;
  // positions in the text, so the usual repeat of the last date and time costs no string
  let date = -1;
  let dateEnd = -1;
  let time = -1;
  let timeEnd = -1;
  /** 0 none, 1 24H, 2 another tick type */
  let tickType = 0;
  let tp = NaN;
  // op hp lp pcp scp scr atv24h atp24h: NaN = absent (a null is left to the ordinary path)
  let op = NaN;
  let hp = NaN;
  let lp = NaN;
  let pcp = NaN;
  let scp = NaN;
  let scr = NaN;
  let atv = NaN;
  let atp = NaN;
  if (!c.openObject()) return undefined;
  for (let id = TICKER.next(c, true, -1); id !== -2; id = TICKER.next(c, false, id)) {
    switch (id) {
      case 0:
        m = symbol(c);
        break;
      case 1: {
        const end = c.checkedStringEnd();
        tickType = end - c.numStart === 3 && c.text.startsWith('24H', c.numStart) ? 1 : 2;
        break;
      }
      case 2:
        dateEnd = c.checkedStringEnd();
        date = c.numStart;
        break;
      case 3:
        timeEnd = c.checkedStringEnd();
        time = c.numStart;
        break;
      case 4:
        tp = c.decimalString(false, 0, MAX_LEN);
        break;
      case 5:
        op = c.decimalString(false, 0, MAX_LEN);
        break;
      case 6:
        hp = c.decimalString(false, 0, MAX_LEN);
        break;
      case 7:
        lp = c.decimalString(false, 0, MAX_LEN);
        break;
      case 8:
        pcp = c.decimalString(false, 0, MAX_LEN);
        break;
      case 9:
        scp = c.decimalString(true, 0, MAX_LEN);
        break;
      case 10:
        scr = c.decimalString(true, 0, MAX_LEN, 2);
        break;
      case 11:
        atv = c.decimalString(false, 0, MAX_LEN);
        break;
      case 12:
        atp = c.decimalString(false, 0, MAX_LEN);
        break;
      default:
        c.skip();
    }
  }
  if (!c.ok || m < 0 || tickType === 0) return undefined;
  const cd = current.values[m]!;
  const mc = current.names[m]!;
  if (tickType === 2) return { kind: 'none' };
  if (!(tp > 0) || date < 0 || time < 0) return undefined;
  const t = c.text;
  let tms: number;
  if (dateEnd - date === lastDate.length && timeEnd - time === lastTime.length && t.startsWith(lastDate, date) && t.startsWith(lastTime, time)) {
    tms = lastDateTimeMs;
  } else {
    const d = t.slice(date, dateEnd);
    const tm = t.slice(time, timeEnd);
    try {
      tms = dateTimeMs(d, tm, '');
    } catch {
      return undefined;
    }
    lastDate = d;
    lastTime = tm;
    lastDateTimeMs = tms;
  }
  const d: Extract<Draft, { ty: 'ticker' }> = { ty: 'ticker', ex, cd, mc, tp, tms };
  // absent fields stay absent; "-0" becomes 0 (legacy-values.ts decimal)
  if (op === op) d.op = op;
  if (hp === hp) d.hp = hp;
  if (lp === lp) d.lp = lp;
  if (pcp === pcp) d.pcp = pcp;
  if (scp === scp) d.scp = scp === 0 ? 0 : scp;
  if (scr === scr) d.scr = scr === 0 ? 0 : scr;
  if (atv === atv) d.atv24h = atv;
  if (atp === atp) d.atp24h = atp;
  return { kind: 'drafts', drafts: [d] };
}

function depth(c: JsonCursor): LegacyFast | undefined {
  let us = NaN;
  let byMarket: Map<string, Level[]> | undefined;
  if (!c.openObject()) return undefined;
  for (let f = true; c.member(f); f = false) {
    const id = DEPTH.lookup(c);
    if (id === 0) {
      if (byMarket) return undefined; // a second list
      byMarket = levels(c);
      if (!byMarket) return undefined;
    } else if (id === 1) {
      // legacy-values.ts epochInt: 1-16 digits, as a string or a safe integer
      if (c.peek() === 34) {
        const end = c.stringEnd();
        const len = end - c.numStart;
        if (!c.ok || len < 1 || len > 16) return undefined;
        us = 0;
        for (let i = c.numStart; i < end; i++) {
          const d = c.text.charCodeAt(i);
          if (d < 48 || d > 57) return undefined;
          us = us * 10 + (d - 48);
        }
        if (!Number.isSafeInteger(us)) us = Number(c.text.slice(c.numStart, end));
      } else {
        us = c.number();
        if (!Number.isSafeInteger(us)) return undefined;
      }
    } else c.skip();
  }
  if (!c.ok || !(us > 0) || !byMarket) return undefined;
  return { kind: 'depth', us, byMarket };
}

function levels(c: JsonCursor): Map<string, Level[]> | undefined {
  const byMarket = new Map<string, Level[]>();
  if (!c.openArray()) return undefined;
  for (let first = true; c.element(first); first = false) {
    if (!c.openObject()) return undefined;
    let m = -1;
    let side = 0;
    let price = NaN;
    let size = NaN;
    for (let id = LEVEL.next(c, true, -1); id !== -2; id = LEVEL.next(c, false, id)) {
      switch (id) {
        case 0:
          m = symbol(c);
          break;
        case 1:
          side = c.stringIs('ask') ? 1 : c.text.startsWith('bid"', c.numStart) ? 2 : 0;
          break;
        case 2:
          price = c.decimalString(false, 0, MAX_LEN);
          break;
        case 3:
          size = c.decimalString(false, 0, MAX_LEN);
          break;
        default:
          c.skip();
      }
    }
    if (!c.ok || m < 0 || side === 0 || !(price > 0) || !(size >= 0)) return undefined;
    const mc = current.names[m]!;
    const level: Level = { bid: side === 2, price, size };
    const list = byMarket.get(mc);
    if (list) list.push(level);
    else byMarket.set(mc, [level]);
  }
  return c.ok ? byMarket : undefined;
}
