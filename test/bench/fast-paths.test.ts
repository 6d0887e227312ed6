// The plugins' fast paths (frames read straight from their text) against their ordinary JSON.parse paths: on recorded,
// simulated and deliberately broken frames, both must produce the same drafts, requests and errors.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fastPath as binanceFast } from '../../plugins/binance/fast.ts';
import { fastPath as legacyFast } from '../../plugins/bithumb/legacy-fast.ts';
import { fastPath as upbitFast } from '../../plugins/upbit/fast.ts';
import { loadPlugin } from '../../plugins/registry.ts';
import type { ExchangePlugin, Output } from '../../sdk/plugin.ts';
import { errorCode } from '../../sdk/errors.ts';
import { fixtureFile, fixtureNames, readFixture, testConfig } from '../../sdk/testing/replay.ts';
import type { FixtureLine } from '../../sdk/testing/replay.ts';
import { frameSets } from '../../bench/lib/frames.ts';
import { mulberry32 } from '../../sim/prng.ts';

const switches = [binanceFast, upbitFast, legacyFast];

/** Everything a mapper did with a sequence of lines, in order, as text (key order and -0 included). */
function run(plugin: ExchangePlugin, lines: FixtureLine[], fast: boolean): string[] {
  for (const s of switches) s.enabled = fast;
  try {
    let config = testConfig(plugin.id);
    for (const l of lines) if ('config' in l) config = testConfig(plugin.id, l.config);
    const mapper = plugin.connections(config)[0]!.createMapper();
    const log: string[] = [];
    const out: Output = {
      emit: (d) => log.push(`emit ${JSON.stringify(d, (_k, v) => (Object.is(v, -0) ? '-0!' : v))}`),
      request: (tag, url) => log.push(`request ${tag} ${url}`),
      send: (f) => log.push(`send ${f}`),
      rollover: (r) => log.push(`rollover ${r}`),
    };
    for (const l of lines) {
      try {
        if ('frame' in l) mapper.onMessage(l.frame, l.rtms, out);
        else if ('response' in l) mapper.onResponse?.(l.response.tag, l.response, l.rtms, out);
      } catch (err) {
        log.push(`error ${errorCode(err)} ${(err as Error).message}`);
      }
    }
    return log;
  } finally {
    for (const s of switches) s.enabled = true;
  }
}

/** seeded, so every run checks the same inputs */
const rng = mulberry32;

const CHARS = ['"', '\\', ',', ':', '{', '}', '[', ']', '0', '1', '-', '.', 'e', 'E', ' ', '\t', '\n', '\u0001', 'a', 'n', 't', 'é'];
const TOKENS = [
  '"e":"trade",',
  '"t":1,',
  '"t":-1,',
  '"ty":"trade",',
  '"type":"ticker",',
  '"error":{"name":"X"},',
  '"sid":12.5,',
  '"sid":"",',
  '"x":[1,{"t":2}],',
  '"p":"1e3",',
  '"q":"-0.00",',
  '"tp":null,',
  '"tms":"1706498658830",',
  '"tickType":"1H",',
  '"code":"KRW-BTC.15",',
  '"cd":"KRW-ETH",',
  '"s":"ETHUSDT",',
  '"m":1,',
  '"obu":[],',
  '"list":[],',
  '"datetime":"0",',
  '"\u0001":1,',
  '"k\\u0041":1,',
  'null',
  '1e400',
  '-0',
  '0.10000000000000000001',
  '123456789012345678901234567890123',
];
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/g;
const NUMBER_SWAPS = ['-1', '0', '-0', '1.5', '1e3', '01', '123456789012345678', '0.0000001', '9007199254740993', '1E+2', '"7"'];

/** broken and unusual variants of a frame: the kinds of damage and oddities the fast path must hand over */
function mutants(frame: string, n: number, seed: number): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const at = () => Math.floor(r() * (frame.length + 1));
  const boundaries = [...frame.matchAll(/[{,[]/g)].map((m) => m.index! + 1);
  const numbers = [...frame.matchAll(NUMBER)];
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = at();
    switch (k % 8) {
      case 0:
        out.push(frame.slice(0, i) + frame.slice(i + 1));
        break;
      case 1:
        out.push(frame.slice(0, i) + pick(CHARS) + frame.slice(i));
        break;
      case 2:
        out.push(frame.slice(0, i) + pick(CHARS) + frame.slice(i + 1));
        break;
      case 3:
        out.push(frame.slice(0, i));
        break;
      case 4: {
        const b = boundaries.length ? pick(boundaries) : i;
        out.push(frame.slice(0, b) + pick(TOKENS) + frame.slice(b));
        break;
      }
      case 5: {
        const b = boundaries.length ? pick(boundaries) : i;
        const t = pick(TOKENS);
        out.push(frame.slice(0, b) + (t.endsWith(',') ? t.slice(0, -1) : t) + frame.slice(b));
        break;
      }
      default: {
        if (!numbers.length) break;
        const m = pick(numbers);
        out.push(frame.slice(0, m.index!) + pick(NUMBER_SWAPS) + frame.slice(m.index! + m[0].length));
      }
    }
  }
  return out;
}

function assertSame(plugin: ExchangePlugin, lines: FixtureLine[], what: string): void {
  assert.deepEqual(run(plugin, lines, true), run(plugin, lines, false), what);
}

/** each frame line of `lines` replaced by mutants of itself, one at a time */
function assertMutantsSame(plugin: ExchangePlugin, lines: FixtureLine[], perFrame: number, seed: number, what: string): number {
  let checked = 0;
  lines.forEach((l, i) => {
    if (!('frame' in l)) return;
    for (const m of mutants(l.frame, perFrame, seed + i)) {
      const changed = lines.map((x, j) => (j === i ? { rtms: l.rtms, frame: m } : x));
      assertSame(plugin, changed, `${what}, line ${i + 1} as ${JSON.stringify(m).slice(0, 300)}`);
      checked++;
    }
  });
  return checked;
}

describe('plugin fast paths', () => {
  for (const dir of ['binance', 'upbit', 'bithumb']) {
    it(`read ${dir}'s recorded frames, and every broken variant of them, exactly as JSON.parse does`, async () => {
      const plugin = await loadPlugin(dir);
      let checked = 0;
      for (const file of fixtureNames(dir)) {
        const lines = readFixture(fixtureFile(dir, file));
        assertSame(plugin, lines, file);
        checked += assertMutantsSame(plugin, lines, 60, checked, file);
      }
      assert.ok(checked > 300, `checked ${checked} variants`);
    });
  }

  it("read the simulators' frames of every kind, and broken variants of them, exactly as JSON.parse does", async () => {
    let checked = 0;
    for (const set of frameSets(40)) {
      const plugin = await loadPlugin(set.plugin);
      const config = { symbols: set.symbols, options: set.options, depth: 15 };
      const answers: FixtureLine[] = [];
      const lines: FixtureLine[] = [{ config }, ...set.frames.map((frame, i) => ({ rtms: 1_736_910_000_000 + i, frame }))];
      // books: answer the snapshot request the first frame makes, as the worker would
      if (set.responses) {
        const requests: string[] = [];
        const mapper = plugin.connections(testConfig(set.plugin, config))[0]!.createMapper();
        mapper.onMessage(set.frames[0]!, 0, { emit() {}, request: (tag, url) => requests.push(`${tag} ${url}`), send() {}, rollover() {} });
        for (const r of requests) {
          const [tag, url] = r.split(' ') as [string, string];
          const body = [...set.responses].find(([k]) => url.includes(k))![1];
          answers.push({ rtms: 1_736_910_000_000, response: { tag, status: 200, body } });
        }
        lines.splice(2, 0, ...answers);
      }
      assertSame(plugin, lines, set.kind);
      if (set.defaultFrames) assertSame(plugin, [{ config }, ...set.defaultFrames.map((frame) => ({ rtms: 1, frame }))], `${set.kind} DEFAULT`);
      const few = lines.slice(0, 2 + answers.length + 3);
      checked += assertMutantsSame(plugin, few, 40, checked, set.kind);
    }
    assert.ok(checked > 1000, `checked ${checked} variants`);
  });
});
