// `npm run replay -- --from <file|dir> [--exchange <id>] [--speed <N>|max] [--start <ms>] [--end <ms>] [--out <file>|-]`
// With --out: the batch converter (records as JSON lines, then exit). Without: a gateway serving the replay.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, parseConfig } from '../kernel/config.ts';
import { GatewayError } from '../sdk/errors.ts';
import { createLogger } from '../kernel/log.ts';
import { listPluginIds } from '../plugins/registry.ts';
import { findChains } from '../sdk/fixture/read.ts';
import { convertAll } from './convert-all.ts';
import { ConvertDerived } from './derive.ts';
import { replayConfig, serveReplay } from './serve.ts';

const USAGE = `usage: npm run replay -- --from <file|dir> [--exchange <id>] [--speed <N>|max] [--start <ms|ISO>] [--end <ms|ISO>]
                        [--out <file>|-] [--threads <N>] [--config <file>]    (batch converter; --config: its derived records too)
                        [--host <addr>] [--port <N>] [--config <file>] [--wait-client]   (served replay)`;

function fail(message: string): never {
  throw new GatewayError('REPLAY_ARGS', `${message}\n${USAGE}`);
}

/** a time: ms since epoch, or an ISO date */
function time(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) fail(`--${name}: expected ms since epoch or an ISO date, got "${v}"`);
  return n;
}

function speedOf(v: string | undefined, converting: boolean): number {
  if (v === undefined) return converting ? Infinity : 1;
  if (v === 'max') return Infinity;
  const n = Number(v);
  if (!(n > 0)) fail(`--speed: expected a positive number or max, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  // `--out - | head`: a closed pipe ends the conversion quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      exchange: { type: 'string' },
      speed: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      config: { type: 'string' },
      'wait-client': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  if (!values.from) fail('--from is required');
  const start = time('start', values.start);
  const end = time('end', values.end);
  if (start !== undefined && end !== undefined && end < start) fail('--end is before --start');
  const converting = values.out !== undefined;
  const speed = speedOf(values.speed, converting);
  const known = listPluginIds();
  if (values.exchange && !known.includes(values.exchange)) fail(`--exchange: no plugin "${values.exchange}" (plugins: ${known.join(', ')})`);
  const chains = await findChains(values.from, { exchange: values.exchange, start, end, known });
  if (chains.length === 0) throw new GatewayError('REPLAY_INPUT', `--from ${values.from}: no recording${values.exchange ? ` of ${values.exchange}` : ''} in range`);
  const log = createLogger('info', 'replay');

  if (converting) {
    if (Number.isFinite(speed)) log.warn('--speed is ignored with --out: the converter runs as fast as it can');
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) fail('--threads: expected a positive integer');
    // with --config: the derived records its `derived:` section configures, computed from the converted stream
    const derived = values.config ? ConvertDerived.from(existsSync(values.config) ? loadConfig(values.config) : fail(`--config ${values.config}: no such file`)) : undefined;
    const r = await convertAll(chains, { start, end }, values.out!, threads, derived);
    const s = r.elapsedMs / 1000;
    const byCode = new Map<string, number>();
    for (const c of r.chains) for (const [k, v] of Object.entries(c.errors)) byCode.set(`${c.exchange} ${k}`, (byCode.get(`${c.exchange} ${k}`) ?? 0) + v);
    const errors = [...byCode].map(([k, v]) => `${k} ${v}`);
    const gaps = r.chains.reduce((n, c) => n + c.gaps, 0);
    log.info(
      `${r.frames} frames → ${r.records} records from ${r.chains.reduce((n, c) => n + c.files, 0)} files (${r.chains.length} streams, ${r.threads} threads) ` +
        `in ${s.toFixed(2)} s: ${Math.round(r.frames / Math.max(s, 1e-6))} frames/s${errors.length ? `; errors: ${errors.join(', ')}` : ''}${gaps ? `; ${gaps} gaps in the recording` : ''}`,
    );
    return;
  }

  const base = values.config ? (existsSync(values.config) ? loadConfig(values.config) : fail(`--config ${values.config}: no such file`)) : parseConfig({ exchanges: {} });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) fail('--port: expected 0..65535');
  const config = replayConfig(chains, base, { host: values.host, port });
  const { kernel, source } = await serveReplay(chains, config, { speed, start, end, waitClient: values['wait-client'], log });
  log.info(`replaying ${chains.map((c) => c.exchange).join(', ')} at ${Number.isFinite(speed) ? `${speed}×` : 'max speed'} on ws://${config.server.host}:${kernel.port}/ws/exchange`);
  const stop = () => void kernel.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await source.done;
}

main().catch((err: Error & { code?: string }) => {
  process.stderr.write(`replay: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
  process.exit(1);
});
