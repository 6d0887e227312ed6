// `npm run fixture -- --from <recording> --exchange <id> --lines <from>-<to> [--conn <n>] (--name <case> | --out <file>)`
// cuts one connection's lines out of a recording into a plugin fixture, ready for the contract suite; with --name it
// writes plugins/<id>/fixtures/<case>.jsonl and the expected records plugins/<id>/expected/<case>.json, to be
// reviewed by hand before committing.

import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GatewayError } from '../sdk/errors.ts';
import { loadPlugin } from '../plugins/registry.ts';
import type { Line } from '../sdk/fixture/format.ts';
import { isHeader } from '../sdk/fixture/format.ts';
import { readLines } from '../sdk/fixture/read.ts';
import type { PluginConfig } from '../sdk/plugin.ts';
import { expectedFile, fixtureFile, readFixture, replay } from '../sdk/testing/replay.ts';

const USAGE = 'usage: npm run fixture -- --from <recording file> --exchange <id> --lines <from>-<to> [--conn <n>] (--name <case> | --out <file>)';

function fail(message: string): never {
  throw new GatewayError('REPLAY_ARGS', `${message}\n${USAGE}`);
}

/** `10-200`, `10-`, `-200` or `10`: 1-based, inclusive, line 1 being the header */
export function parseRange(v: string): { from: number; to: number } {
  const m = /^(\d*)(-?)(\d*)$/.exec(v);
  if (!m || (m[1] === '' && m[3] === '')) fail(`--lines: expected <from>-<to>, got "${v}"`);
  const from = m[1] ? Number(m[1]) : 1;
  const to = m[3] ? Number(m[3]) : m[2] ? Infinity : from;
  if (from < 1 || to < from) fail(`--lines: empty range "${v}"`);
  return { from, to };
}

export interface CutResult {
  lines: string[];
  conn: number | undefined;
  plan: string | undefined;
  /** lines of other connections left out */
  skipped: number;
}

/** The fixture's lines: the configuration in force at the range's start, the connection's plan, its frames and answers. */
export async function cut(path: string, exchange: string, range: { from: number; to: number }, onlyConn?: number): Promise<CutResult> {
  let config: Partial<PluginConfig> = {};
  const plans = new Map<number, string>();
  let conn = onlyConn;
  let plan: string | undefined;
  let skipped = 0;
  const body: string[] = [];
  let n = 0;
  for await (const l of readLines(path)) {
    n++;
    if (n > range.to) break;
    if (isHeader(l)) {
      if (l.exchange && l.exchange !== exchange) fail(`${path} records ${l.exchange}, not ${exchange}`);
      if (n <= range.from) config = l.config;
      continue;
    }
    if ('config' in l && 'rtms' in l) {
      if (n <= range.from) config = l.config;
      continue;
    }
    if ('connection' in l) plans.set(-1, l.connection);
    if ('open' in l) plans.set(l.conn, l.open.plan);
    if (n < range.from || !('frame' in l || 'response' in l)) continue;
    const c = (l as Extract<Line, { frame: string }>).conn ?? -1;
    conn ??= c;
    if (c !== conn) {
      skipped++;
      continue;
    }
    plan ??= plans.get(c);
    body.push(JSON.stringify('frame' in l ? { rtms: l.rtms, frame: l.frame } : { rtms: l.rtms, response: l.response }));
  }
  const { id: _id, ...rest } = config as PluginConfig;
  const head = [JSON.stringify({ config: rest }), ...(plan ? [JSON.stringify({ connection: plan })] : [])];
  return { lines: [...head, ...body], conn, plan, skipped };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      exchange: { type: 'string' },
      lines: { type: 'string' },
      conn: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (!values.from || !values.exchange || !values.lines) fail('--from, --exchange and --lines are required');
  if (!values.name === !values.out) fail('give either --name <case> or --out <file>');
  if (values.name && !/^[a-z0-9][a-z0-9-]*$/.test(values.name)) fail('--name: lower-case letters, digits and dashes');
  if (!statSync(values.from).isFile()) fail('--from: one recording file (a part), not a directory');
  const plugin = await loadPlugin(values.exchange);
  const result = await cut(values.from, values.exchange, parseRange(values.lines), values.conn === undefined ? undefined : Number(values.conn));
  const frames = result.lines.length - (result.plan ? 2 : 1);
  if (frames === 0) fail('no frame or answer in that range');
  const out = values.out ?? fileURLToPath(fixtureFile(values.exchange, values.name!));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${result.lines.join('\n')}\n`);
  let note = '';
  if (values.name) {
    const expected = fileURLToPath(expectedFile(values.exchange, values.name));
    const r = replay(plugin, readFixture(pathToFileURL(out)));
    mkdirSync(dirname(expected), { recursive: true });
    writeFileSync(expected, JSON.stringify(r, null, 1) + '\n');
    note = `, expected ${r.records.length} records in ${expected} (review every value by hand)`;
  }
  process.stderr.write(
    `fixture: ${frames} lines of connection ${result.conn}${result.plan ? ` (${result.plan})` : ''} → ${out}${note}` +
      `${result.skipped ? `; ${result.skipped} lines of other connections left out (--conn <n> picks one)` : ''}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: Error & { code?: string }) => {
    process.stderr.write(`fixture: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
    process.exit(1);
  });
}
