// The worker's recorder settings from the config file's `record:` section (the folder made absolute).

import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import type { RecordOptions } from '../../boundary/worker-protocol.ts';

export function recordOptions(config: Config): RecordOptions | undefined {
  const r = config.record;
  if (!r.enabled) return undefined;
  return { dir: resolve(r.dir), rotateMinutes: r.rotateMinutes, keepHours: r.keepHours, maxBufferBytes: r.maxBufferBytes, flushMs: r.flushMs };
}
