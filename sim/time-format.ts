// Date and time strings as the exchanges print them: Upbit in UTC, Bithumb's legacy feed in Korea time (UTC+9).

const KST_OFFSET_MS = 9 * 3_600_000;

export interface DateParts {
  yyyy: string;
  MM: string;
  dd: string;
  HH: string;
  mm: string;
  ss: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function utcParts(ms: number): DateParts {
  const d = new Date(ms);
  return {
    yyyy: pad(d.getUTCFullYear(), 4),
    MM: pad(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
}

/** Korea has no daylight saving time, so a fixed offset is exact. */
export function kstParts(ms: number): DateParts {
  return utcParts(ms + KST_OFFSET_MS);
}

/** yyyy-MM-dd */
export const dashedDate = (p: DateParts): string => `${p.yyyy}-${p.MM}-${p.dd}`;
/** yyyyMMdd */
export const compactDate = (p: DateParts): string => `${p.yyyy}${p.MM}${p.dd}`;
/** HH:mm:ss */
export const colonTime = (p: DateParts): string => `${p.HH}:${p.mm}:${p.ss}`;
/** HHmmss */
export const compactTime = (p: DateParts): string => `${p.HH}${p.mm}${p.ss}`;

/** "2024-01-29 12:24:18.830039": Korea time with microseconds, from µs since epoch. */
export function kstMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const p = kstParts(ms);
  return `${dashedDate(p)} ${colonTime(p)}.${pad(us % 1_000_000, 6)}`;
}

/** share of the current UTC day already past, for "since midnight" accumulators */
export function utcDayFraction(ms: number): number {
  return (ms % 86_400_000) / 86_400_000;
}
