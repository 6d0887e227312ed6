// Configuration: defaults, validation messages that name the key, and the CLI's exit on a bad file.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, parseConfig } from '../../kernel/config.ts';
import { GatewayError } from '../../sdk/errors.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function invalid(doc: unknown): string {
  try {
    parseConfig(doc);
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.message;
  }
  assert.fail('expected the config to be rejected');
}

describe('configuration', () => {
  it('gives standalone mode and the three exchanges when nothing is configured', () => {
    const c = parseConfig({});
    assert.equal(c.mode, 'standalone');
    assert.deepEqual(Object.keys(c.exchanges), ['binance', 'upbit', 'bithumb']);
    assert.equal(c.orderbook.depth, 15);
    assert.equal(c.server.maxBufferedBytes, 4 * 1024 * 1024);
  });

  it('loads the shipped config.yaml', () => {
    const c = loadConfig(join(ROOT, 'config.yaml'));
    assert.equal(c.exchanges.bithumb!.api, 'v1');
    assert.deepEqual(c.exchanges.upbit!.symbols, ['BTC/KRW', 'ETH/KRW']);
  });

  it('replaces the default exchanges as a whole when the file lists its own', () => {
    const c = parseConfig({ exchanges: { upbit: { symbols: ['XRP/KRW'] } } });
    assert.deepEqual(Object.keys(c.exchanges), ['upbit']);
    assert.deepEqual(c.exchanges.upbit!.channels, ['ticker', 'trade', 'orderbook']);
  });

  it('names the key and what was expected for each mistake', () => {
    assert.match(invalid({ server: { port: 'eighty' } }), /server\.port: .*expected number/);
    assert.match(invalid({ mode: 'clustered' }), /mode: .*standalone.*cluster/);
    assert.match(invalid({ exchanges: { upbit: { symbols: ['btc-krw'] } } }), /exchanges\.upbit\.symbols\.0: expected a unified symbol/);
    assert.match(invalid({ exchanges: { upbit: { symbols: ['BTC/KRW'], channels: ['candles'] } } }), /exchanges\.upbit\.channels\.0/);
    assert.match(invalid({ exchanges: { upbit: { symbols: ['BTC/KRW'], url: 'http://x' } } }), /exchanges\.upbit\.url: expected a URL starting with ws:\/\/ or wss:\/\//);
    assert.match(invalid({ orderbook: { depth: 0 } }), /orderbook\.depth/);
    assert.match(invalid({ kafka: { brokers: ['nohost'] } }), /kafka\.brokers\.0: expected host:port/);
    assert.match(invalid({ srever: {} }), /srever/);
  });

  it('exits non-zero with a message naming the key when started with an invalid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server: { port: 99999 }\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'kernel/main.ts'), '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /CONFIG_INVALID/);
    assert.match(r.stderr, /server\.port/);
  });

  it('exits non-zero naming the problem when the YAML cannot be parsed or a plugin is unknown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'server: [\n');
    let r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'kernel/main.ts'), '--config', broken], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /CONFIG_UNREADABLE/);
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'server: { port: 0 }\nexchanges:\n  nosuchexchange: { symbols: [BTC/USD] }\n');
    r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'kernel/main.ts'), '--config', unknown], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /PLUGIN_NOT_FOUND.*nosuchexchange/);
  });
});
