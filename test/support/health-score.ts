// The connection health score's documented meaning (docs/configuration.md, "Connection figures"; kernel/health.ts),
// checked against the figures reported beside it rather than as a fixed number a loaded machine may not reach.

import assert from 'node:assert/strict';

export interface ScoredConnection {
  name: string;
  state: string;
  score: number;
  reconnects: number;
  errors: Record<string, number>;
  lastHeardAt: number;
}

/** a reported figure may be up to this old, and silence is judged at 30 s: near it, either reading is allowed */
const SILENCE_MS = 30_000;
const FUZZ_MS = 2000;

/**
 * The scores the formula allows for these figures at `now`: 100, minus 40 when silent for over 30 s, minus 10 per
 * reconnect of the last 10 minutes (at most 40; reconnects before the first report are not seen as recent), minus 20
 * when the last report interval had errors (possible only if the connection has any); 0 when not open.
 */
export function allowedScores(c: ScoredConnection, now = Date.now()): number[] {
  if (c.state !== 'open') return [0];
  const age = c.lastHeardAt ? now - c.lastHeardAt : Infinity;
  const silence = age > SILENCE_MS + FUZZ_MS ? [40] : age > SILENCE_MS - FUZZ_MS ? [0, 40] : [0];
  const drops = Array.from({ length: Math.min(4, c.reconnects) + 1 }, (_, k) => 10 * k);
  const errors = Object.values(c.errors).some((n) => n > 0) ? [0, 20] : [0];
  const out = new Set<number>();
  for (const s of silence) for (const d of drops) for (const e of errors) out.add(Math.max(0, 100 - s - d - e));
  return [...out].sort((a, b) => b - a);
}

/** the score is one the figures explain; a connection open, heard from, without reconnects or errors scores 100 */
export function assertScoreExplained(c: ScoredConnection, score = c.score, now = Date.now()): void {
  const allowed = allowedScores(c, now);
  assert.ok(allowed.includes(score), `${c.name}: score ${score}, but its figures allow only ${allowed.join(', ')}: ${JSON.stringify(c)}`);
}
