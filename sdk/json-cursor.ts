// A pull reader for compact JSON text that builds no objects: plugins' fast paths read the fields they need straight
// from an exchange frame and skip the rest, checking the grammar as they go.
//
// Contract: the cursor accepts a strict subset of JSON: no whitespace between tokens, no backslash escapes (one
// indexOf per frame, so a string ends at the next quote), no control characters in strings; numbers and strings must
// be complete. Anything outside the subset, or not what the caller asked for, sets `ok = false` (and moves to the
// end, so every loop stops): the caller MUST then throw the frame's result away and run its ordinary JSON.parse
// path, which stays the authority on what a frame means and how it is rejected.
// Values read while `ok` is true are exactly what JSON.parse would give: numbers are correctly rounded (the same
// double), strings are the same characters.

import { hasControl } from './json-keys.ts';

const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

/** exact powers of ten: every one up to 1e22 is a double without rounding */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

export class JsonCursor {
  text = '';
  /** position of the next unread character */
  i = 0;
  /** false once anything outside the accepted subset (or not what was asked for) was met */
  ok = true;
  keyStart = 0;
  keyEnd = 0;
  /** the literal of the last number read (start, end), for callers that need its digits */
  numStart = 0;
  numEnd = 0;
  /** digits after the point of the last number read */
  numFraction = 0;
  /** the last number read was a plain integer literal: no sign, point or exponent */
  numPlainInt = false;
  /** the last number read (readOptNumber: NaN for null) */
  value = 0;

  reset(text: string): this {
    this.text = text;
    this.i = 0;
    this.ok = true;
    if (text.indexOf('\\') >= 0) this.fail();
    return this;
  }

  /** gives up on the frame; every further call returns at once */
  fail(): false {
    this.ok = false;
    this.i = this.text.length;
    return false;
  }

  peek(): number {
    return this.text.charCodeAt(this.i);
  }

  /** true when the whole text has been read (nothing may trail the value) */
  done(): boolean {
    return this.ok && this.i === this.text.length;
  }

  /** consumes `{` or fails */
  openObject(): boolean {
    if (this.text.charCodeAt(this.i) !== LBRACE) return this.fail();
    this.i++;
    return true;
  }

  /** consumes `[` or fails */
  openArray(): boolean {
    if (this.text.charCodeAt(this.i) !== LBRACKET) return this.fail();
    this.i++;
    return true;
  }

  /**
   * Steps to the next member of the object being read: reads `"key":` and returns true, or consumes the closing `}`
   * and returns false. `first`: no member has been read yet in this object.
   */
  member(first: boolean): boolean {
    const s = this.text;
    let i = this.i;
    let c = s.charCodeAt(i);
    if (!first) {
      if (c === RBRACE) {
        this.i = i + 1;
        return false;
      }
      if (c !== COMMA) return this.fail();
      c = s.charCodeAt(++i);
    } else if (c === RBRACE) {
      this.i = i + 1;
      return false;
    }
    if (c !== QUOTE) return this.fail();
    const start = i + 1;
    i = s.indexOf('"', start);
    if (i < 0 || s.charCodeAt(i + 1) !== COLON) return this.fail();
    this.keyStart = start;
    this.keyEnd = i;
    this.i = i + 2;
    return true;
  }

  /**
   * Consumes `,"key":` (`"key":` when `first`) if that is what comes next and returns true; otherwise consumes
   * nothing and returns false. `token` is `"key":`.
   */
  memberIs(token: string, first: boolean): boolean {
    const s = this.text;
    let i = this.i;
    if (!first) {
      if (s.charCodeAt(i) !== COMMA) return false;
      i++;
    }
    // indexOf is the engine's fast search: when the key is there (the usual case) it answers at once
    if (s.indexOf(token, i) !== i) return false;
    this.keyStart = i + 1;
    this.keyEnd = i + token.length - 2;
    this.i = i + token.length;
    return true;
  }

  /** Steps to the next element of the array being read: true if one follows, false after consuming `]`. */
  element(first: boolean): boolean {
    const c = this.text.charCodeAt(this.i);
    if (c === RBRACKET) {
      this.i++;
      return false;
    }
    if (first) return this.ok;
    if (c !== COMMA) return this.fail();
    this.i++;
    return true;
  }

  /** true when the key just read is `name` */
  keyIs(name: string): boolean {
    return this.keyEnd - this.keyStart === name.length && this.text.startsWith(name, this.keyStart);
  }

  /** the key just read, as a string (for messages and rare keys) */
  key(): string {
    return this.text.slice(this.keyStart, this.keyEnd);
  }

  /**
   * A string value; returns its content's end, its start is left in `numStart`. Its characters are not checked:
   * for strings the caller compares with known values (a control character then simply does not match).
   */
  stringEnd(): number {
    const s = this.text;
    const i = this.i;
    const end = s.charCodeAt(i) === QUOTE ? s.indexOf('"', i + 1) : -1;
    if (end < 0) {
      this.fail();
      return 0;
    }
    this.numStart = i + 1;
    this.numEnd = end;
    this.i = end + 1;
    return end;
  }

  /** like stringEnd(), checking that no control character is inside */
  checkedStringEnd(): number {
    const end = this.stringEnd();
    if (this.ok && hasControl(this.text, this.numStart, end)) this.fail();
    return end;
  }

  /** a string value, unchecked (see stringEnd()): for values looked up in a table of known ones */
  string(): string {
    const end = this.stringEnd();
    return this.ok ? this.text.slice(this.numStart, end) : '';
  }

  /** a string value, checked: for values passed on as they are */
  checkedString(): string {
    const end = this.checkedStringEnd();
    return this.ok ? this.text.slice(this.numStart, end) : '';
  }

  /** true when the string value here equals `expected` (consumed either way) */
  stringIs(expected: string): boolean {
    const end = this.stringEnd();
    return this.ok && end - this.numStart === expected.length && this.text.startsWith(expected, this.numStart);
  }

  /** a JSON number; NaN after failing. Sets numStart/numEnd to its literal. */
  number(): number {
    return this.scanNumber() ? this.value : NaN;
  }

  /**
   * Reads a number, or `null` as NaN, into `value`; false (and fails) for anything else. For hot loops: the value
   * stays in a field, so no number object is made per call.
   */
  readOptNumber(): boolean {
    if (this.text.charCodeAt(this.i) === 110) {
      if (this.text.startsWith('null', this.i)) {
        this.i += 4;
        this.value = NaN;
        return true;
      }
      return this.fail();
    }
    return this.scanNumber();
  }

  /** reads a JSON number into `value`; false after failing */
  private scanNumber(): boolean {
    const s = this.text;
    const start = this.i;
    let i = start;
    let c = s.charCodeAt(i);
    const negative = c === MINUS;
    if (negative) c = s.charCodeAt(++i);
    let m = 0;
    /** significant digits in m */
    let sig = 0;
    if (c === 48) {
      c = s.charCodeAt(++i);
    } else if (c >= 49 && c <= 57) {
      const p = i;
      do {
        m = m * 10 + (c - 48);
        c = s.charCodeAt(++i);
      } while (c >= 48 && c <= 57);
      sig = i - p;
    } else return this.fail();
    let fraction = 0;
    if (c === DOT) {
      const f0 = ++i;
      c = s.charCodeAt(i);
      // leading zeros of a fraction below one add nothing to m
      if (m === 0) while (c === 48) c = s.charCodeAt(++i);
      const p = i;
      while (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        c = s.charCodeAt(++i);
      }
      fraction = i - f0;
      if (fraction === 0) return this.fail();
      sig += i - p;
    }
    let exact = sig <= 15 && fraction <= 22;
    this.numPlainInt = !negative && fraction === 0;
    if (c === 101 || c === 69) {
      this.numPlainInt = false;
      // an exponent: valid JSON, rare from exchanges; parsed by the engine
      c = s.charCodeAt(++i);
      if (c === 43 || c === MINUS) c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return this.fail();
      do c = s.charCodeAt(++i);
      while (c >= 48 && c <= 57);
      exact = false;
    }
    this.i = i;
    this.numStart = start;
    this.numEnd = i;
    this.numFraction = fraction;
    if (!exact) {
      this.value = Number(s.slice(start, i));
      return true;
    }
    // m and 10^fraction are exact doubles, so one division rounds correctly: the same double as JSON.parse
    const v = fraction === 0 ? m : m / POW10[fraction]!;
    this.value = negative ? -v : v;
    return true;
  }

  /** a number, or undefined for `null` (Upbit writes null for what it has no value for); anything else fails */
  optNumber(): number | undefined {
    const c = this.text.charCodeAt(this.i);
    if (c === 110) {
      if (this.text.startsWith('null', this.i)) {
        this.i += 4;
        return undefined;
      }
      this.fail();
      return undefined;
    }
    if (c === QUOTE || c === LBRACE || c === LBRACKET || c === 116 || c === 102) {
      this.fail();
      return undefined;
    }
    return this.number();
  }

  /**
   * A quoted decimal as Binance and Bithumb write them (`"68250.01000000"`, `"-0.52"`): `-?digits(.digits)?`, up to
   * `maxDigits` digits on each side of the point and `maxLength` characters in all (0 = no limit). Returns the number
   * Number() gives for that text, NaN (and fails) for anything else. `shift`: the point moved this many places left
   * (percent → fraction); with a shift, more than 15 significant digits fail (rare: the caller's ordinary path).
   */
  decimalString(signed: boolean, maxDigits: number, maxLength: number, shift = 0): number {
    return this.readDecimal(signed, maxDigits, maxLength, shift) ? this.value : NaN;
  }

  /** decimalString() into `value`, without making a number object; false after failing */
  readDecimal(signed: boolean, maxDigits: number, maxLength: number, shift = 0): boolean {
    const s = this.text;
    let i = this.i;
    if (s.charCodeAt(i) !== QUOTE) return this.fail();
    const start = ++i;
    let c = s.charCodeAt(i);
    const negative = c === MINUS;
    if (negative) {
      if (!signed) return this.fail();
      c = s.charCodeAt(++i);
    }
    let m = 0;
    let digits = 0;
    let intDigits = 0;
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      if (m !== 0) digits++;
      intDigits++;
      c = s.charCodeAt(++i);
    }
    let fraction = 0;
    if (c === DOT) {
      c = s.charCodeAt(++i);
      while (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        if (m !== 0) digits++;
        fraction++;
        c = s.charCodeAt(++i);
      }
      if (fraction === 0) intDigits = 0; // "1." is not a decimal
    }
    if (
      c !== QUOTE ||
      intDigits === 0 ||
      (maxDigits > 0 && (intDigits > maxDigits || fraction > maxDigits)) ||
      (maxLength > 0 && i - start > maxLength)
    ) {
      return this.fail();
    }
    this.i = i + 1;
    this.numStart = start;
    this.numEnd = i;
    const scale = fraction + shift;
    if (digits > 15 || scale > 22) {
      // more digits than a double holds exactly: the engine's own conversion of the text
      if (shift !== 0) return this.fail();
      this.value = Number(s.slice(start, i));
      return true;
    }
    const v = scale === 0 ? m : m / POW10[scale]!;
    this.value = negative ? -v : v;
    return true;
  }

  /** `true` or `false`; fails on anything else */
  boolean(): boolean {
    const s = this.text;
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    return this.fail();
  }

  /** skips a number, checking its grammar only (no value is made) */
  skipNumber(): void {
    const s = this.text;
    let i = this.i;
    let c = s.charCodeAt(i);
    if (c === MINUS) c = s.charCodeAt(++i);
    if (c === 48) c = s.charCodeAt(++i);
    else if (c >= 49 && c <= 57) {
      do c = s.charCodeAt(++i);
      while (c >= 48 && c <= 57);
    } else {
      this.fail();
      return;
    }
    if (c === DOT) {
      c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) {
        this.fail();
        return;
      }
      do c = s.charCodeAt(++i);
      while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      c = s.charCodeAt(++i);
      if (c === 43 || c === MINUS) c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) {
        this.fail();
        return;
      }
      do c = s.charCodeAt(++i);
      while (c >= 48 && c <= 57);
    }
    this.i = i;
  }

  /** skips any value, checking its grammar (nested objects and arrays too) */
  skip(): void {
    const c = this.text.charCodeAt(this.i);
    if (c === QUOTE) this.checkedStringEnd();
    else if (c === LBRACE) {
      this.i++;
      for (let first = true; this.member(first); first = false) this.skip();
    } else if (c === LBRACKET) {
      this.i++;
      for (let first = true; this.element(first); first = false) this.skip();
    } else if (c === 116 || c === 102) this.boolean();
    else if (c === 110) {
      if (this.text.startsWith('null', this.i)) this.i += 4;
      else this.fail();
    } else this.skipNumber();
  }
}
