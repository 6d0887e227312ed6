// Runs the gateway as a real process (`kernel/main.ts` with a generated config file), as operators and clusters do.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { waitFor } from './client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  configFile: string;
  port: number;
  http: string;
  ws: string;
  /** everything the process wrote to stderr so far */
  log(): string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
  alive(): boolean;
  /** SIGTERM and wait (SIGKILL after the deadline); idempotent */
  stop(deadlineMs?: number): Promise<void>;
  kill9(): Promise<void>;
}

/** Starts `kernel/main.ts` with `config` written to a temp YAML file; resolves once it serves HTTP. */
export async function spawnGateway(config: Record<string, unknown>, timeoutMs = 30_000): Promise<GatewayProcess> {
  const configFile = join(mkdtempSync(join(tmpdir(), 'gw-proc-')), 'config.yaml');
  writeFileSync(configFile, stringify({ server: { host: '127.0.0.1', port: 0 }, log: { level: process.env.GATEWAY_TEST_LOG ?? 'info' }, ...config }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'kernel/main.ts', '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = Number(
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${stderr}`);
      return /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
    }, timeoutMs, 'the gateway to listen'),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    configFile,
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/ws/exchange`,
    log: () => stderr,
    exited,
    alive,
    async stop(deadlineMs = 8000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}
