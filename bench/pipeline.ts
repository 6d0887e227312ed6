// Benchmark 1, the worker's record path: raw exchange frame in → encoded record out, against baselines run in the
// same process and the same rounds (bare JSON.parse; JSON.parse + naive msgpackr pack; tardis-dev's normalizers).
//
//   node --import tsx bench/pipeline.ts [--frames 4000] [--rounds 11] [--min-ms 50] [--only <kind text>] [--out BENCHMARKS.md|-]

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Args } from './lib/args.ts';
import { frameSets, upbitDepthSets } from './lib/frames.ts';
import { countRecords, FRAMES_PER_TURN, gatewayPath, gzipCost, jsonParsePath, naivePath, pluginFor, tardisFrames, tardisPath, tardisSupports } from './lib/paths.ts';
import type { Path } from './lib/paths.ts';
import { BENCHMARKS_MD, publish, renderSection } from './lib/report.ts';
import type { Table } from './lib/report.ts';
import { fixed, judged, median, ratio, si } from './lib/stats.ts';

const args = new Args();
const N = args.number('frames', 4000);
const ROUNDS = args.number('rounds', 11);
const MIN_MS = args.number('min-ms', 50);
const OUT = args.string('out', BENCHMARKS_MD);
const DEPTH = 15;
/** only frame kinds containing this text (e.g. `--only trade`) */
const ONLY = args.string('only', '');
/** `--no-record`: skip the recorder's cost (its own table) */
const RECORD = !args.flag('no-record');

interface Contender {
  name: string;
  path: Path;
  frames: string[];
  reps: number;
  fps: number[];
}

const now = () => performance.now();

function timeOnce(c: Contender): number {
  const t0 = now();
  let sink = 0;
  for (let r = 0; r < c.reps; r++) sink += c.path(c.frames);
  const dt = now() - t0;
  if (sink === -1) console.log('');
  return (c.frames.length * c.reps) / (dt / 1000);
}

/** reps so that one measurement lasts at least MIN_MS */
function calibrate(c: Contender): void {
  c.path(c.frames); // warm-up
  const t0 = now();
  c.path(c.frames);
  const one = Math.max(0.01, now() - t0);
  c.reps = Math.max(1, Math.ceil(MIN_MS / one));
}

/** Runs every contender ROUNDS times, interleaved (the order rotates each round) so machine noise hits all alike. */
function race(contenders: Contender[]): void {
  for (const c of contenders) calibrate(c);
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + round) % contenders.length]!;
      const fps = timeOnce(c);
      if (round > 0) c.fps.push(fps); // round 0 warms the JIT
    }
  }
}

/** median over rounds of a/b measured in the same round */
function pairedRatio(a: Contender, b: Contender): number {
  return median(a.fps.map((x, i) => x / b.fps[i]!));
}

const contender = (name: string, path: Path, frames: string[]): Contender => ({ name, path, frames, reps: 1, fps: [] });

/** one worker's share: an exchange's frame kinds (with its API), as the plugin's worker thread sees them */
const GROUPS = ['binance', 'upbit', 'bithumb v1', 'bithumb legacy'];

interface GroupResult {
  main: (string | number)[][];
  peer: (string | number)[][];
  perLevel: (string | number)[][];
  record: (string | number)[][];
  summary: string[];
  worstTradeTicker: number;
  worstPeer: number;
}

/** Measures one group in this process: a fresh isolate whose JIT has seen only that exchange's frames, like its worker. */
async function measureGroup(group: string): Promise<GroupResult> {
  const sets = frameSets(N).filter((s) => s.kind.startsWith(`${group} `) && s.kind.includes(ONLY));
  const r: GroupResult = { main: [], peer: [], perLevel: [], record: [], summary: [], worstTradeTicker: Infinity, worstPeer: Infinity };

  // The worker sees every kind of its exchange's frames: warm the code up on all of them first, so that no kind is
  // measured on code the JIT specialised for it alone (or cold because it comes first).
  for (let round = 0; round < 3; round++) {
    for (const set of sets) gatewayPath(await pluginFor(set), set, DEPTH)(set.frames);
  }

  for (const set of sets) {
    const plugin = await pluginFor(set);
    const recordsPerFrame = countRecords(plugin, set, DEPTH) / set.frames.length;
    const ours = contender('gateway', gatewayPath(plugin, set, DEPTH), set.frames);
    const json = contender('JSON.parse', jsonParsePath, set.frames);
    const naive = contender('naive', naivePath(set), set.frames);
    // the feed's de-duplication (worker/dedupe.ts) sits between mapper and pipeline; books skip it
    const dedupe = set.ty === 'orderbook' ? undefined : contender('gateway + dedupe', gatewayPath(plugin, set, DEPTH, true), set.frames);
    const list = [json, naive, ours, ...(dedupe ? [dedupe] : [])];
    let tardis: Contender | undefined;
    let oursSame: Contender | undefined;
    if (tardisSupports(set)) {
      const frames = tardisFrames(set);
      tardis = contender('tardis-dev', tardisPath(set), frames);
      oursSame = frames === set.frames ? ours : contender('gateway (DEFAULT frames)', gatewayPath(plugin, set, DEPTH), frames);
      list.push(tardis);
      if (oursSame !== ours) list.push(oursSame);
    }
    // recording's cost (record.enabled): the exchange worker's share, and the total with the recorder thread's work
    const rec = RECORD ? contender('gateway + recording (worker)', gatewayPath(plugin, set, DEPTH, set.ty !== 'orderbook', 'post'), set.frames) : undefined;
    const recz = RECORD ? contender('gateway + recording (all)', gatewayPath(plugin, set, DEPTH, set.ty !== 'orderbook', 'all'), set.frames) : undefined;
    const base = dedupe ?? ours;
    if (rec && recz) list.push(rec, recz);
    race(list);
    if (rec && recz) {
      const perFrame = (c: Contender) => median(c.fps.map((x, i) => 1e9 / x - 1e9 / base.fps[i]!));
      r.record.push([
        set.kind,
        si(median(base.fps)),
        `${si(median(rec.fps))} (${ratio(pairedRatio(rec, base))})`,
        fixed(perFrame(rec), 0),
        fixed(perFrame(recz) - perFrame(rec), 0),
        fixed(gzipCost(set.frames), 0),
      ]);
    }
    const rJson = pairedRatio(ours, json);
    const target = set.ty === 'orderbook' ? '–' : '≥ 0.60×';
    if (set.ty !== 'orderbook') r.worstTradeTicker = Math.min(r.worstTradeTicker, rJson);
    r.main.push([
      set.kind,
      fixed(recordsPerFrame, 2),
      si(median(json.fps)),
      si(median(naive.fps)),
      si(median(ours.fps)),
      set.ty === 'orderbook' ? ratio(rJson) : judged(rJson, 0.6),
      target,
      ratio(pairedRatio(ours, naive)),
      dedupe ? `${si(median(dedupe.fps))} (${ratio(pairedRatio(dedupe, json))})` : '–',
    ]);
    if (tardis && oursSame) {
      const x = pairedRatio(oursSame, tardis);
      r.worstPeer = Math.min(r.worstPeer, x);
      r.peer.push([
        set.kind,
        oursSame === ours ? 'as recorded' : 'DEFAULT format (tardis reads no SIMPLE)',
        si(median(tardis.fps)),
        si(median(oursSame.fps)),
        judged(x, 1.4),
      ]);
    }
    if (set.ty === 'orderbook' && set.levels) {
      const nsFrame = 1e9 / median(ours.fps);
      r.perLevel.push([set.kind, fixed(set.levels, 1), fixed(nsFrame / 1000, 2), fixed(nsFrame / set.levels, 0), fixed(1e9 / median(json.fps) / set.levels, 0)]);
    }
    console.log(`${set.kind.padEnd(32)} gateway ${si(median(ours.fps))} frames/s = ${ratio(rJson)} JSON.parse${tardis ? `, ${ratio(pairedRatio(oursSame!, tardis))} tardis-dev` : ''}`);
  }

  // Per-level cost of Upbit-format books: the slope of ns/frame over the number of levels.
  if (group === 'upbit' && 'upbit orderbook'.includes(ONLY)) {
    const bySize: { levels: number; ns: number }[] = [];
    for (const set of upbitDepthSets(N, [5, 15, 30])) {
      const c = contender('gateway', gatewayPath(await pluginFor(set), set, set.levels!), set.frames);
      race([c]);
      bySize.push({ levels: set.levels!, ns: 1e9 / median(c.fps) });
    }
    const first = bySize[0]!;
    const last = bySize[bySize.length - 1]!;
    const slope = (last.ns - first.ns) / (last.levels - first.levels);
    r.summary.push(
      `Upbit-format order books, published depth = frame depth: ${bySize.map((b) => `${b.levels} levels ${fixed(b.ns / 1000, 2)} µs`).join(', ')} ` +
        `per frame → **${fixed(slope, 0)} ns per level** (slope) plus ${fixed((first.ns - slope * first.levels) / 1000, 2)} µs per frame.`,
    );
  }
  return r;
}

/** runs each group in a process of its own and gathers the results */
async function main(): Promise<void> {
  const started = now();
  const all: GroupResult[] = [];
  for (const group of GROUPS) {
    const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--group', group], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const result = await new Promise<GroupResult>((resolve, reject) => {
      child.once('message', (m) => resolve(m as GroupResult));
      child.once('exit', (code) => code !== 0 && reject(new Error(`pipeline group ${group} exited ${code}`)));
    });
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    all.push(result);
  }
  const main = all.flatMap((g) => g.main);
  const peer = all.flatMap((g) => g.peer);
  const perLevel = all.flatMap((g) => g.perLevel);
  const record = all.flatMap((g) => g.record);
  const summary = all.flatMap((g) => g.summary);
  // (Infinity, for a group without such kinds, crosses IPC as null)
  const finite = (xs: (number | null)[]) => Math.min(...xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)));
  const worstTradeTicker = finite(all.map((g) => g.worstTradeTicker));
  const worstPeer = finite(all.map((g) => g.worstPeer));

  const tables: Table[] = [
    {
      title: `Throughput per frame kind (frames/s, median of ${ROUNDS} interleaved rounds; ratios are medians of same-round ratios)`,
      head: ['frame kind', 'records/frame', 'JSON.parse', 'JSON.parse + naive pack', 'gateway path', 'gateway / JSON.parse', 'target', 'gateway / naive', 'with the feed\'s dedupe (/ JSON.parse)'],
      rows: main,
      notes: [`Worst trade/ticker ratio to bare JSON.parse: **${ratio(worstTradeTicker)}** (target ≥ 0.60×).`],
    },
    {
      title: 'Against the peer: tardis-dev normalizers + the same msgpackr pack, on the frames both read',
      head: ['frame kind', 'frames', 'tardis-dev', 'gateway path', 'gateway / tardis-dev (target ≥ 1.40×)'],
      rows: peer,
      notes: [
        `Worst ratio: **${ratio(worstPeer)}**. tardis-dev has no ticker normalizer for Binance spot or Upbit and no Bithumb mappers, so those kinds are not compared.`,
        'Binance depth: tardis-dev passes each diff on as a book change; the gateway also keeps the full book, checks update ids, cuts the top 15 and drops unchanged books — more work, measured anyway.',
      ],
    },
    {
      title: 'Order-book frames: cost per level (gateway path)',
      head: ['frame kind', 'levels/frame', 'µs/frame', 'ns/level', 'JSON.parse ns/level'],
      rows: perLevel,
      notes: ['Levels: units in an Upbit-format book; changed levels in a Binance diff; items in a Bithumb legacy diff.', ...summary],
    },
    ...(record.length
      ? [
          {
            title: 'Recording on vs off (`record.enabled`): frames/s of the worker path (with the feed\'s dedupe), and the cost per frame',
            head: ['frame kind', 'recording off', 'recording on (/ off)', 'ns/frame more in the exchange worker', 'ns/frame in the recorder thread: line', 'ns/frame: gzip (thread pool)'],
            rows: record,
            notes: [
              'Recording on = the exchange worker\'s share (worker/recorder/client.ts): each frame\'s text and numbers appended to the turn\'s lists, the texts joined into one string and posted with the numbers (a transferred Float64Array) on a real MessagePort. ' +
                'The recorder thread\'s work (worker/recorder/recorder.ts), on another thread: each frame escaped into its `{"rtms","conn","frame"}` line and the turn\'s lines joined (measured in this thread, paired rounds), then compressed by zlib level 6 as one stream (measured apart: the best of 5 gzips of all the set\'s lines).',
            ],
          },
        ]
      : []),
  ];
  const method =
    `Method: ${N} frames of each kind, built by the simulators' message builders (\`sim/\`) in the exchanges' recorded formats, ` +
    `replayed through each path. Per worker: each exchange's kinds run in a process of their own (as each exchange has its own worker thread, ` +
    `so the JIT has seen only that exchange's frames), warmed up on all of that exchange's kinds first; baselines run in the same process and rounds. ` +
    `Gateway path = the worker's: plugin mapper → RecordPipeline (depth ${DEPTH}) → msgpack encoding into the turn's BatchBuilder ` +
    `(a batch taken every ${FRAMES_PER_TURN} frames); each pass is a new connection epoch. The feed's de-duplication across connection switches ` +
    `(worker/dedupe.ts, between mapper and pipeline) is measured in a column of its own. Input is the frame's text (the UTF-8 decode of binary frames, ` +
    `equal for all paths, is excluded). Each path runs ≥ ${MIN_MS} ms per measurement; ${ROUNDS} rounds after a warm-up round, in rotating order. ` +
    `Command: \`npm run bench:pipeline\`. Took ${fixed((now() - started) / 1000, 0)} s.`;
  publish('pipeline', renderSection('1. Pipeline: frame → encoded record, per worker', method, tables), OUT);
}

const GROUP = args.string('group', '');
if (GROUP) process.send!(await measureGroup(GROUP));
else await main();
