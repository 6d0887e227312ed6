// Private temp directories for one service instance; removing them is part of every close().

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdDir, releaseDir } from './exit-guard.ts';

export async function makeTempDir(service: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `infra-${service}-`));
  holdDir(dir);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  releaseDir(dir);
}
