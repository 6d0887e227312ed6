// Benchmark 4, the replay converter: recorded frames (gzip parts in the recording format) → normalized JSON lines,
// one stream in this thread, then three exchanges' streams in parallel on the piscina pool.
//
//   node --import tsx bench/replay.ts [--frames 20000] [--out BENCHMARKS.md|-] [--keep <dir>]

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Chain } from '../sdk/fixture/read.ts';
import { FORMAT_VERSION, frameLine } from '../sdk/fixture/format.ts';
import { loadPlugin } from '../plugins/registry.ts';
import { convertAll } from '../replay/convert-all.ts';
import { Args } from './lib/args.ts';
import { frameSets } from './lib/frames.ts';
import type { FrameSet } from './lib/frames.ts';
import { pluginConfig } from './lib/paths.ts';
import { BENCHMARKS_MD, publish, renderSection } from './lib/report.ts';
import { fixed, si } from './lib/stats.ts';

const args = new Args();
const N = args.number('frames', 20_000);
const OUT = args.string('out', BENCHMARKS_MD);
/** `--keep <dir>`: write the recordings there and keep them (for profiling the converter on them) */
const KEEP = args.string('keep', '');
const T0 = Date.UTC(2025, 0, 15, 3, 0, 0);
const GROUPS = ['binance', 'upbit', 'bithumb v1'];

/** one exchange's recording: its trade, ticker and book frames interleaved, book snapshots answered after the first diff */
async function recording(group: string, sets: FrameSet[]): Promise<{ text: string; frames: number; exchange: string }> {
  const mine = sets.filter((s) => s.kind.startsWith(`${group} `));
  const kinds = (['trade', 'ticker', 'orderbook'] as const).map((ty) => mine.find((s) => s.ty === ty)!);
  const exchange = kinds[0]!.plugin;
  const config = { ...pluginConfig(kinds[0]!, 15), symbols: [...new Set(kinds.flatMap((k) => k.symbols))] };
  const plan = (await loadPlugin(exchange)).connections(config)[0]!;
  const lines = [JSON.stringify({ exchange, config, recording: { version: FORMAT_VERSION, session: `bench-${exchange}`, part: 1, started: T0 } })];
  lines.push(JSON.stringify({ rtms: T0, conn: 1, open: { plan: plan.name, url: plan.url, ep: T0 } }));
  lines.push(JSON.stringify({ rtms: T0, conn: 1, begin: { ep: T0 } }));
  let rtms = T0;
  let frames = 0;
  const answered = new Set<string>();
  for (let i = 0; i < N; i++) {
    for (const k of kinds) {
      const frame = k.frames[i];
      if (frame === undefined) continue;
      lines.push(frameLine(1, ++rtms, frame).trimEnd());
      frames++;
      for (const [suffix, body] of k.responses ?? []) {
        const code = suffix.replace('symbol=', '');
        if (answered.has(code) || !frame.includes(`"s":"${code}"`)) continue;
        answered.add(code);
        lines.push(JSON.stringify({ rtms: ++rtms, conn: 1, response: { tag: `depth:${code}`, status: 200, body } }));
      }
    }
  }
  return { text: lines.join('\n') + '\n', frames, exchange };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  const dir = KEEP ? (mkdirSync(KEEP, { recursive: true }), KEEP) : work;
  try {
    const sets = frameSets(N);
    const chains: Chain[] = [];
    const rows: (string | number)[][] = [];
    for (const group of GROUPS) {
      const r = await recording(group, sets);
      const path = join(dir, `${r.exchange}.jsonl.gz`);
      writeFileSync(path, gzipSync(r.text));
      const chain: Chain = { exchange: r.exchange, files: [{ path, header: undefined, start: -Infinity, end: Infinity }] };
      chains.push(chain);
      await convertAll([chain], {}, join(work, 'warm.jsonl'));
      const res = await convertAll([chain], {}, join(work, `${r.exchange}.out.jsonl`));
      rows.push([`${group} (trade, ticker, book interleaved)`, si(res.frames), si(res.records), fixed(res.elapsedMs / 1000, 2), si(res.frames / (res.elapsedMs / 1000)), '1']);
      console.log(`${group}: ${si(res.frames / (res.elapsedMs / 1000))} frames/s in one thread`);
    }
    const threads = Math.min(3, availableParallelism());
    const all = await convertAll(chains, {}, join(work, 'all.out.jsonl'), threads);
    rows.push(['all three, merged in time order', si(all.frames), si(all.records), fixed(all.elapsedMs / 1000, 2), si(all.frames / (all.elapsedMs / 1000)), String(all.threads)]);
    console.log(`all: ${si(all.frames / (all.elapsedMs / 1000))} frames/s on ${all.threads} threads`);
    const method =
      `Method: ${N} frames of each of trade, ticker and book per exchange (the pipeline benchmark's frames, built by the simulators' message builders), ` +
      'interleaved into one recording part per exchange (gzip, the recording format), converted by `npm run replay -- --from <dir> --out <file>`\'s code ' +
      '(replay/convert-all.ts): read and gunzip, parse each line, the plugin mapper, the feed\'s dedupe, the record pipeline, JSON out. ' +
      'One stream converts in the calling thread (after a warm-up run); several convert in parallel, in the calling thread and on a piscina pool (each pool thread starts a TypeScript loader, included), and are merged. ' +
      'Command: `node --import tsx bench/replay.ts`.';
    publish(
      'replay',
      renderSection('4. Replay converter: recording → records', method, [
        { title: 'Converter throughput', head: ['input', 'frames', 'records', 'seconds', 'frames/s', 'threads'], rows },
      ]),
      OUT,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
