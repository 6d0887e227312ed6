// The `private` section: validated at start-up with messages naming the key; keys never come from the file.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../kernel/config.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { createLogger } from '../../kernel/log.ts';

const account = { id: 'main', exchange: 'upbit', accessKeyEnv: 'PVT_AK', secretKeyEnv: 'PVT_SK' };
const exchanges = { upbit: { url: 'ws://127.0.0.1:9/websocket/v1', symbols: ['BTC/KRW'] }, binance: { url: 'ws://127.0.0.1:9', symbols: ['BTC/USDT'] } };

async function startFails(doc: Record<string, unknown>, pattern: RegExp): Promise<void> {
  const k = new Kernel({ config: parseConfig({ server: { port: 0 }, exchanges, ...doc }), log: createLogger('error') });
  try {
    await assert.rejects(k.start(), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && pattern.test(e.message));
  } finally {
    await k.close();
  }
}

describe('private configuration', () => {
  it('fills the defaults: both channels, all markets, GATEWAY_PRIVATE_KEY for sealing', () => {
    const c = parseConfig({ private: { accounts: [account] } });
    assert.deepEqual(c.private.accounts[0]!.channels, ['myOrder', 'myAsset']);
    assert.equal(c.private.accounts[0]!.symbols, undefined);
    assert.equal(c.private.sealKeyEnv, 'GATEWAY_PRIVATE_KEY');
    assert.deepEqual(parseConfig({}).private.accounts, []);
  });

  it('names the key of a bad entry: a key in the file, a bad variable name, a duplicate id, an unknown channel', () => {
    const bad = (acct: Record<string, unknown>, extra: Record<string, unknown>[] = []) => () => parseConfig({ private: { accounts: [acct, ...extra] } });
    assert.throws(bad({ ...account, secretKey: 'abc' }), /private\.accounts\.0/);
    assert.throws(bad({ ...account, accessKeyEnv: 'not a name' }), /private\.accounts\.0\.accessKeyEnv/);
    assert.throws(bad(account, [account]), /private\.accounts\.1\.id: duplicate account id "main"/);
    assert.throws(bad({ ...account, channels: ['myTrade'] }), /private\.accounts\.0\.channels/);
    assert.throws(bad({ ...account, symbols: ['btc-krw'] }), /private\.accounts\.0\.symbols\.0/);
  });

  it('refuses at start an account on an exchange that is not enabled, or whose plugin has no private streams', async () => {
    await startFails({ private: { accounts: [{ ...account, exchange: 'bithumb' }] } }, /private\.accounts\.0\.exchange: "bithumb" is not an enabled exchange/);
    await startFails({ private: { accounts: [{ ...account, exchange: 'binance' }] } }, /private\.accounts\.0\.exchange: "binance" has no private streams/);
  });
});
