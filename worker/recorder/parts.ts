// The recorder's part files on disk: their names (exchange, start time, session, part number) and retention.

import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** `<folder>/<exchange>-<start, UTC>-<session>-<part, 4 digits>.jsonl.gz` */
export function partPath(folder: string, exchange: string, started: number, session: string, part: number): string {
  return join(folder, `${exchange}-${stamp(started)}-${session}-${String(part).padStart(4, '0')}.jsonl.gz`);
}

/** Deletes the folder's parts last written more than keepHours ago (0 = keep everything), except `current`; returns how many. */
export function deleteOldParts(folder: string, keepHours: number, current: string | undefined): number {
  if (keepHours <= 0) return 0;
  const before = Date.now() - keepHours * 3_600_000;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return 0;
  }
  let deleted = 0;
  for (const name of names) {
    const path = join(folder, name);
    if (!name.endsWith('.jsonl.gz') || path === current) continue;
    try {
      if (statSync(path).mtimeMs < before) {
        unlinkSync(path);
        deleted++;
      }
    } catch {
      /* deleted meanwhile */
    }
  }
  return deleted;
}
