// Replays recorded frames through a plugin's mapper and the worker's record pipeline, for fixture tests.
//
// Fixture: test/fixtures/<exchange>/<case>.jsonl, one JSON object per line:
//   {"config": {...}}                 optional first line: PluginConfig fields for this case (symbols, depth, options)
//   {"connection": "<plan name>"}     optional: which connection plan's mapper to use (default: the first)
//   {"rtms": 1706498658830, "frame": "<the frame's text exactly as received>"}
//   {"rtms": 1706498658830, "response": {"tag": "...", "status": 200, "body": "<response text>"}}
// Expected: test/expected/<exchange>/<case>.json = {"records": [...], "requests": [...], "sent": [...], "errors": [...]}
// with ep fixed to 1. Set UPDATE_EXPECTED=<exchange id> to (re)write that exchange's expected files, then review every value by hand.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MarketRecord } from '../../sdk/model.ts';
import type { ExchangePlugin, Output, PluginConfig } from '../../sdk/plugin.ts';
import { RecordPipeline } from '../../worker/pipeline.ts';
import { errorCode } from '../../sdk/errors.ts';
import { fixtureConfig } from '../../sdk/fixture/format.ts';
import type { Line } from '../../sdk/fixture/format.ts';
import { parseLines } from '../../sdk/fixture/read.ts';

export const FIXTURES = new URL('../fixtures/', import.meta.url);
export const EXPECTED = new URL('../expected/', import.meta.url);

export interface ReplayResult {
  records: MarketRecord[];
  requests: { tag: string; url: string }[];
  sent: string[];
  errors: string[];
  /** reasons given by the mapper for a planned rollover */
  rollovers?: string[];
}

/** a fixture's configuration: its `config` line over the defaults (sdk/fixture/format.ts) */
export const testConfig: (id: string, overrides?: Partial<PluginConfig>) => PluginConfig = fixtureConfig;

/** a line of a fixture: the one line format of fixtures, recordings and replays (SPEC §9) */
export type FixtureLine = Line;

/** A fixture's lines, read by the recordings' reader; a line that is not JSON is an error in a fixture. */
export function readFixture(path: URL): FixtureLine[] {
  const bad = { count: 0 };
  const lines = parseLines(readFileSync(path, 'utf8').split('\n'), bad);
  if (bad.count) throw new Error(`${fileURLToPath(path)}: ${bad.count} line(s) are not JSON`);
  return lines;
}

/** Runs fixture lines through a fresh mapper exactly as the worker would, with ep = 1. */
export function replay(plugin: ExchangePlugin, lines: FixtureLine[]): ReplayResult {
  let config = testConfig(plugin.id);
  let planName: string | undefined;
  for (const l of lines) {
    if ('config' in l) config = testConfig(plugin.id, l.config);
    if ('connection' in l) planName = l.connection;
  }
  const plans = plugin.connections(config);
  const plan = planName ? plans.find((p) => p.name === planName) : plans[0];
  if (!plan) throw new Error(`no connection plan ${planName}`);
  const mapper = plan.createMapper();
  const pipeline = new RecordPipeline(1, config.depth);
  const result: ReplayResult = { records: [], requests: [], sent: [], errors: [] };
  let rtms = 0;
  const out: Output = {
    emit(draft) {
      const r = pipeline.accept(draft, rtms);
      if (r) result.records.push(r.record);
    },
    request(tag, url) {
      result.requests.push({ tag, url });
    },
    send(frame) {
      result.sent.push(frame);
    },
    rollover(reason) {
      (result.rollovers ??= []).push(reason);
    },
  };
  for (const l of lines) {
    try {
      if ('frame' in l) {
        rtms = l.rtms;
        mapper.onMessage(l.frame, rtms, out);
      } else if ('response' in l) {
        rtms = l.rtms;
        mapper.onResponse?.(l.response.tag, l.response, rtms, out);
      }
    } catch (err) {
      result.errors.push(errorCode(err));
    }
  }
  return result;
}
