// The recorder's own thread (one per recording exchange worker): formats the lines the worker posts, compresses and
// writes them (worker/recorder/recorder.ts), so the worker's share of recording is a postMessage of the frames' text.

import { parentPort, workerData } from 'node:worker_threads';
import type { PluginConfig } from '../../sdk/plugin.ts';
import type { RecordOptions } from '../../boundary/worker-protocol.ts';
import { Recorder } from './recorder.ts';

/** Items other than frames, in `others`. */
export type RecordItem =
  | [1, number, number, string, number, string] // response: conn, rtms, tag, status, body
  | [2, number, string, string, number, number] // open: conn, plan, url, ep, at
  | [3, number, number, number] // begin: conn, ep, at
  | [4, number, number, string, number] // closed: conn, code, reason, at
  | [5, PluginConfig, number] // config, at
  | [6, number, number]; // gap: lines the worker dropped before these, at

/**
 * A turn's lines, in order. `meta` holds four numbers per item: a frame is [0, conn, rtms, length of its text in
 * `texts`] (the frames' texts joined: one string to copy across, not one per frame); anything else is
 * [1, index in `others`, 0, 0].
 */
export interface TurnItems {
  t: 'items';
  texts: string;
  meta: Float64Array;
  others: RecordItem[];
  bytes: number;
}

export type ToRecorder = TurnItems | { t: 'close' };
export type FromRecorder =
  | { t: 'ack'; bytes: number; stats: Recorder['stats'] }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string }
  | { t: 'closed'; stats: Recorder['stats'] };

export interface RecorderInit {
  opts: RecordOptions;
  exchange: string;
  config: PluginConfig;
  /** when the worker began recording */
  startedAt: number;
}

const port = parentPort!;
const init = workerData as RecorderInit;
const post = (m: FromRecorder) => port.postMessage(m);
const rec = new Recorder(init.opts, init.exchange, init.config, (level, msg) => post({ t: 'log', level, msg }), init.startedAt);
rec.start();

port.on('message', async (m: ToRecorder) => {
  if (m.t === 'close') {
    await rec.close();
    post({ t: 'closed', stats: { ...rec.stats } });
    return;
  }
  const { texts, meta, others } = m;
  let at = 0;
  for (let i = 0; i < meta.length; i += 4) {
    if (meta[i] === 0) {
      const len = meta[i + 3]!;
      rec.frame(meta[i + 1]!, meta[i + 2]!, texts.slice(at, at + len));
      at += len;
      continue;
    }
    const it = others[meta[i + 1]!]!;
    switch (it[0]) {
      case 1:
        rec.response(it[1], it[2], it[3], it[4], it[5]);
        break;
      case 2:
        rec.open(it[1], it[2], it[3], it[4], it[5]);
        break;
      case 3:
        rec.begin(it[1], it[2], it[3]);
        break;
      case 4:
        rec.closed(it[1], it[2], it[3], it[4]);
        break;
      case 5:
        rec.setConfig(it[1], it[2]);
        break;
      case 6:
        rec.gap(it[1], it[2]);
        break;
    }
  }
  post({ t: 'ack', bytes: m.bytes, stats: { ...rec.stats } });
});
