// Each benchmark runs end to end with tiny sizes and prints and writes its table (behaviour, not timings).

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** runs bench/<script> in its own process; resolves with its output once it has exited 0 */
function runBench(script: string, node: string[], args: string[], timeoutMs = 90_000): Promise<string> {
  const file = fileURLToPath(new URL(`../../bench/${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, '--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`bench/${script} exited ${code}:\n${out.slice(-3000)}`));
    });
  });
}

/** the cells of the first table row of `out` whose first cells are `lead` (Markdown `| a | b |`), trimmed */
function row(out: string, ...lead: string[]): string[] {
  for (const line of out.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (lead.every((l, i) => cells[i]?.startsWith(l))) return cells;
  }
  assert.fail(`no table row starting ${lead.join(' | ')}`);
}

/** a figure as the benches print it: 12, 1.5, 998, 1.00 k, 2.4 M */
const FIGURE = /^\d+(\.\d+)?( [kM])?$/;

describe('benchmarks (smoke runs with tiny sizes)', () => {
  it('pipeline: prints each frame kind against JSON.parse, naive pack and tardis-dev, and writes its section', async () => {
    const md = join(dir, 'pipeline.md');
    const out = await runBench('pipeline.ts', [], ['--frames', '60', '--rounds', '1', '--min-ms', '1', '--out', md]);
    for (const kind of ['binance trade', 'upbit orderbook 15', 'bithumb v1 ticker', 'bithumb legacy transaction']) assert.match(out, new RegExp(`\\| ${kind} \\|`));
    assert.match(out, /\| frame kind \| records\/frame \| JSON\.parse \| JSON\.parse \+ naive pack \| gateway path \|/);
    for (const kind of ['binance trade', 'upbit orderbook 15']) {
      const [, , parse, naive, gateway] = row(out, kind);
      for (const x of [parse, naive, gateway]) assert.match(x!, FIGURE, `${kind}: frames/s ${x}`);
    }
    assert.match(out, /gateway \/ tardis-dev/);
    assert.match(row(out, 'binance trade', 'as recorded')[3]!, FIGURE, 'binance trade: tardis-dev frames/s');
    assert.match(out, /ns per level/);
    const text = readFileSync(md, 'utf8');
    assert.match(text, /<!-- bench:pipeline -->[\s\S]*\| frame kind \|[\s\S]*<!-- \/bench:pipeline -->/);
    assert.match(text, /nproc \d+ · \d+ GiB · .* · Node v\d+/);
  });

  // Cutting slow clients takes more than a smoke run can send (the sockets' kernel buffers absorb megabytes first):
  // test/bench/hub.test.ts checks the cut; this checks that the run measures and reports them.
  it('fan-out: ramps the naive server and the gateway with clients in another process, and runs slow clients beside the others', async () => {
    const md = join(dir, 'fanout.md');
    const out = await runBench('fanout.ts', ['--expose-gc'], [
      '--clients', '20', '--rates', '50', '--fixed-rates', '50', '--step-ms', '400', '--warm-ms', '200',
      '--slow-rate', '50', '--slow-ms', '600', '--slow-share', '0.1', '--out', md,
    ]);
    assert.match(out, /naive ws 20 clients @ +50 rec\/s/);
    assert.match(out, /gateway +20 clients @ +50 rec\/s/);
    assert.match(out, /\| clients \| naive ws server \| gateway \| gateway \/ naive \|/);
    assert.match(out, /memory per idle client/);
    // both servers delivered the step to the 20 clients (the bench's own pass mark: 95 % of rate × clients)
    for (const server of ['naive ws', 'gateway ']) {
      const share = new RegExp(`${server} +20 clients @ +50 rec/s: [\\d.]+ k? ?deliveries/s \\((\\d+) %`).exec(out)?.[1];
      assert.ok(Number(share) >= 95, `${server.trim()}: ${share} % of the records delivered`);
    }
    assert.match(out, /Slow clients/);
    const slow = row(out, '20 clients, 2 never reading (10 %)', '50');
    assert.match(slow[2]!, /^\d+$/, 'p50 of the other clients');
    assert.match(slow[3]!, /^\d+( [✓✗])?$/, 'p99 of the other clients');
    assert.match(slow[4]!, /^[0-2] of 2$/, 'how many slow clients were cut');
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:fanout -->[\s\S]*<!-- \/bench:fanout -->/);
  });

  it('end to end: runs simulators, a standalone gateway and clients, and reports latency and no loss', async () => {
    const md = join(dir, 'e2e.md');
    const out = await runBench('e2e.ts', [], ['--levels', '1k', '--ramp-trades', '1', '--warm-ms', '1500', '--measure-ms', '700', '--out', md]);
    assert.match(out, /\| ramp t=1/);
    assert.match(out, /\| level \| simulators \| records\/s per client \| p50 ms \| p99 ms \| max ms \| .* \| lost \(sq\) \|/);
    const level = row(out, '1k', '20 ms × 2 trades');
    for (const i of [2, 3, 4, 5, 6]) assert.match(level[i]!, FIGURE, `1k: column ${i + 1} ${level[i]}`);
    // a gap in sq is a lost record: at this light level there is none
    assert.equal(level[7], '0', 'records lost at 1k');
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:e2e -->/);
  });

  // A few seconds are too short for the memory checks to pass (the heap is still growing into its working size):
  // what is checked is that each is judged, that the overall verdict is exactly their conjunction, and no loss.
  it('soak: samples memory, heaps, handles, timers and event-loop delay under client churn, over time, and judges them', async () => {
    const md = join(dir, 'soak.md');
    const out = await runBench('e2e.ts', [], [
      '--soak', '--soak-minutes', '0.1', '--soak-warm-ms', '1000', '--soak-sample-ms', '1000', '--churn-every-ms', '700',
      '--soak-clients', '6', '--churn-count', '2', '--soak-trades', '1', '--out', md,
    ]);
    const measures = ['RSS floor (MiB)', 'RSS peak (MiB)', 'heap used floor (MiB)', 'heap used peak (MiB)', "exchange workers' heaps used, floor (MiB)",
      'handles (sockets, ports, …)', 'timers', 'event-loop delay p99 (ms, median of samples)'];
    const judged = measures.map((m) => {
      const [, first, last, verdict] = row(out, m);
      assert.match(first!, /^\d+(\.\d+)?$/, `${m}: after warm-up`);
      assert.match(last!, /^\d+(\.\d+)?$/, `${m}: at the end`);
      assert.match(verdict!, /[✓✗]$/, `${m}: judged`);
      return verdict!.endsWith('✓');
    });
    const lost = row(out, 'records lost (sq)');
    assert.deepEqual([lost[2], lost[3]], ['0', '✓'], 'no record lost under churn');
    const overall = /Overall: (pass|FAIL)\./.exec(out)?.[1];
    assert.equal(overall, judged.every(Boolean) ? 'pass' : 'FAIL', 'the overall verdict is the conjunction of the checks');
    const replaced = Number(/6 clients with (\d+) replaced/.exec(out)?.[1]);
    assert.ok(replaced > 0, 'clients were churned');
    assert.match(out, /\*\*Over time \(warm-up included\)\*\*/);
    assert.ok(out.split('\n').filter((l) => /^ {2}\d+ s: RSS [\d.]+ MiB, heap [\d.]+ MiB/.test(l)).length >= 3, 'samples taken over the run');
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:soak-0.1min -->/);
  });

  it('end to end in cluster mode: ZooKeeper, Kafka, a leader node and clients, with latency and no loss', async () => {
    const md = join(dir, 'e2e-cluster.md');
    const out = await runBench('e2e.ts', [], ['--mode', 'cluster', '--levels', '1k', '--ramp-trades', '1', '--warm-ms', '3000', '--measure-ms', '700', '--out', md]);
    assert.match(out, /cluster mode \(Kafka\)/);
    const level = row(out, '1k', '20 ms × 2 trades');
    for (const i of [2, 3, 4, 5]) assert.match(level[i]!, FIGURE, `1k: column ${i + 1} ${level[i]}`);
    assert.equal(level[7], '0', 'records lost at 1k');
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:e2e-cluster -->/);
  });

  it('derived stage cost: runs the end-to-end path with and without premium and candles, and reports both', async () => {
    const md = join(dir, 'derived.md');
    const out = await runBench('derived.ts', [], ['--levels', '1k', '--rounds', '1', '--warm-ms', '1500', '--measure-ms', '700', '--out', md]);
    assert.match(out, /\| 1k \| none \(same markets\)/);
    assert.match(out, /\| 1k \| premium × 3 pairs, candles 1s \+ 1m on every market/);
    assert.match(out, /gateway CPU \(.* per exchange record delivered\) with the derived stage/);
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:derived -->/);
  });

  it('universe: every market of a venue through symbols: all to clients with mixed filters, beside the baseline', async () => {
    const md = join(dir, 'universe.md');
    const out = await runBench('universe.ts', [], ['--clients', '48', '--venues', 'okx', '--warm-ms', '1500', '--measure-ms', '1500', '--out', md], 180_000);
    const okx = row(out, 'universe: okx');
    assert.ok(Number(okx[1]) > 100, `okx markets subscribed: ${okx[1]}`);
    assert.match(okx[3]!, FIGURE, 'target records/s');
    assert.match(okx[4]!, FIGURE, 'records/s in');
    assert.match(okx[6]!, FIGURE, 'deliveries/s out');
    assert.equal(okx[10], '0', 'nothing lost');
    assert.equal(row(out, '**baseline: all**')[10], '0');
    assert.match(out, /Goal on 2 cores: p99 ≤ 50 ms at the target rate, RSS ≤ 1.5 GB, no loss: p99 \d+ ms/);
    assert.equal(okx[12], okx[1], 'every market\'s book held before the windows');
    // one window per harness niceness, the probes in processes of their own: all 48 clients open in each
    const rows = out.split('\n').filter((l) => /^\| (baseline|universe) \| \d+(\/\d+)? \|/.test(l)).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    const windows = rows.filter((r) => r.length === 15);
    assert.ok(windows.length >= 4, `a window per niceness in both runs: ${windows.length}`);
    // inside the gateway, the same windows: the main thread's CPU, its flushes' wall time, the stage latencies
    const inside = rows.filter((r) => r.length === 7);
    assert.equal(inside.length, windows.length, 'a row inside the gateway per window');
    for (const w of inside) {
      assert.match(w[3]!, FIGURE, `${w[0]} at niceness ${w[1]}: flushes' wall time`);
      assert.match(w[5]!, /^≤ \S+ \/ ≤ \S+ \/ ≤ \S+$/, `${w[0]} at niceness ${w[1]}: stage p99s`);
    }
    for (const w of windows) {
      assert.equal(w[8], '0', `${w[0]} at niceness ${w[1]}: nothing lost`);
      assert.match(w[7]!, FIGURE, `${w[0]} at niceness ${w[1]}: the gateway's share (rtms → client)`);
      assert.match(w[10]!, /^\d+ \/ \d+$/, `${w[0]} at niceness ${w[1]}: the probes' loop delay`);
      assert.equal(w[14], '48', `${w[0]} at niceness ${w[1]}: clients open`);
    }
    assert.match(out, /\(harness at niceness [\d/]+\); p99 \d+ ms .*\(harness at niceness [\d/]+\)/);
    assert.match(out, /Where the target comes from/);
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:universe -->/);
  });
});
