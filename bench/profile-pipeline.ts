// Runs one path over one frame kind in a loop, for a CPU profile of just that:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-pipeline.ts --kind "binance trade"
//     [--path gateway|naive|tardis|json] [--seconds 5] [--default]

import { Args } from './lib/args.ts';
import { frameSets } from './lib/frames.ts';
import { gatewayPath, jsonParsePath, naivePath, pluginFor, tardisPath } from './lib/paths.ts';

const args = new Args();
const kind = args.string('kind', 'binance trade');
const which = args.string('path', 'gateway');
const seconds = args.number('seconds', 5);
const found = frameSets(args.number('frames', 4000)).find((s) => s.kind === kind);
if (!found) throw new Error(`no frame kind "${kind}"`);
// --default: Upbit's DEFAULT format (what tardis-dev reads) instead of SIMPLE
const set = args.flag('default') ? { ...found, frames: found.defaultFrames! } : found;
const plugin = await pluginFor(set);
const path =
  which === 'gateway' ? gatewayPath(plugin, set, 15) : which === 'naive' ? naivePath(set) : which === 'tardis' ? tardisPath(set) : jsonParsePath;
const until = performance.now() + seconds * 1000;
let frames = 0;
while (performance.now() < until) {
  path(set.frames);
  frames += set.frames.length;
}
console.log(`${kind} · ${which}: ${Math.round(frames / seconds)} frames/s`);
