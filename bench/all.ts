// `npm run bench`: the benchmarks one after the other, each in its own process with its own flags, each
// writing its section of BENCHMARKS.md. Extra arguments go to all of them (e.g. `--out -` to write nothing).
// The soak is not part of it: `npm run bench:soak`.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches: { script: string; node: string[]; args?: string[] }[] = [
  { script: 'pipeline.ts', node: [] },
  { script: 'fanout.ts', node: ['--expose-gc'] },
  { script: 'e2e.ts', node: [] },
  { script: 'e2e.ts', node: [], args: ['--mode', 'cluster', '--ramp-trades', '15,30,60'] },
  { script: 'replay.ts', node: [] },
  { script: 'derived.ts', node: [] },
];
const started = Date.now();
let failed = 0;
for (const b of benches) {
  const file = fileURLToPath(new URL(b.script, import.meta.url));
  console.log(`\n=== bench/${b.script} ${(b.args ?? []).join(' ')} ===`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [...b.node, '--import', 'tsx', file, ...(b.args ?? []), ...process.argv.slice(2)], { stdio: 'inherit' });
  console.log(`=== bench/${b.script}: ${r.status === 0 ? 'done' : `FAILED (${r.status ?? r.signal})`} in ${Math.round((Date.now() - t0) / 1000)} s ===`);
  if (r.status !== 0) failed++;
}
console.log(`\nall benchmarks: ${Math.round((Date.now() - started) / 1000)} s${failed ? `, ${failed} failed` : ''}`);
process.exit(failed ? 1 : 0);
