// Replays recorded frames through a plugin's mapper and the worker's record pipeline, for fixture tests.
//
// Fixture: plugins/<exchange>/fixtures/<case>.jsonl, one JSON object per line:
//   {"config": {...}}                 optional first line: PluginConfig fields for this case (symbols, depth, options)
//   {"connection": "<plan name>"}     optional: which connection plan's mapper to use (default: the first)
//   {"rtms": 1706498658830, "frame": "<the frame's text exactly as received>"}
//   {"rtms": 1706498658830, "response": {"tag": "...", "status": 200, "body": "<response text>"}}
// Expected: plugins/<exchange>/expected/<case>.json = {"records": [...], "requests": [...], "sent": [...], "errors": [...]}
// with ep fixed to 1. Set UPDATE_EXPECTED=<exchange id> to (re)write that exchange's expected files, then review every value by hand.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MarketRecord } from '../model.ts';
import type { ExchangePlugin, Output, PluginConfig } from '../plugin.ts';
import { RecordPipeline } from '../../worker/pipeline.ts';
import { errorCode } from '../errors.ts';
import { fixtureConfig } from '../fixture/format.ts';
import type { Line } from '../fixture/format.ts';
import { parseLines } from '../fixture/read.ts';

/** the plugins folder, where each plugin keeps `<id>/fixtures/<case>.jsonl` and `<id>/expected/<case>.json` */
export const PLUGINS = new URL('../../plugins/', import.meta.url);

/** plugins/<id>/fixtures/ */
export const fixturesDir = (id: string): URL => new URL(`${id}/fixtures/`, PLUGINS);
/** plugins/<id>/expected/ */
export const expectedDir = (id: string): URL => new URL(`${id}/expected/`, PLUGINS);
/** plugins/<id>/fixtures/<name>.jsonl */
export const fixtureFile = (id: string, name: string): URL => new URL(`${name}.jsonl`, fixturesDir(id));
/** plugins/<id>/expected/<name>.json */
export const expectedFile = (id: string, name: string): URL => new URL(`${name}.json`, expectedDir(id));

/** the names of a plugin's fixtures (file names without `.jsonl`), sorted; none when it has no fixtures folder */
export function fixtureNames(id: string): string[] {
  const dir = fixturesDir(id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length))
    .sort();
}

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

/** One fresh mapper and record pipeline (ep = 1) that fixture lines are fed to one at a time. */
export interface ReplaySession {
  feed(line: FixtureLine): void;
  readonly result: ReplayResult;
}

/** A session for these fixture lines: their `config` and `connection` lines choose the configuration and the plan. */
export function replaySession(plugin: ExchangePlugin, lines: readonly FixtureLine[]): ReplaySession {
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
  const feed = (l: FixtureLine): void => {
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
  };
  return { feed, result };
}

/** Runs fixture lines through a fresh mapper exactly as the worker would, with ep = 1. */
export function replay(plugin: ExchangePlugin, lines: readonly FixtureLine[]): ReplayResult {
  const session = replaySession(plugin, lines);
  for (const l of lines) session.feed(l);
  return session.result;
}

/** The same lines through two mappers at once, each line to the first then the second: state shared between them shows. */
export function replayInterleaved(plugin: ExchangePlugin, lines: readonly FixtureLine[]): [ReplayResult, ReplayResult] {
  const a = replaySession(plugin, lines);
  const b = replaySession(plugin, lines);
  for (const l of lines) {
    a.feed(l);
    b.feed(l);
  }
  return [a.result, b.result];
}
