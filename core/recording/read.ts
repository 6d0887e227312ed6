// Reads recordings and fixtures: lines of a file (plain or gzip, also cut short by a crash or a full disk), and the
// files of a directory grouped into chains (the parts of one recording session, in order).

import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { constants, createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { GatewayError } from '../errors.ts';
import type { Header, Line } from './format.ts';
import { isHeader } from './format.ts';

/** how much earlier than its start a part's first lines may be */
const PART_SLACK_MS = 60_000;

/** a file name the replay reads */
export const isRecordingFile = (name: string) => name.endsWith('.jsonl') || name.endsWith('.jsonl.gz');

function open(path: string): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!path.endsWith('.gz')) return raw;
  // Z_SYNC_FLUSH: a part still being written, or cut short, yields everything up to its last flush instead of an error
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: 1 << 20 });
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/**
 * The file's lines, parsed, in batches (one per chunk read: the caller's loop over a batch is synchronous, which
 * keeps a converter busy instead of waiting once per line). A line that is not JSON (a torn last line) is counted
 * in `bad` and skipped; a gzip stream torn in the middle of a block ends the file there.
 */
export async function* readBatches(path: string, bad?: { count: number }): AsyncGenerator<Line[]> {
  const input = open(path);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const parse = (texts: string[]): Line[] => {
    const out: Line[] = [];
    for (const text of texts) {
      if (text.trim() === '') continue;
      try {
        out.push(JSON.parse(text) as Line);
      } catch {
        if (bad) bad.count++;
      }
    }
    return out;
  };
  try {
    for await (const chunk of input) {
      const text = rest + decoder.write(chunk as Buffer);
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        rest = text;
        continue;
      }
      rest = text.slice(cut + 1);
      const lines = parse(text.slice(0, cut).split('\n'));
      if (lines.length) yield lines;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    if (bad) bad.count++;
  } finally {
    input.destroy();
  }
  const last = parse([rest + decoder.end()]);
  if (last.length) yield last;
}

/** The file's lines one by one (see readBatches). */
export async function* readLines(path: string, bad?: { count: number }): AsyncGenerator<Line> {
  for await (const batch of readBatches(path, bad)) yield* batch;
}

export async function readHeader(path: string): Promise<Header | undefined> {
  for await (const l of readLines(path)) return isHeader(l) ? (l as Header) : undefined;
  return undefined;
}

/** One continuous stream of one exchange: one file, or the parts of one recording session in order. */
export interface Chain {
  exchange: string;
  /** parts in order; `end` = the next part's start (the last: Infinity) */
  files: { path: string; header: Header | undefined; start: number; end: number }[];
}

function walk(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    const p = join(path, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (isRecordingFile(name)) out.push(p);
  }
}

export interface ChainOptions {
  /** only this exchange; also the exchange of files whose header names none */
  exchange?: string;
  start?: number;
  end?: number;
  /** plugin ids: a file without an exchange in its header, in a folder of that name, is of that exchange */
  known?: string[];
}

/** The chains under `from` (a file or a directory), ordered by exchange, then start, then path. */
export async function findChains(from: string, opts: ChainOptions = {}): Promise<Chain[]> {
  const paths: string[] = [];
  try {
    walk(resolve(from), paths);
  } catch (cause) {
    throw new GatewayError('REPLAY_INPUT', `--from ${from}: ${(cause as Error).message}`, { cause });
  }
  const sessions = new Map<string, Chain>();
  const chains: Chain[] = [];
  for (const path of paths) {
    const header = await readHeader(path);
    const folder = basename(dirname(path));
    const exchange = header?.exchange ?? opts.exchange ?? (opts.known?.includes(folder) ? folder : undefined);
    if (!exchange) {
      throw new GatewayError('REPLAY_INPUT', `${path}: its first line names no exchange: pass --exchange <id>`);
    }
    if (opts.exchange && exchange !== opts.exchange) continue;
    const started = header?.recording?.started ?? -Infinity;
    const file = { path, header, start: started, end: Infinity };
    const session = header?.recording?.session;
    if (session) {
      const key = `${exchange} ${session}`;
      let chain = sessions.get(key);
      if (!chain) {
        sessions.set(key, (chain = { exchange, files: [] }));
        chains.push(chain);
      }
      chain.files.push(file);
    } else chains.push({ exchange, files: [file] });
  }
  for (const c of chains) {
    c.files.sort((a, b) => (a.header?.recording?.part ?? 0) - (b.header?.recording?.part ?? 0));
    for (let i = 0; i + 1 < c.files.length; i++) c.files[i]!.end = c.files[i + 1]!.start;
    // parts wholly outside the range are not read (each part re-declares its open connections); a part may begin
    // with lines the worker saw a little before the part opened, hence the slack
    c.files = c.files.filter((f) => (opts.start === undefined || f.end >= opts.start) && (opts.end === undefined || f.start - PART_SLACK_MS <= opts.end));
  }
  return chains
    .filter((c) => c.files.length > 0)
    .sort((a, b) => (a.exchange < b.exchange ? -1 : a.exchange > b.exchange ? 1 : a.files[0]!.start - b.files[0]!.start || (a.files[0]!.path < b.files[0]!.path ? -1 : 1)));
}
