// Key and value tables for JsonCursor: fixed sets of names recognised in a frame's text by a hash of their length
// and end characters and one comparison, with the order an exchange sends its keys learnt as it goes.

import type { JsonCursor } from './json-cursor.ts';

/** Maps a fixed set of key names to small ids; a key is found by its length and first and last characters, then compared. */
export class KeyTable {
  private readonly ids: Int32Array;
  private readonly names: string[];
  private readonly mask: number;
  /** `"name":` per id, to recognize the predicted key in one comparison */
  private readonly tokens: string[];
  /** the id that followed each id last time (-1: none yet), and the first id of the last object */
  private readonly follow: Int32Array;
  private firstGuess = -1;
  /** when every name is one character (Binance): id by character code */
  private readonly single: Int32Array | undefined;

  constructor(names: readonly string[]) {
    this.tokens = names.map((n) => `"${n}":`);
    this.follow = new Int32Array(names.length).fill(-1);
    if (names.every((n) => n.length === 1 && n.charCodeAt(0) < 128)) {
      this.single = new Int32Array(128).fill(-1);
      names.forEach((n, id) => (this.single![n.charCodeAt(0)] = id));
    }
    let size = 16;
    while (size < names.length * 4) size *= 2;
    this.mask = size - 1;
    this.ids = new Int32Array(size).fill(-1);
    this.names = [];
    names.forEach((name, id) => {
      let at = keyHash(name.length, name.charCodeAt(0), name.charCodeAt(name.length - 1)) & this.mask;
      while (this.ids[at] !== -1) at = (at + 1) & this.mask;
      this.ids[at] = id;
      this.names[at] = name;
    });
  }

  /**
   * Steps to the next member of the object being read (see JsonCursor.member) and returns its key's id, -1 for a key
   * not in the table, or -2 at the end of the object. Exchanges send their keys in a fixed order, so the key that
   * followed `prev` last time is tried first with one comparison; any other key is read and looked up.
   */
  next(c: JsonCursor, first: boolean, prev: number): number {
    const guess = first ? this.firstGuess : prev >= 0 ? this.follow[prev]! : -1;
    let id: number;
    if (guess >= 0 && c.memberIs(this.tokens[guess]!, first)) id = guess;
    else if (!c.member(first)) return -2;
    else id = this.lookup(c);
    if (first) this.firstGuess = id;
    else if (prev >= 0) this.follow[prev] = id;
    return id;
  }

  /** the id of the key the cursor just read, or -1 for a key not in the table */
  lookup(c: JsonCursor): number {
    return this.find(c, c.keyStart, c.keyEnd);
  }

  /**
   * The id of the name held by [start, end) of the cursor's text, or -1: also for string values from a known set
   * (market codes), which then need no string of their own.
   */
  find(c: JsonCursor, start: number, end: number): number {
    const len = end - start;
    const s = c.text;
    if (this.single !== undefined) {
      const id = len === 1 ? (this.single[s.charCodeAt(start)] ?? -1) : -1;
      if (id === -1 && hasControl(s, start, end)) c.fail();
      return id;
    }
    let at = keyHash(len, s.charCodeAt(start), s.charCodeAt(end - 1)) & this.mask;
    for (;;) {
      const id = this.ids[at]!;
      if (id === -1) {
        // an unknown key is skipped, but must still be a valid JSON string
        if (hasControl(s, start, end)) c.fail();
        return -1;
      }
      const name = this.names[at]!;
      if (len === name.length && (len < 8 ? s.startsWith(name, start) : s.indexOf(name, start) === start)) return id;
      at = (at + 1) & this.mask;
    }
  }
}

/** A fixed set of string values (market codes) recognised in place, without making a string, with what each maps to. */
export class ValueTable<V> {
  private readonly table: KeyTable;
  readonly names: string[];
  readonly values: V[];

  constructor(map: ReadonlyMap<string, V>) {
    this.names = [...map.keys()];
    this.values = [...map.values()];
    this.table = new KeyTable(this.names);
  }

  /** reads a string value: its index in the set, or -1 (its text is then at [numStart, numEnd) of the cursor) */
  read(c: JsonCursor): number {
    const end = c.stringEnd();
    return c.ok ? this.table.find(c, c.numStart, end) : -1;
  }
}

function keyHash(len: number, first: number, last: number): number {
  return (Math.imul(len, 0x9e3779b1) ^ Math.imul(first, 0x85ebca6b) ^ Math.imul(last | 0, 0xc2b2ae35)) >>> 7;
}

/** true when [start, end) of `s` holds a control character, which JSON does not allow inside a string */
export function hasControl(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) < 32) return true;
  return false;
}
