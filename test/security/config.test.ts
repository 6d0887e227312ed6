// The security keys of config.yaml: defaults, validation naming the key, and secrets that must be in the environment.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../kernel/config.ts';
import { Metrics } from '../../kernel/metrics.ts';
import { Security } from '../../kernel/security/security.ts';

describe('security configuration', () => {
  it('is open by default with generous limits', () => {
    const c = parseConfig({});
    assert.equal(c.auth.required, false);
    assert.deepEqual(c.auth.tokens, []);
    assert.deepEqual(c.server.trustProxy, []);
    assert.deepEqual(c.server.allowedOrigins, []);
    assert.deepEqual(c.limits, { connectionsPerIp: 64, clients: 10_000, controlPerSecond: 20, controlBurst: 40, keysPerSubscription: 1000, httpBodyBytes: 65_536, authTimeoutMs: 10_000 });
  });

  it('names the key of a bad value', () => {
    assert.throws(() => parseConfig({ server: { trustProxy: ['10.0.0.0/99'] } }), /server\.trustProxy/);
    assert.throws(() => parseConfig({ server: { allowedOrigins: ['example.com'] } }), /server\.allowedOrigins\.0/);
    assert.throws(() => parseConfig({ auth: { required: true } }), /auth: auth\.required needs auth\.tokens or auth\.jwt/);
    assert.throws(() => parseConfig({ auth: { tokens: [{ id: 'a' }] } }), /auth\.tokens\.0: expected exactly one of env or sha256/);
    assert.throws(() => parseConfig({ auth: { tokens: [{ id: 'a', sha256: 'abc' }] } }), /auth\.tokens\.0\.sha256/);
    assert.throws(() => parseConfig({ auth: { jwt: { algorithm: 'RS256' } } }), /auth\.jwt\.algorithm/);
    assert.throws(() => parseConfig({ limits: { connectionsPerIp: 0 } }), /limits\.connectionsPerIp/);
  });

  it('refuses to start when a configured secret is missing or weak, naming the variable and never a value', async () => {
    const cfg = (auth: unknown) => parseConfig({ auth });
    await assert.rejects(Security.create(cfg({ tokens: [{ id: 'a', env: 'NOT_SET_ANYWHERE' }] }), new Metrics(), {}), { code: 'CONFIG_INVALID', message: /NOT_SET_ANYWHERE is not set/ });
    await assert.rejects(Security.create(cfg({ jwt: { algorithm: 'HS256', keyEnv: 'K' } }), new Metrics(), { K: 'short-secret' }), (err: Error) => {
      assert.match(err.message, /at least 32 bytes/);
      assert.ok(!err.message.includes('short-secret'));
      return true;
    });
    await assert.rejects(Security.create(cfg({ jwt: { algorithm: 'ES256', keyEnv: 'K' } }), new Metrics(), { K: 'not a key' }), (err: Error) => {
      assert.match(err.message, /K does not hold an ES256 public key/);
      assert.ok(!err.message.includes('not a key'));
      return true;
    });
  });
});
