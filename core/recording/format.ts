// The one file format of fixtures, recordings and replays (SPEC §9): JSON lines, gzip-compressed for recordings.
//
// First line (header):  {"exchange":"binance","config":{<PluginConfig>},"recording":{"version":1,"session":"..","part":1,"started":ms}}
//                       (fixtures: {"config":{<some PluginConfig fields>}}, the exchange given by their folder)
// Then, in the order the worker saw them:
//   {"rtms":ms,"conn":3,"open":{"plan":"main","url":"wss://..","ep":ms}}   a connection opened (a fresh mapper)
//   {"rtms":ms,"conn":3,"begin":{"ep":ms}}                                 it became its feed's producing connection
//   {"rtms":ms,"conn":3,"frame":"<text exactly as received>"}
//   {"rtms":ms,"conn":3,"response":{"tag":"..","status":200,"body":".."}}   the answer to a REST request it asked for
//   {"rtms":ms,"conn":3,"close":{"code":1006,"reason":""}}
//   {"rtms":ms,"config":{<PluginConfig>}}                                   subscriptions changed live
//   {"rtms":ms,"gap":{"dropped":120}}                                       the recorder dropped lines here (disk too slow)
// `open`/`begin` lines carried over into a new part at rotation have `"carried":true`. Fixture lines may omit `conn`
// (one implicit connection) and may name its plan with a `{"connection":"<plan>"}` line.

import type { PluginConfig } from '../plugin.ts';

export const FORMAT_VERSION = 1;

export interface RecordingInfo {
  version: number;
  /** one worker's recording: its parts form one continuous stream */
  session: string;
  /** 1, 2, ... in the order of rotation */
  part: number;
  /** when this part was opened (ms) */
  started: number;
}

export interface Header {
  exchange?: string;
  config: Partial<PluginConfig>;
  recording?: RecordingInfo;
}

export type Line =
  | { rtms: number; conn?: number; frame: string }
  | { rtms: number; conn?: number; response: { tag: string; status: number; body: string } }
  | { rtms: number; conn: number; open: { plan: string; url: string; ep: number }; carried?: true }
  | { rtms: number; conn: number; begin: { ep: number }; carried?: true }
  | { rtms: number; conn: number; close: { code: number; reason: string } }
  | { rtms: number; config: PluginConfig }
  | { rtms: number; gap: { dropped: number } }
  | { config: Partial<PluginConfig>; exchange?: string; recording?: RecordingInfo }
  | { connection: string };

/** What the worker's recorder is told (workers/recorder.ts). Every call MUST be cheap and MUST NOT throw. */
export interface RecordTap {
  open(conn: number, plan: string, url: string, ep: number): void;
  begin(conn: number, ep: number): void;
  frame(conn: number, rtms: number, text: string): void;
  response(conn: number, rtms: number, tag: string, status: number, body: string): void;
  closed(conn: number, code: number, reason: string): void;
}

/** The configuration a fixture runs with: its `config` line over these defaults (as test/plugins/replay.ts). */
export function fixtureConfig(id: string, overrides: Partial<PluginConfig> = {}): PluginConfig {
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

/** the first line of a file */
export interface HeaderLine {
  config: Partial<PluginConfig>;
  exchange?: string;
  recording?: RecordingInfo;
}

export function isHeader(l: Line): l is HeaderLine {
  return 'config' in l && !('rtms' in l);
}

/** `{"rtms":..,"conn":..,"frame":..}` without building an object per frame (the recorder's hot path) */
export function frameLine(conn: number, rtms: number, text: string): string {
  return `{"rtms":${rtms},"conn":${conn},"frame":${JSON.stringify(text)}}\n`;
}

/** lines time-stamped by the recorder */
export function timeOf(l: Line): number | undefined {
  return 'rtms' in l ? l.rtms : undefined;
}
