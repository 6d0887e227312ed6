// Helpers of the record/replay tests: a recording gateway against the simulators, the replay CLI as a process.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulators } from '../../sim/index.ts';
import { startGateway } from '../support/gateway.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** the simulators and a gateway recording all three exchanges into `dir` */
export async function recordingGateway(dir: string, record: Record<string, unknown> = {}, seed = 5, upbit: Record<string, unknown> = {}) {
  const sims = await startSimulators({ seed, intervalMs: 50 });
  const gw = await startGateway({
    orderbook: { depth: 10 },
    record: { enabled: true, dir, flushMs: 200, ...record },
    exchanges: {
      binance: { url: sims.get('binance').url, restUrl: sims.get('binance').restUrl, symbols: ['BTC/USDT', 'ETH/USDT'] },
      upbit: { url: sims.get('upbit').url, restUrl: sims.get('upbit').restUrl, symbols: ['BTC/KRW', 'ETH/KRW'], ...upbit },
      bithumb: { api: 'v1', url: sims.get('bithumb').url, restUrl: sims.get('bithumb').restUrl, symbols: ['BTC/KRW'] },
    },
  });
  return {
    sims,
    gw,
    async close() {
      await gw.kernel.close();
      await sims.close();
    },
  };
}

/** the recording parts under `dir`, per exchange */
export function parts(dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const ex of readdirSync(dir)) out[ex] = readdirSync(join(dir, ex)).sort();
  return out;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runs `replay/<script>` with `args` as the npm scripts do, to the end */
export function runCli(script: 'main.ts' | 'fixture.ts', args: string[], timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `replay/${script}`, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replay/${script} ${args.join(' ')} timed out: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** starts the served replay as a process; resolves once it listens */
export function spawnReplay(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'replay/main.ts', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /on (ws:\/\/[^ \n]+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`replay exited ${code}: ${stderr}`)));
  });
  return {
    child,
    listening,
    log: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    },
  };
}
