// The contract every exchange plugin passes: shape, connection plans, recorded fixtures, and hostile frames.
// A new plugin gets all of this by adding its folder plus fixtures; see plugins/README.md.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { listPluginIds, loadPlugin, checkPluginConfig } from '../../plugins/registry.ts';
import { GatewayError } from '../../sdk/errors.ts';
import type { MarketRecord } from '../../sdk/model.ts';
import { isSymbol } from '../../sdk/model.ts';
import { EXPECTED, FIXTURES, readFixture, replay, testConfig } from './replay.ts';
import type { FixtureLine } from './replay.ts';

const HOSTILE_FRAMES = [
  '',
  '{',
  'null',
  '[]',
  '42',
  '"text"',
  '{"a":1}',
  '{"type":"ticker"}',
  '{"ty":"trade","cd":5}',
  '{"stream":"x","data":null}',
  '{"type":"transaction","content":{"list":[{}]}}',
  '\u0000\u00ff\u00fe',
  '{"x":"' + 'a'.repeat(2 * 1024 * 1024) + '"}',
];

/**
 * How far an exchange's time may lie from the gateway's receive time: behind by up to an hour (a snapshot's last
 * trade on a quiet market), ahead by up to a minute (clock skew). A unit mistake (s, µs or ns read as ms: a factor
 * of 1000 or more) or a time zone read wrong (Korea time is 9 h off UTC) falls outside, in every plugin.
 */
const TMS_BEHIND_MS = 3_600_000;
const TMS_AHEAD_MS = 60_000;

function checkNumber(k: string, v: number): void {
  assert.ok(Number.isFinite(v), `${k} is not finite`);
  assert.ok(!Object.is(v, -0), `${k} is -0`);
}

function checkRecordShape(r: MarketRecord, exchange: string): void {
  assert.equal(r.ex, exchange);
  assert.ok(isSymbol(r.cd), `cd ${r.cd}`);
  assert.equal(typeof r.mc, 'string');
  assert.ok(Number.isInteger(r.tms) && r.tms > 1_500_000_000_000, `tms ${r.tms}`);
  assert.ok(Number.isInteger(r.rtms), `rtms ${r.rtms}`);
  assert.ok(
    r.tms >= r.rtms - TMS_BEHIND_MS && r.tms <= r.rtms + TMS_AHEAD_MS,
    `${r.ty} ${r.cd}: tms ${r.tms} is ${r.rtms - r.tms} ms from rtms ${r.rtms}: a unit or time-zone mistake?`,
  );
  assert.ok(Number.isInteger(r.sq) && r.sq >= 1);
  for (const [k, v] of Object.entries(r)) {
    assert.notEqual(v, null, `${k} is null`);
    assert.notEqual(v, undefined, `${k} is undefined`);
    if (typeof v === 'number') checkNumber(k, v);
  }
  if (r.ty === 'orderbook') for (const u of r.obu) for (const [k, v] of Object.entries(u)) checkNumber(`obu.${k}`, v as number);
  assert.equal('st' in r, false, 'live records carry no st');
  if (r.ty === 'trade') {
    assert.ok(r.tp > 0 && r.tv > 0);
    if (r.ab !== undefined) assert.ok(r.ab === 'ASK' || r.ab === 'BID');
    if (r.sid !== undefined) assert.equal(typeof r.sid, 'string');
  }
  if (r.ty === 'orderbook') {
    for (let i = 1; i < r.obu.length; i++) {
      const a = r.obu[i - 1]!;
      const b = r.obu[i]!;
      if (a.ap !== undefined && b.ap !== undefined) assert.ok(a.ap < b.ap, 'asks ascend');
      if (a.bp !== undefined && b.bp !== undefined) assert.ok(a.bp > b.bp, 'bids descend');
    }
    const best = r.obu[0];
    if (best?.ap !== undefined && best.bp !== undefined) assert.ok(best.bp < best.ap, 'book is crossed');
  }
}

for (const id of listPluginIds()) {
  describe(`plugin ${id}`, () => {
    it('exports a plugin that passes the contract checks', async () => {
      const plugin = await loadPlugin(id);
      assert.equal(plugin.id, id);
      checkPluginConfig(plugin, testConfig(id, { channels: [...plugin.channels] }));
    });

    it('plans connections with WebSocket URLs and subscription frames for its configured channels', async () => {
      const plugin = await loadPlugin(id);
      const plans = plugin.connections(testConfig(id, { channels: [...plugin.channels] }));
      assert.ok(plans.length >= 1);
      for (const p of plans) {
        assert.match(p.url, /^wss?:\/\//);
        assert.ok(p.subscribe.length >= 1 || p.url.includes('?'), `connection ${p.name} subscribes to something`);
        assert.equal(typeof p.createMapper().onMessage, 'function');
      }
    });

    it('rejects a symbol that is not BASE/QUOTE', async () => {
      const plugin = await loadPlugin(id);
      assert.throws(() => checkPluginConfig(plugin, testConfig(id, { symbols: ['btc-krw'] })), GatewayError);
    });

    it('survives hostile frames, counting each as an error or ignoring it, and still maps valid frames after', async () => {
      const plugin = await loadPlugin(id);
      const fixtures = fixtureNames(id);
      const first = fixtures[0];
      assert.ok(first, `plugin ${id} has at least one fixture in test/fixtures/${id}/`);
      const lines = readFixture(new URL(`${id}/${first}.jsonl`, FIXTURES));
      const hostile: FixtureLine[] = HOSTILE_FRAMES.map((frame) => ({ rtms: 1_700_000_000_000, frame }));
      const clean = replay(plugin, lines);
      const dirty = replay(plugin, [...lines.filter((l) => 'config' in l || 'connection' in l), ...hostile, ...lines.filter((l) => !('config' in l || 'connection' in l))]);
      assert.deepEqual(dirty.records, clean.records, 'hostile frames must not change what valid frames produce');
      for (const code of dirty.errors) assert.match(code, /^(BAD_FRAME|EXCHANGE_ERROR)$/);
    });

    for (const name of fixtureNames(id)) {
      it(`replays fixture ${name} to the expected records`, async () => {
        const plugin = await loadPlugin(id);
        const result = replay(plugin, readFixture(new URL(`${id}/${name}.jsonl`, FIXTURES)));
        for (const r of result.records) checkRecordShape(r, id);
        const expectedFile = new URL(`${id}/${name}.json`, EXPECTED);
        // UPDATE_EXPECTED=<plugin id> rewrites that plugin's expected files (review them by hand afterwards).
        if (process.env.UPDATE_EXPECTED === id) {
          mkdirSync(new URL(`${id}/`, EXPECTED), { recursive: true });
          writeFileSync(expectedFile, JSON.stringify(result, null, 1) + '\n');
        }
        assert.ok(existsSync(expectedFile), `missing ${expectedFile.pathname}`);
        const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
        assert.deepEqual(JSON.parse(JSON.stringify(result)), expected);
      });
    }
  });
}

function fixtureNames(id: string): string[] {
  const dir = new URL(`${id}/`, FIXTURES);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length))
    .sort();
}
