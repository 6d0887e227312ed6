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

describe('benchmarks (smoke runs with tiny sizes)', () => {
  it('pipeline: prints each frame kind against JSON.parse, naive pack and tardis-dev, and writes its section', async () => {
    const md = join(dir, 'pipeline.md');
    const out = await runBench('pipeline.ts', [], ['--frames', '60', '--rounds', '1', '--min-ms', '1', '--out', md]);
    for (const kind of ['binance trade', 'upbit orderbook 15', 'bithumb v1 ticker', 'bithumb legacy transaction']) assert.match(out, new RegExp(`\\| ${kind} \\|`));
    assert.match(out, /gateway \/ tardis-dev/);
    assert.match(out, /ns per level/);
    const text = readFileSync(md, 'utf8');
    assert.match(text, /<!-- bench:pipeline -->[\s\S]*\| frame kind \|[\s\S]*<!-- \/bench:pipeline -->/);
    assert.match(text, /nproc \d+ · \d+ GiB · .* · Node v\d+/);
  });

  it('fan-out: ramps the naive server and the gateway with clients in another process, then cuts slow clients', async () => {
    const md = join(dir, 'fanout.md');
    const out = await runBench('fanout.ts', ['--expose-gc'], [
      '--clients', '20', '--rates', '50', '--fixed-rates', '50', '--step-ms', '400', '--warm-ms', '200',
      '--slow-rate', '50', '--slow-ms', '600', '--slow-share', '0.1', '--out', md,
    ]);
    assert.match(out, /naive ws 20 clients @ +50 rec\/s/);
    assert.match(out, /gateway +20 clients @ +50 rec\/s/);
    assert.match(out, /\| clients \| naive ws server \| gateway \| gateway \/ naive \|/);
    assert.match(out, /memory per idle client/);
    assert.match(out, /Slow clients/);
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:fanout -->[\s\S]*<!-- \/bench:fanout -->/);
  });

  it('end to end: runs simulators, a standalone gateway and clients, and reports latency and loss', async () => {
    const md = join(dir, 'e2e.md');
    const out = await runBench('e2e.ts', [], ['--levels', '1k', '--ramp-trades', '1', '--warm-ms', '1500', '--measure-ms', '700', '--out', md]);
    assert.match(out, /\| 1k \| 20 ms × 2 trades/);
    assert.match(out, /\| ramp t=1/);
    assert.match(out, /lost \(sq\)/);
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:e2e -->/);
  });

  it('soak: samples memory, heaps, handles, timers and event-loop delay under client churn, over time, and judges them', async () => {
    const md = join(dir, 'soak.md');
    const out = await runBench('e2e.ts', [], [
      '--soak', '--soak-minutes', '0.1', '--soak-warm-ms', '1000', '--soak-sample-ms', '1000', '--churn-every-ms', '700',
      '--soak-clients', '6', '--churn-count', '2', '--soak-trades', '1', '--out', md,
    ]);
    assert.match(out, /\| RSS floor \(MiB\) \|/);
    assert.match(out, /Overall: (pass|FAIL)/);
    assert.match(out, /\| handles \(sockets, ports, …\) \|/);
    assert.match(out, /\| heap used floor \(MiB\) \|/);
    assert.match(out, /\| exchange workers' heaps used, floor \(MiB\) \|/);
    assert.match(out, /\| event-loop delay p99 \(ms, median of samples\) \|/);
    assert.match(out, /\*\*Over time \(warm-up included\)\*\*/);
    assert.match(readFileSync(md, 'utf8'), /<!-- bench:soak-0.1min -->/);
  });

  it('end to end in cluster mode: ZooKeeper, Kafka, a leader node and clients, with latency and loss', async () => {
    const md = join(dir, 'e2e-cluster.md');
    const out = await runBench('e2e.ts', [], ['--mode', 'cluster', '--levels', '1k', '--ramp-trades', '1', '--warm-ms', '3000', '--measure-ms', '700', '--out', md]);
    assert.match(out, /cluster mode \(Kafka\)/);
    assert.match(out, /\| 1k \| 20 ms × 2 trades/);
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
});
