// The FX rate source of the premium's `pf`: polls an HTTP endpoint for a JSON answer and reads the USD/KRW rate at a
// configured path (`0.basePrice`, `rate`, ...). A rate older than maxAgeMs is no rate: `pf` goes absent.

import type { Logger } from '../log.ts';

export interface FxOptions {
  url: string;
  path: string;
  intervalMs: number;
  /** 0 = 3 × intervalMs */
  maxAgeMs: number;
  timeoutMs: number;
  log: Logger;
}

export interface FxState {
  enabled: true;
  healthy: boolean;
  url: string;
  rate?: number;
  /** when the rate in force was read (ms) */
  updatedAt?: number;
  lastError?: string;
  polls: number;
  failures: number;
}

/** Reads `path` (dot-separated; array indexes as numbers) from a parsed JSON value. */
export function readPath(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Array.isArray(v) ? (/^\d+$/.test(part) ? v[Number(part)] : undefined) : (v as Record<string, unknown>)[part];
  }
  return v;
}

/** the rate at `path` of a JSON text: a positive finite number (numeric strings accepted), else an Error */
export function parseRate(text: string, path: string): number | Error {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return new Error('answer is not JSON');
  }
  const v = readPath(doc, path);
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return new Error(`no positive number at "${path}" (found ${JSON.stringify(v) ?? 'nothing'})`);
  return n;
}

export class FxSource {
  private rate: number | undefined;
  private updatedAt = 0;
  private lastError: string | undefined;
  private polls = 0;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private expiry: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly maxAgeMs: number;
  private readonly listeners: ((rate: number | undefined) => void)[] = [];

  constructor(private readonly opts: FxOptions) {
    this.maxAgeMs = opts.maxAgeMs || 3 * opts.intervalMs;
  }

  /** called with the rate in force whenever it changes (undefined: down) */
  onChange(fn: (rate: number | undefined) => void): void {
    this.listeners.push(fn);
  }

  /** the rate in force, undefined while down */
  get current(): number | undefined {
    return this.rate;
  }

  start(): void {
    if (this.closed || this.timer) return;
    void this.poll();
  }

  private async poll(): Promise<void> {
    this.polls++;
    try {
      const res = await fetch(this.opts.url, { signal: AbortSignal.timeout(this.opts.timeoutMs), headers: { accept: 'application/json' } });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const rate = parseRate(text, this.opts.path);
      if (rate instanceof Error) throw rate;
      this.updatedAt = Date.now();
      if (this.lastError) this.opts.log.info(`FX source answers again: ${rate}`);
      this.lastError = undefined;
      this.set(rate);
      clearTimeout(this.expiry);
      this.expiry = setTimeout(() => this.expire(), this.maxAgeMs);
    } catch (err) {
      this.failures++;
      const message = (err as Error).message;
      if (message !== this.lastError) this.opts.log.warn(`FX source ${this.opts.url}: ${message}`);
      this.lastError = message;
    }
    if (!this.closed) this.timer = setTimeout(() => void this.poll(), this.opts.intervalMs);
  }

  private expire(): void {
    if (Date.now() - this.updatedAt >= this.maxAgeMs) {
      this.opts.log.warn(`FX rate older than ${this.maxAgeMs} ms: premiums go without pf until the source answers`);
      this.set(undefined);
    }
  }

  private set(rate: number | undefined): void {
    if (rate === this.rate) return;
    this.rate = rate;
    for (const fn of this.listeners) fn(rate);
  }

  state(): FxState {
    return {
      enabled: true,
      healthy: this.rate !== undefined,
      url: this.opts.url,
      ...(this.rate !== undefined ? { rate: this.rate, updatedAt: this.updatedAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      polls: this.polls,
      failures: this.failures,
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.expiry);
  }
}
