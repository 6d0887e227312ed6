// The gateway as operators run it: a real process, a config file, SIGHUP to reload, SIGTERM to stop.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulators } from '../../sim/index.ts';
import { waitFor } from '../support/client.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the gateway process', () => {
  let sims: Awaited<ReturnType<typeof startSimulators>>;
  let child: ChildProcess;
  let stderr = '';
  let base = '';
  const file = join(mkdtempSync(join(tmpdir(), 'gw-cli-')), 'config.yaml');
  const yaml = (exchanges: string) => `server: { host: 127.0.0.1, port: 0 }\nlog: { level: info }\nexchanges:\n${exchanges}`;

  before(async () => {
    sims = await startSimulators({ seed: 2, intervalMs: 50 });
    writeFileSync(file, yaml(`  upbit: { url: "${sims.upbit.url}", symbols: [BTC/KRW] }\n`));
    child = spawn(process.execPath, ['--import', 'tsx', 'core/main.ts', '--config', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const port = await waitFor(() => /serving on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1], 20_000, 'the gateway to listen');
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await sims?.close();
  });

  it('reloads the config file on SIGHUP, starting a newly listed exchange', async () => {
    writeFileSync(file, yaml(`  upbit: { url: "${sims.upbit.url}", symbols: [BTC/KRW, ETH/KRW] }\n  bithumb: { url: "${sims.bithumb.url}", symbols: [BTC/KRW] }\n`));
    child.kill('SIGHUP');
    const subs = await waitFor(async () => {
      const s = (await (await fetch(`${base}/api/subscriptions`)).json()) as { exchanges: Record<string, { symbols: string[] }> };
      return s.exchanges.bithumb && s.exchanges.upbit!.symbols.length === 2 ? s : undefined;
    }, 15_000, 'reloaded subscriptions');
    assert.deepEqual(subs!.exchanges.upbit!.symbols, ['BTC/KRW', 'ETH/KRW']);
    await waitFor(async () => {
      const snap = (await (await fetch(`${base}/api/snapshot?exchange=bithumb`)).json()) as unknown[];
      return snap.length > 0;
    }, 15_000, 'bithumb records');
  });

  it('keeps running on SIGHUP with an invalid file, and says why', async () => {
    writeFileSync(file, 'server: { port: "x" }\n');
    child.kill('SIGHUP');
    await waitFor(() => /config reload refused.*server\.port/s.test(stderr), 10_000, 'refusal logged');
    assert.equal((await fetch(`${base}/health`)).status, 200);
  });

  it('closes exchange sockets and exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await waitFor(() => sims.upbit.connections() === 0 && sims.bithumb.connections() === 0, 5000, 'sockets closed');
  });
});
