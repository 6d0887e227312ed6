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
import type { MarketRecord } from '../../core/model.ts';
import type { ExchangePlugin, Output, PluginConfig } from '../../core/plugin.ts';
import { RecordPipeline } from '../../core/pipeline.ts';
import { errorCode } from '../../core/errors.ts';

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

export function testConfig(id: string, overrides: Partial<PluginConfig> = {}): PluginConfig {
  return {
    id,
    url: 'ws://127.0.0.1:9',
    restUrl: 'http://127.0.0.1:9',
    symbols: ['BTC/KRW'],
    channels: ['ticker', 'trade', 'orderbook'],
    depth: 15,
    options: {},
    ...overrides,
  };
}

export type FixtureLine =
  | { config: Partial<PluginConfig> }
  | { connection: string }
  | { rtms: number; frame: string }
  | { rtms: number; response: { tag: string; status: number; body: string } };

export function readFixture(path: URL): FixtureLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FixtureLine);
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
