// Recorded-format exchange frames for the pipeline benchmark, found by folder: every plugins/<id>/bench.ts builds
// its plugin's frames with the simulator's own message builders (bench/lib/frame-set.ts), so they are byte for byte
// what a worker receives from the simulated (and, by design, the real) exchange. A plugin without bench.ts is not
// in the pipeline benchmark; its fixtures still run in the contract suite.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule, FrameSet } from './frame-set.ts';

export type { BenchModule, FrameSet } from './frame-set.ts';

const PLUGINS_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));

/** the plugin folders with a bench.ts, sorted */
export function benchFolders(dir = PLUGINS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && existsSync(join(dir, d.name, 'bench.ts')))
    .map((d) => d.name)
    .sort();
}

// Loaded once, when this module is (top-level await), so frameSets() stays synchronous for the benchmarks.
const modules = new Map<string, BenchModule>();
for (const id of benchFolders()) {
  const mod = (await import(pathToFileURL(join(PLUGINS_DIR, id, 'bench.ts')).href)) as Partial<BenchModule>;
  if (typeof mod.default !== 'function') throw new TypeError(`plugins/${id}/bench.ts: export default (n) => FrameSet[]`);
  modules.set(id, mod as BenchModule);
}

/**
 * Frames as a worker holds them: decoded from the socket's bytes into flat strings (built ones are often
 * concatenations, which every reader would first have to flatten).
 */
function asReceived(set: FrameSet): FrameSet {
  const flat = (frames: string[]) => frames.map((f) => Buffer.from(f, 'utf8').toString('utf8'));
  return { ...set, frames: flat(set.frames), defaultFrames: set.defaultFrames && flat(set.defaultFrames) };
}

/** Every frame kind the gateway reads, `n` frames each: every plugin's bench.ts, plugins in folder order. */
export function frameSets(n: number): FrameSet[] {
  return [...modules.values()].flatMap((m) => m.default(n)).map(asReceived);
}

/** One plugin's order books at other depths (its bench.ts `depthSets`), to separate per-frame from per-level cost. */
export function depthSets(id: string, n: number, depths: number[]): FrameSet[] {
  const build = modules.get(id)?.depthSets;
  return build ? build(n, depths).map(asReceived) : [];
}

/** Upbit order books at other depths, to separate the per-frame cost from the per-level cost. */
export const upbitDepthSets = (n: number, depths: number[]): FrameSet[] => depthSets('upbit', n, depths);
