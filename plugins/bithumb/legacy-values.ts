// Bithumb legacy value formats: Korea-time (UTC+9) dates, integer epoch times (decimals: the SDK's readers).

import { badFrame, clip, nonNegative, num, positive as positiveField } from '../../sdk/index.ts';

/**
 * Value-level forms of the SDK readers, for legacy-book.ts (it reads bare values): a decimal string or a finite JSON
 * number, not negative unless `signed`; -0 comes back as 0.
 */
export function decimal(v: unknown, what: string, signed = false): number {
  return signed ? num({ value: v }, 'value', what) : nonNegative({ value: v }, 'value', what);
}

export function positive(v: unknown, what: string): number {
  return positiveField({ value: v }, 'value', what);
}

/** Korea has kept UTC+9 all year since 1988 (no daylight saving), so a fixed offset is exact. */
const KST_OFFSET_MS = 9 * 3_600_000;

/** ms since epoch of a Korea-time wall-clock moment; a date that does not exist (Feb 30, 25:00) is BAD_FRAME */
function kstMs(f: readonly number[], ms: number, what: string): number {
  const [y, mo, d, h, mi, s] = f as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const t = new Date(wall);
  const same =
    t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d &&
    t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
  if (!same || y < 2000) throw badFrame(`${what}: no such time`);
  return wall - KST_OFFSET_MS;
}

const CONT_DTM = /^([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?$/;

/** The last Korea-time second read, as text and ms: consecutive frames mostly fall in the same second. */
class SecondCache {
  private text = '';
  private ms = 0;

  get(text: string, fields: () => readonly number[], what: string): number {
    if (text !== this.text) {
      this.ms = kstMs(fields(), 0, what); // throws for a moment that does not exist, before anything is cached
      this.text = text;
    }
    return this.ms;
  }
}

const contDtmSecond = new SecondCache();
const tickerSecond = new SecondCache();

/** `contDtm` "2024-01-29 12:24:18.830039" (Korea time, µs) → ms since epoch, floored: the µs digits are cut, not rounded */
export function contDtmMs(v: unknown, what: string): number {
  const m = typeof v === 'string' ? CONT_DTM.exec(v) : null;
  if (!m) throw badFrame(`${what} is ${clip(v)}, not "yyyy-MM-dd HH:mm:ss.ffffff"`);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  return contDtmSecond.get((v as string).slice(0, 19), () => m.slice(1, 7).map(Number), what) + ms;
}

const DATE = /^([0-9]{4})([0-9]{2})([0-9]{2})$/;
const TIME = /^([0-9]{2})([0-9]{2})([0-9]{2})$/;

/** ticker `date` "20240129" + `time` "122418", Korea time, to the second → ms since epoch */
export function dateTimeMs(date: unknown, time: unknown, what: string): number {
  const d = typeof date === 'string' ? DATE.exec(date) : null;
  const t = typeof time === 'string' ? TIME.exec(time) : null;
  if (!d || !t) throw badFrame(`${what}: date ${clip(date)} / time ${clip(time)} are not yyyyMMdd / HHmmss`);
  return tickerSecond.get(`${d[0]}${t[0]}`, () => [...d.slice(1, 4), ...t.slice(1, 4)].map(Number), what);
}

/** A positive integer epoch time (µs `datetime`, ms `timestamp`), seen both as a digit string and as a number. */
export function epochInt(v: unknown, what: string): number {
  let x = NaN;
  if (typeof v === 'string' && /^[0-9]{1,16}$/.test(v)) x = Number(v);
  else if (typeof v === 'number' && Number.isSafeInteger(v)) x = v;
  if (!(x > 0)) throw badFrame(`${what} is ${clip(v)}, not an integer time`);
  return x;
}
