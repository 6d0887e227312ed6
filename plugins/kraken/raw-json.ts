// A JSON reader that keeps every number's literal text: Kraken v2 writes prices and quantities as JSON numbers whose
// digits (trailing zeros included) are what its book checksum is computed over, and JSON.parse would lose them.
//
// It accepts exactly RFC 8259 JSON (no comments, no trailing commas); numbers become `RawNumber` (the literal and its
// value, the same double JSON.parse gives), everything else is what JSON.parse would return. Nesting is capped so a
// hostile frame cannot exhaust the stack. Errors are SyntaxError, counted by the worker as BAD_FRAME.

export class RawNumber {
  constructor(
    /** the literal exactly as written in the frame */
    readonly text: string,
    readonly value: number,
  ) {}
}

export type RawValue = null | boolean | string | RawNumber | RawValue[] | { [key: string]: RawValue };

const MAX_DEPTH = 32;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function parseRaw(text: string): RawValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const skip = (): void => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const str = (): string => {
    // The JSON string grammar is JSON.parse's own: find the closing quote, let JSON.parse check and unescape.
    const start = i;
    i++;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) fail('unterminated string');
      let backslashes = 0;
      for (let k = q - 1; k > start && text.charCodeAt(k) === 0x5c; k--) backslashes++;
      i = q + 1;
      if (backslashes % 2 === 0) break;
    }
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number): RawValue => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    skip();
    const c = text.charCodeAt(i);
    if (c === 0x22) return str();
    if (c === 0x7b) {
      i++;
      const obj: { [key: string]: RawValue } = {};
      skip();
      if (text.charCodeAt(i) === 0x7d) {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (text.charCodeAt(i) !== 0x22) fail('expected a key');
        const key = str();
        skip();
        if (text.charCodeAt(i) !== 0x3a) fail('expected ":"');
        i++;
        // defineProperty: a "__proto__" key is an ordinary member, as with JSON.parse
        Object.defineProperty(obj, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        skip();
        const d = text.charCodeAt(i++);
        if (d === 0x7d) return obj;
        if (d !== 0x2c) fail('expected "," or "}"');
      }
    }
    if (c === 0x5b) {
      i++;
      const arr: RawValue[] = [];
      skip();
      if (text.charCodeAt(i) === 0x5d) {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        skip();
        const d = text.charCodeAt(i++);
        if (d === 0x5d) return arr;
        if (d !== 0x2c) fail('expected "," or "]"');
      }
    }
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) return (i += 4), null;
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (!m) return fail('unexpected character');
    i += m[0].length;
    return new RawNumber(m[0], Number(m[0]));
  };
  const result = value(0);
  skip();
  if (i !== text.length) fail('unexpected text after the value');
  return result;
}
