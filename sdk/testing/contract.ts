// The contract suite for one exchange plugin: `runPluginContract({ id })` registers node:test tests that load the
// plugin by folder, check its shape and plans, replay every fixture in plugins/<id>/fixtures/ to its expected records,
// and hold it to the purity rules (hostile frames change nothing, mappers share no state, records are well formed).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPluginConfig, loadPlugin } from '../../plugins/registry.ts';
import { GatewayError } from '../errors.ts';
import type { ExchangePlugin } from '../plugin.ts';
import { checkRecordShape } from './record-shape.ts';
import { checkPluginImports } from './imports.ts';
import { expectedDir, expectedFile, fixtureFile, fixtureNames, readFixture, replay, replayInterleaved, testConfig } from './replay.ts';
import type { FixtureLine } from './replay.ts';

/** frames no plugin may choke on: each is ignored or counted as BAD_FRAME / EXCHANGE_ERROR */
export const HOSTILE_FRAMES: readonly string[] = [
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

export interface ContractOptions {
  /** the plugin's folder name under plugins/ */
  id: string;
}

const isSetup = (l: FixtureLine) => 'config' in l || 'connection' in l;

/** Registers the contract tests of plugin `id` in a `describe('plugin <id>')` block. */
export function runPluginContract({ id }: ContractOptions): void {
  const names = fixtureNames(id);
  let loaded: Promise<ExchangePlugin> | undefined;
  const plugin = () => (loaded ??= loadPlugin(id));

  describe(`plugin ${id}`, () => {
    it('exports a plugin that passes the contract checks', async () => {
      const p = await plugin();
      assert.equal(p.id, id);
      checkPluginConfig(p, testConfig(id, { channels: [...p.channels] }));
    });

    it('plans connections with WebSocket URLs and subscription frames for its configured channels', async () => {
      const p = await plugin();
      const plans = p.connections(testConfig(id, { channels: [...p.channels] }));
      assert.ok(plans.length >= 1);
      for (const plan of plans) {
        assert.match(plan.url, /^wss?:\/\//);
        assert.ok(plan.subscribe.length >= 1 || plan.url.includes('?'), `connection ${plan.name} subscribes to something`);
        assert.equal(typeof plan.createMapper().onMessage, 'function');
      }
    });

    it('rejects a symbol that is not BASE/QUOTE', async () => {
      const p = await plugin();
      assert.throws(() => checkPluginConfig(p, testConfig(id, { symbols: ['btc-krw'] })), GatewayError);
    });

    it('has at least one fixture with its expected records', () => {
      assert.ok(names.length > 0, `plugin ${id} has no fixture in ${fileURLToPath(fixtureFile(id, '<case>'))}`);
    });

    it('survives hostile frames, counting each as an error or ignoring it, and still maps valid frames after', async () => {
      const p = await plugin();
      const first = names[0];
      assert.ok(first, `plugin ${id} has at least one fixture`);
      const lines = readFixture(fixtureFile(id, first));
      const hostile: FixtureLine[] = HOSTILE_FRAMES.map((frame) => ({ rtms: 1_700_000_000_000, frame }));
      const clean = replay(p, lines);
      const dirty = replay(p, [...lines.filter(isSetup), ...hostile, ...lines.filter((l) => !isSetup(l))]);
      assert.deepEqual(dirty.records, clean.records, 'hostile frames must not change what valid frames produce');
      for (const code of dirty.errors) assert.match(code, /^(BAD_FRAME|EXCHANGE_ERROR)$/);
    });

    it('keeps each mapper\'s state to itself: two mappers fed frame by frame in turn give what one gives alone', async () => {
      const p = await plugin();
      for (const name of names) {
        const lines = readFixture(fixtureFile(id, name));
        const [a, b] = replayInterleaved(p, lines);
        const alone = JSON.parse(JSON.stringify(replay(p, lines)));
        assert.deepEqual(JSON.parse(JSON.stringify(a)), alone, `${name}: first mapper`);
        assert.deepEqual(JSON.parse(JSON.stringify(b)), alone, `${name}: second mapper`);
      }
    });

    it('imports only sdk/index.ts, its own files and shared format folders (plugins/_*/)', () => {
      assert.deepEqual(checkPluginImports(id), []);
    });

    for (const name of names) {
      it(`replays fixture ${name} to the expected records`, async () => {
        const p = await plugin();
        const result = replay(p, readFixture(fixtureFile(id, name)));
        for (const r of result.records) checkRecordShape(r, id);
        const file = expectedFile(id, name);
        // UPDATE_EXPECTED=<plugin id> rewrites that plugin's expected files (review them by hand afterwards).
        if (process.env.UPDATE_EXPECTED === id) {
          mkdirSync(expectedDir(id), { recursive: true });
          writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
        }
        assert.ok(existsSync(file), `missing ${fileURLToPath(file)}`);
        const expected = JSON.parse(readFileSync(file, 'utf8'));
        assert.deepEqual(JSON.parse(JSON.stringify(result)), expected);
      });
    }
  });
}
