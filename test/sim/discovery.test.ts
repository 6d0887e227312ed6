// Simulators are found by plugin folder: each plugins/<id>/sim.ts definition starts, its config section is one its
// plugin accepts, `names`, `portBase` and a configuration's URLs choose what listens where (sim/main.ts, the demo).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { checkPluginConfig, listPluginIds, loadPlugin } from '../../plugins/registry.ts';
import { fixtureConfig } from '../../sdk/fixture/format.ts';
import { startFxSim } from '../../sim/fx-server.ts';
import { defineSim, discoverSims, portsFromConfig, simFolders, startSimulators } from '../../sim/index.ts';
import type { PortSource } from '../../sim/index.ts';
import { freePorts } from '../../scripts/infra/free-port.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('simulator discovery', () => {
  it('finds a simulator in every plugin folder that has a sim.ts, Bithumb with its two APIs', async () => {
    const sims = await discoverSims();
    assert.deepEqual(simFolders(), [...new Set(sims.map((s) => s.exchange))]);
    for (const s of sims) assert.ok(listPluginIds().includes(s.exchange), `${s.name} serves plugin ${s.exchange}`);
    const names = sims.map((s) => s.name);
    for (const n of ['binance', 'upbit', 'bithumb', 'bithumb-legacy']) assert.ok(names.includes(n), n);
    assert.ok(names.indexOf('bithumb') < names.indexOf('bithumb-legacy'), 'a folder keeps the order of its array');
  });

  it('gives each plugin a config section it accepts, pointing at the running simulator', async () => {
    const sims = await startSimulators({ intervalMs: 50 });
    try {
      assert.equal(sims.list.length, (await discoverSims()).length);
      for (const s of sims.list) {
        const section = s.config();
        assert.equal(section.url, s.handle.url, s.name);
        assert.ok(Array.isArray(section.symbols) && section.symbols.length >= 2, `${s.name} names the symbols it serves`);
        const plugin = await loadPlugin(s.exchange);
        const { symbols, url, restUrl, ...options } = section as { symbols: string[]; url: string; restUrl?: string };
        checkPluginConfig(plugin, fixtureConfig(s.exchange, { symbols, url, restUrl, options }));
      }
    } finally {
      await sims.close();
    }
  });

  it('starts only the simulators named, on port base + their place in discovery order', async () => {
    const all = await discoverSims();
    const ports = await freePorts(1);
    const base = ports[0]! + 1;
    const sims = await startSimulators({ names: ['upbit', 'binance'], portBase: base });
    try {
      assert.deepEqual(sims.list.map((s) => s.name), all.map((s) => s.name).filter((n) => n === 'upbit' || n === 'binance'));
      for (const s of sims.list) assert.equal(s.handle.port, base + all.findIndex((d) => d.name === s.name));
      assert.equal(sims.get('upbit'), sims.byName.get('upbit')!.handle);
      assert.throws(() => sims.get('bithumb'), { code: 'SIM_UNKNOWN' });
    } catch (err) {
      // another process took one of those ports in the meantime: nothing this test checks
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    } finally {
      await sims.close();
    }
    await assert.rejects(startSimulators({ names: ['nope'] }), { code: 'SIM_UNKNOWN' });
  });

  it('refuses a malformed definition with SIM_INVALID', () => {
    assert.throws(() => defineSim({ name: 'Bad Name', start: async () => undefined as never, config: () => ({}) }), { code: 'SIM_INVALID' });
    assert.throws(() => defineSim({ name: 'x' } as never), { code: 'SIM_INVALID' });
  });
});

interface Listed {
  simulators: { name: string; exchange: string; url: string; restUrl: string; config: Record<string, unknown> }[];
  fx: { url: string };
}

/** Runs sim/main.ts with these arguments until it prints `ready <n>`; returns its lines up to that and its list. */
async function runMain(args: string[]): Promise<{ lines: string[]; listed: Listed }> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-main-'));
  const list = join(dir, 'list.json');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', ...args, '--list', list], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: string[] = [];
    let done = false;
    const ready = await new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (done) return;
        lines.push(line);
        if (/^ready \d+$/.test(line)) resolve((done = true));
      });
      child.once('exit', () => resolve(false));
    });
    const exited = new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    if (child.exitCode === null) child.kill('SIGTERM'); // the child we started, by PID
    await exited;
    assert.ok(ready, `sim/main.ts did not start:\n${stderr}`);
    return { lines, listed: JSON.parse(readFileSync(list, 'utf8')) as Listed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DEMO = join(ROOT, 'config.demo.yaml');
type DemoConfig = PortSource & { exchanges: Record<string, Record<string, unknown>> };
const withPort = (url: string, port: number | string) => url.replace(/:\d+/, `:${port}`);

describe('sim/main.ts and config.demo.yaml', () => {
  it('config.demo.yaml points every exchange at a simulator of its plugin, each on a port of its own', async () => {
    const config = parse(readFileSync(DEMO, 'utf8')) as DemoConfig;
    const plan = portsFromConfig(config, await discoverSims());
    assert.deepEqual(plan.unserved, [], 'exchanges without a simulator');
    assert.equal(plan.sims.size, Object.keys(config.exchanges).length);
    assert.ok(plan.fx !== undefined, 'derived.fx.url names the FX source');
    const ports = [...plan.sims.values(), plan.fx];
    assert.equal(new Set(ports).size, ports.length, `ports used twice: ${ports.join(', ')}`);
  });

  it('config.demo.yaml\'s URLs, in comments too, have the shape the simulators serve', async () => {
    const text = readFileSync(DEMO, 'utf8');
    const sims = await startSimulators({ intervalMs: 1000 });
    const fx = await startFxSim({});
    try {
      const shapes = new Set([...sims.list.flatMap((s) => [withPort(s.handle.url, 'P'), withPort(s.handle.restUrl, 'P')]), withPort(fx.quoteUrl, 'P')]);
      const urls = [...text.matchAll(/"((?:ws|http):\/\/127\.0\.0\.1:\d+[^"]*)"/g)].map((m) => m[1]!);
      assert.ok(urls.length >= 4);
      for (const u of urls) assert.ok(shapes.has(withPort(u, 'P')), `config.demo.yaml names ${u}, a URL no simulator serves`);
    } finally {
      await sims.close();
      await fx.close();
    }
  });

  it('with --config, listens where the file points, announces one line per server and then their count', async () => {
    // config.demo.yaml with free ports instead of its fixed ones (other tests may run on this machine)
    const text = readFileSync(DEMO, 'utf8');
    const fixed = [...new Set([...text.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]!))];
    const free = await freePorts(fixed.length);
    const dir = mkdtempSync(join(tmpdir(), 'sim-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, text.replace(/127\.0\.0\.1:(\d+)/g, (_m, p: string) => `127.0.0.1:${free[fixed.indexOf(p)]}`));
    try {
      const config = parse(readFileSync(file, 'utf8')) as DemoConfig;
      const { lines, listed } = await runMain(['--config', file]);
      const all = await discoverSims();
      assert.deepEqual(listed.simulators.map((s) => s.name), all.map((s) => s.name), 'every simulator starts, in discovery order');
      assert.equal(lines.at(-1), `ready ${all.length + 1}`);
      for (const [i, s] of listed.simulators.entries()) assert.match(lines[i]!, new RegExp(`^${s.name} +url=${s.url} restUrl=${s.restUrl}$`));
      for (const [ex, section] of Object.entries(config.exchanges)) {
        const sim = listed.simulators.find((s) => s.exchange === ex && (section.api === undefined || s.config.api === section.api));
        assert.ok(sim, ex);
        assert.equal(sim.url, section.url, `exchanges.${ex}.url`);
        if (section.restUrl !== undefined) assert.equal(sim.restUrl, section.restUrl, `exchanges.${ex}.restUrl`);
      }
      assert.equal(new URL(listed.fx.url).port, new URL((config.derived?.fx as { url: string }).url).port, 'derived.fx.url');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --port-base, puts the FX source on the base and the simulators after it in discovery order', async () => {
    // consecutive ports cannot be reserved: a clash with another process is retried on another base
    let base = 0;
    let listed: Listed | undefined;
    for (let attempt = 0; !listed; attempt++) {
      base = 20_000 + Math.floor(Math.random() * 40_000);
      try {
        ({ listed } = await runMain(['--port-base', String(base)]));
      } catch (err) {
        if (attempt >= 3 || !/EADDRINUSE/.test((err as Error).message)) throw err;
      }
    }
    assert.ok(listed.fx.url.includes(`:${base}/`));
    for (const [i, s] of listed.simulators.entries()) assert.equal(new URL(s.restUrl).port, String(base + 1 + i), s.name);
  });
});
