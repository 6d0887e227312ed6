// One format: every plugin fixture replays through the CLI to its expected records, and a recording cuts into a fixture.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPluginIds } from '../../plugins/registry.ts';
import { expectedFile, fixtureFile, fixtureNames } from '../../sdk/testing/replay.ts';
import { TestClient } from '../support/client.ts';
import { isRecord } from '../support/streams.ts';
import { recordingGateway, runCli, tempDir } from './helpers.ts';

describe('plugin fixtures as replay input', () => {
  for (const exchange of listPluginIds()) {
    it(`replays every ${exchange} fixture through the CLI to its expected records`, async () => {
      for (const name of fixtureNames(exchange)) {
        const file = fileURLToPath(fixtureFile(exchange, name));
        const r = await runCli('main.ts', ['--from', file, '--speed', 'max', '--out', '-']);
        assert.equal(r.code, 0, r.stderr);
        const got = r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        const expected = JSON.parse(readFileSync(expectedFile(exchange, name), 'utf8')).records as Record<string, unknown>[];
        // a fixture's one connection has the epoch of its first line (expected files fix it to 1)
        const firstRtms = (readFileSync(file, 'utf8').split('\n').map((l) => (l ? JSON.parse(l) : {})).find((l) => 'rtms' in l) as { rtms: number }).rtms;
        for (const g of got) assert.equal(g.ep, firstRtms, `${name}: ep`);
        assert.deepEqual(got.map((g) => ({ ...g, ep: 1 })), expected, name);
      }
    });
  }
});

describe('cutting a fixture from a recording', () => {
  it('writes one connection\'s lines with its config and plan, which replay to the records of those lines', async () => {
    const dir = tempDir('cut-');
    const run = await recordingGateway(dir);
    try {
      const c = await TestClient.connect(`${run.gw.ws}?exchange=upbit&snapshot=false`);
      await c.collect(isRecord, 30, 20_000);
      await c.close();
    } finally {
      await run.close();
    }
    try {
      const upbit = join(dir, 'upbit', readdirSync(join(dir, 'upbit'))[0]!);
      const fixture = join(dir, 'cut.jsonl');
      const r = await runCli('fixture.ts', ['--from', upbit, '--exchange', 'upbit', '--lines', '1-40', '--out', fixture]);
      assert.equal(r.code, 0, r.stderr);
      const lines = readFileSync(fixture, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(Object.keys(lines[0]), ['config']);
      assert.deepEqual(lines[0].config.symbols, ['BTC/KRW', 'ETH/KRW']);
      assert.equal(lines[1].connection, 'main');
      assert.ok(lines.slice(2).every((l) => typeof l.rtms === 'number' && ('frame' in l || 'response' in l) && !('conn' in l)));
      const replayed = await runCli('main.ts', ['--from', fixture, '--exchange', 'upbit', '--out', '-']);
      assert.equal(replayed.code, 0, replayed.stderr);
      const records = replayed.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(records.length > 0 && records.every((x) => x.ex === 'upbit'));
      const bad = await runCli('fixture.ts', ['--from', upbit, '--exchange', 'upbit', '--lines', '9-3', '--out', fixture]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /REPLAY_ARGS: --lines/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks for --exchange when a file names no exchange and its folder is no plugin\'s', async () => {
    const dir = tempDir('cut-');
    try {
      const file = join(dir, 'x.jsonl');
      const src = readFileSync(fixtureFile('upbit', fixtureNames('upbit')[0]!), 'utf8');
      writeFileSync(file, src);
      const r = await runCli('main.ts', ['--from', file, '--out', '-']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /REPLAY_INPUT: .*--exchange/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
