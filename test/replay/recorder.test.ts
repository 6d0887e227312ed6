// The recorder: rotation on the clock, retention, a bounded backlog, and a full disk that never touches the live stream.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../kernel/config.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { createLogger } from '../../kernel/log.ts';
import { fixtureConfig } from '../../sdk/fixture/format.ts';
import { readLines } from '../../sdk/fixture/read.ts';
import { startSimulators } from '../../sim/index.ts';
import { Recorder } from '../../worker/recorder/recorder.ts';
import { TestClient, waitFor } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { assertSequences, isRecord } from '../support/streams.ts';
import { recordingGateway, runCli, tempDir } from './helpers.ts';

const id = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}|${f.ep}|${f.sq}`;
const upbitParts = (dir: string) => (existsSync(join(dir, 'upbit')) ? readdirSync(join(dir, 'upbit')).sort() : []);

async function lines(path: string) {
  const out = [];
  for await (const l of readLines(path)) out.push(l as Record<string, unknown>);
  return out;
}

describe('recording parts', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('rotates parts on the clock; the parts of one session replay as one stream, each part also on its own', async () => {
    const dir = tempDir('rot-');
    const out = tempDir('rot-out-');
    dirs.push(dir, out);
    const run = await recordingGateway(dir, { rotateMinutes: 0.02, keepHours: 0 });
    let live: Frame[];
    try {
      const c = await TestClient.connect(`${run.gw.ws}?snapshot=false`);
      await waitFor(() => upbitParts(dir).length >= 4, 30_000, 'four upbit parts');
      await c.close();
      live = c.frames.filter(isRecord);
    } finally {
      await run.close();
    }
    const partFiles = upbitParts(dir);
    const second = await lines(join(dir, 'upbit', partFiles[1]!));
    assert.equal((second[0]!.recording as { part: number }).part, 2);
    assert.ok(second.some((l) => 'open' in l && l.carried === true), 'open connections carried into the new part');
    const all = await runCli('main.ts', ['--from', dir, '--out', join(out, 'all.jsonl')]);
    assert.equal(all.code, 0, all.stderr);
    const byId = new Map(
      readFileSync(join(out, 'all.jsonl'), 'utf8').trim().split('\n').map((l) => {
        const f = JSON.parse(l) as Frame;
        return [id(f), f];
      }),
    );
    for (const f of live) assert.deepEqual(byId.get(id(f)), f);
    // one part alone: its carried connections start where the replay joined them, in an epoch of their own
    const alone = await runCli('main.ts', ['--from', join(dir, 'upbit', partFiles[2]!), '--out', '-']);
    assert.equal(alone.code, 0, alone.stderr);
    const records = alone.stdout.trim().split('\n').map((l) => JSON.parse(l) as Frame);
    assert.ok(records.length > 0);
    assertSequences(records, 'start');
    const joined = (await lines(join(dir, 'upbit', partFiles[2]!))).find((l) => 'open' in l)!.rtms;
    assert.ok(records.every((r) => r.ep === joined && (r.sq as number) >= 1));
  });

  it('deletes parts last written longer ago than keepHours', async () => {
    const dir = tempDir('keep-');
    dirs.push(dir);
    const run = await recordingGateway(dir, { rotateMinutes: 0.01, keepHours: 0.0005 });
    try {
      await waitFor(() => upbitParts(dir).length >= 2, 20_000, 'two parts');
      const first = upbitParts(dir)[0]!;
      await waitFor(() => !upbitParts(dir).includes(first), 20_000, `${first} deleted`);
      assert.ok(upbitParts(dir).length >= 1);
    } finally {
      await run.close();
    }
  });
});

describe('a recorder whose disk does not keep up', () => {
  it('drops lines beyond its byte bound, counts them, logs once, and marks the gap when it resumes', async () => {
    const dir = tempDir('slow-');
    const logs: string[] = [];
    const rec = new Recorder({ dir, rotateMinutes: 60, keepHours: 0, maxBufferBytes: 65_536, flushMs: 100 }, 'upbit', fixtureConfig('upbit'), (level, msg) => logs.push(`${level} ${msg}`));
    try {
      rec.start();
      rec.open(1, 'main', 'ws://x', 1000);
      const frame = JSON.stringify({ type: 'trade', pad: 'x'.repeat(1000) });
      // one turn: far more than the bound, before anything can reach the disk
      for (let i = 0; i < 500; i++) rec.frame(1, 2000 + i, frame);
      assert.ok(rec.stats.dropped > 300, `dropped ${rec.stats.dropped}`);
      assert.equal(rec.stats.state, 'dropping');
      await waitFor(() => rec.stats.queuedBytes === 0 && rec.stats.lines > 0, 10_000, 'the backlog written');
      rec.frame(1, 9000, frame);
      assert.equal(rec.stats.state, 'recording');
      assert.equal(logs.filter((l) => l.includes('does not keep up')).length, 1);
      assert.equal(logs.filter((l) => l.includes('resumed')).length, 1);
    } finally {
      await rec.close();
    }
    const file = join(dir, 'upbit', readdirSync(join(dir, 'upbit'))[0]!);
    const got = await lines(file);
    const gap = got.find((l) => 'gap' in l) as { gap: { dropped: number } } | undefined;
    assert.ok(gap && gap.gap.dropped === 500 - got.filter((l) => 'frame' in l).length + 1, JSON.stringify(gap));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a part cut short', () => {
  it('replays up to its last flush, as after a crash', async () => {
    const dir = tempDir('crash-');
    const rec = new Recorder({ dir, rotateMinutes: 60, keepHours: 0, maxBufferBytes: 1 << 20, flushMs: 50 }, 'upbit', fixtureConfig('upbit'), () => {});
    try {
      rec.start();
      rec.open(1, 'main', 'ws://x', 1000);
      for (let i = 0; i < 200; i++) rec.frame(1, 2000 + i, `{"n":${i}}`);
      const file = rec.stats.file;
      // the part is still open (no gzip trailer): what a crash leaves behind
      await waitFor(async () => existsSync(file) && (await lines(file)).filter((l) => 'frame' in l).length === 200, 10_000, 'the flushed frames readable');
      const copy = join(dir, 'copy.jsonl.gz');
      copyFileSync(file, copy);
      const got = await lines(copy);
      assert.equal(got.filter((l) => 'frame' in l).length, 200);
      assert.equal((got[0]!.exchange as string), 'upbit');
    } finally {
      await rec.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a recording on a full disk', () => {
  const mount = tempDir('full-');
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', mount], { stdio: 'ignore' });
    mounted = true;
  } catch {
    /* not root: the test is skipped */
  }
  after(() => {
    if (mounted) execFileSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('keeps the live stream whole while the recording fails, counting drops and logging once', { skip: !mounted && 'needs a tmpfs mount (root)' }, async () => {
    mkdirSync(join(mount, 'rec'));
    const sims = await startSimulators({ seed: 3, intervalMs: 20 });
    const logs: string[] = [];
    const config = parseConfig({
      server: { host: '127.0.0.1', port: 0 },
      record: { enabled: true, dir: join(mount, 'rec'), flushMs: 100, keepHours: 48 },
      exchanges: {
        upbit: { url: sims.get('upbit').url, restUrl: sims.get('upbit').restUrl, symbols: ['BTC/KRW', 'ETH/KRW'] },
        binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT'] },
      },
    });
    const kernel = new Kernel({ config, log: createLogger('info', 'gw', (l) => logs.push(l) > 0), statsIntervalMs: 100 });
    await kernel.start();
    const metric = async (name: string, ex: string) => {
      const m = new RegExp(`${name}\\{exchange="${ex}"\\} (\\d+)`).exec(await (await fetch(`http://127.0.0.1:${kernel.port}/metrics`)).text());
      return Number(m?.[1] ?? 0);
    };
    try {
      const c = await TestClient.connect(`ws://127.0.0.1:${kernel.port}/ws/exchange?snapshot=false`);
      await waitFor(async () => (await metric('gateway_record_errors_total', 'upbit')) >= 1, 60_000, 'the disk to fill');
      const dropped = await metric('gateway_record_dropped_total', 'upbit');
      const before = c.frames.length;
      // the live stream goes on: hundreds more records, in sequence
      await c.collect(isRecord, before + 400, 30_000);
      await waitFor(async () => (await metric('gateway_record_dropped_total', 'upbit')) > dropped, 10_000, 'drops counted');
      // retries every 2 s meet the same full disk: still one message
      await waitFor(() => logs.some((l) => l.includes('[upbit]') && l.includes('recording: cannot write')), 5000, 'the error logged');
      await waitFor(async () => (await metric('gateway_record_errors_total', 'upbit')) >= 3, 20_000, 'two retries');
      assert.equal(logs.filter((l) => l.includes('[upbit]') && l.includes('recording: cannot write')).length, 1);
      assert.match(logs.find((l) => l.includes('recording: cannot write'))!, /ENOSPC/);
      assert.match(await (await fetch(`http://127.0.0.1:${kernel.port}/metrics`)).text(), /gateway_record_ok\{exchange="upbit"\} 0/);
      await c.close();
      const records = c.frames.filter(isRecord);
      assertSequences(records, c);
      assert.ok(records.filter((f) => f.ex === 'upbit').length > 200);
    } finally {
      await kernel.close();
      await sims.close();
    }
  });
});
