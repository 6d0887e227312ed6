// The served replay: an unchanged client on the usual protocol receives the recorded stream at 10× and at max speed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestClient } from '../support/client.ts';
import type { Frame } from '../support/client.ts';
import { assertSequences, isRecord } from '../support/streams.ts';
import { recordingGateway, runCli, spawnReplay, tempDir } from './helpers.ts';

const id = (f: Frame) => `${f.ex}|${f.ty}|${f.cd}|${f.ep}|${f.sq}`;
/** recording time the test records */
const SPAN_MS = 6000;

describe('served replay of a recording', () => {
  const dir = tempDir('serve-');
  const outDir = tempDir('serve-out-');
  let converted: Frame[] = [];

  before(async () => {
    const run = await recordingGateway(dir, {}, 9);
    try {
      const c = await TestClient.connect(`${run.gw.ws}?snapshot=false`);
      // record until the stream spans SPAN_MS of receive time
      await c.next((f) => isRecord(f) && (f.rtms as number) - (c.frames.find(isRecord)!.rtms as number) >= SPAN_MS, SPAN_MS + 20_000);
      await c.close();
    } finally {
      await run.close();
    }
    const file = join(outDir, 'converted.jsonl');
    const r = await runCli('main.ts', ['--from', dir, '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    converted = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Frame);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  /** connects once the replay listens (it waits for this client), collects until it has every converted record */
  async function receive(speed: string, query = '') {
    const replay = spawnReplay(['--from', dir, '--speed', speed, '--wait-client']);
    try {
      const ws = await replay.listening;
      const client = await TestClient.connect(`${ws}?snapshot=false${query}`);
      const arrived: number[] = [];
      client.ws.on('message', () => arrived.push(performance.now()));
      const want = converted.filter((f) => !query || f.ex === 'upbit');
      await client.collect(isRecord, want.length, 60_000);
      const info = (await (await fetch(ws.replace('ws://', 'http://').replace('/ws/exchange', '/ws/info'))).json()) as Frame;
      const snapshot = (await (await fetch(ws.replace('ws://', 'http://').replace('/ws/exchange', '/api/snapshot?type=ticker'))).json()) as Frame[];
      await client.close();
      return { records: client.frames.filter(isRecord), want, arrived, info, snapshot };
    } finally {
      await replay.stop();
    }
  }

  it('plays the recording at 10× to a client on the usual protocol, same records, within the expected time', async () => {
    const { records, want, arrived, info } = await receive('10');
    assert.deepEqual(records.map(id), want.map(id));
    assert.deepEqual(records, want);
    assertSequences(records, 'start');
    const span = (want[want.length - 1]!.rtms as number) - (want[0]!.rtms as number);
    const took = arrived[arrived.length - 1]! - arrived[0]!;
    // tolerant: a loaded machine may be late, never early by more than a turn
    assert.ok(took >= span / 10 - 150, `took ${took} ms for ${span} ms recorded`);
    assert.ok(took <= span / 10 + 3000, `took ${took} ms for ${span} ms recorded`);
    assert.equal(info.endpoint, '/ws/exchange');
  });

  it('plays it at max speed with nothing lost, filters like a live gateway, and serves the latest values', async () => {
    const { records, want, snapshot } = await receive('max', '&exchange=upbit');
    assert.deepEqual(records, want);
    assert.ok(records.every((f) => f.ex === 'upbit'));
    assert.deepEqual(new Set(snapshot.map((f) => f.ex)), new Set(['binance', 'upbit', 'bithumb']));
    assert.ok(snapshot.every((f) => f.st === 'SNAPSHOT'));
  });
});
