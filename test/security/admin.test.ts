// The admin guard: GATEWAY_ADMIN_TOKEN compared in constant time; without it loopback only, with X-Forwarded-For
// and Forwarded believed only through proxies in server.trustProxy; tested directly and through the shipped nginx.

import { after, before, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { request } from 'node:http';
import { startNginx } from '../../scripts/infra/nginx.ts';
import type { NginxHandle } from '../../scripts/infra/nginx.ts';
import { resolveClientAddress, parseForwarded } from '../../kernel/security/client-address.ts';
import { constantTimeEqual } from '../../kernel/security/constant-time.ts';
import { IpSet } from '../../kernel/security/ip.ts';
import { startGateway } from '../support/gateway.ts';

/** POST /api/subscriptions with raw headers (fetch would refuse to send some of them); resolves with the status */
function adminPost(base: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL('/api/subscriptions', base);
  const body = JSON.stringify({ exchange: 'not-running' });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// 400 "not running" comes from the route itself: the guard let the call through
const REACHED = 400;
const REFUSED = 403;

describe('the client address behind proxies', () => {
  const trusted = new IpSet(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);

  it('believes forwarding headers only from a trusted proxy and takes the first untrusted hop from the right', () => {
    assert.deepEqual(resolveClientAddress('127.0.0.1', {}, trusted), { kind: 'direct', address: '127.0.0.1' });
    assert.equal(resolveClientAddress('192.0.2.1', { 'x-forwarded-for': '127.0.0.1' }, trusted).kind, 'untrusted');
    assert.deepEqual(resolveClientAddress('::ffff:127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }, trusted), { kind: 'forwarded', address: '127.0.0.1' });
    assert.equal(resolveClientAddress('127.0.0.1', { 'x-forwarded-for': '127.0.0.1, 198.51.100.7, 10.1.1.1' }, trusted).address, '198.51.100.7');
    assert.equal(resolveClientAddress('127.0.0.1', { forwarded: 'for="[fd00::5]:443", for=203.0.113.4:80' }, trusted).address, '203.0.113.4');
    assert.equal(resolveClientAddress('127.0.0.1', { forwarded: 'for=127.0.0.1', 'x-forwarded-for': '198.51.100.7' }, trusted).kind, 'untrusted');
    assert.equal(resolveClientAddress('127.0.0.1', { forwarded: 'for=unknown' }, trusted).address, 'unknown');
    assert.deepEqual(parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711"'), ['192.0.2.60', '2001:db8:cafe::17']);
  });

  it('matches IPv4 and IPv6 CIDR ranges and refuses malformed entries', () => {
    assert.ok(trusted.has('10.200.3.4'));
    assert.ok(!trusted.has('11.0.0.1'));
    assert.ok(trusted.has('fd00:0:0::1'));
    assert.ok(!trusted.has('fe80::1'));
    assert.throws(() => new IpSet(['10.0.0.0/33']));
    assert.throws(() => new IpSet(['not-an-ip']));
  });
});

describe('admin token comparison', () => {
  it('compares through timingSafeEqual over equal-length digests, for equal and unequal lengths alike', () => {
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    try {
      assert.equal(constantTimeEqual('secret-token', 'secret-token'), true);
      assert.equal(constantTimeEqual('secret-tokeN', 'secret-token'), false);
      assert.equal(constantTimeEqual('s', 'secret-token'), false, 'a shorter guess is false, not an exception');
      assert.equal(constantTimeEqual('secret-token-and-more', 'secret-token'), false);
      assert.equal(constantTimeEqual('', 'secret-token'), false);
      assert.equal(spy.mock.callCount(), 5);
      for (const call of spy.mock.calls) {
        const [a, b] = call.arguments as [Buffer, Buffer];
        assert.equal(a.length, 32);
        assert.equal(b.length, 32);
      }
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });
});

describe('admin calls without GATEWAY_ADMIN_TOKEN', () => {
  let plain: Awaited<ReturnType<typeof startGateway>>;
  let behind: Awaited<ReturnType<typeof startGateway>>;
  let nginxPlain: NginxHandle;
  let nginxTrusted: NginxHandle;

  before(async () => {
    delete process.env.GATEWAY_ADMIN_TOKEN;
    plain = await startGateway({ exchanges: {} });
    behind = await startGateway({ exchanges: {}, server: { host: '127.0.0.1', port: 0, trustProxy: ['127.0.0.1'] } });
    nginxPlain = await startNginx({ upstreams: [`127.0.0.1:${plain.kernel.port}`] });
    nginxTrusted = await startNginx({ upstreams: [`127.0.0.1:${behind.kernel.port}`] });
  });

  after(async () => {
    await nginxPlain?.close();
    await nginxTrusted?.close();
    await plain?.kernel.close();
    await behind?.kernel.close();
  });

  it('accepts a direct loopback caller', async () => {
    assert.equal((await adminPost(plain.http)).status, REACHED);
  });

  it('refuses forged forwarding headers sent straight to the gateway (no trusted proxy)', async () => {
    const forged: Record<string, string>[] = [{ 'x-forwarded-for': '127.0.0.1' }, { forwarded: 'for=127.0.0.1' }, { forwarded: 'for=198.51.100.7' }];
    for (const headers of forged) {
      const r = await adminPost(plain.http, headers);
      assert.equal(r.status, REFUSED, JSON.stringify(headers));
      assert.equal(r.body.error, 'FORBIDDEN');
    }
    assert.match(plain.kernel.metrics.render(), /gateway_security_refusals_total\{reason="admin",where="http"\} [3-9]/);
  });

  it('refuses a call through nginx when nginx is not listed in server.trustProxy', async () => {
    const r = await adminPost(nginxPlain.url);
    assert.equal(r.status, REFUSED);
    assert.match(String(r.body.message), /trustProxy/);
  });

  it('through a trusted nginx, judges the client nginx names: loopback accepted, a forwarded remote or a forged Forwarded refused', async () => {
    assert.equal((await adminPost(nginxTrusted.url)).status, REACHED);
    // an outer hop naming a remote client, as a chain of proxies would
    assert.equal((await adminPost(nginxTrusted.url, { 'x-forwarded-for': '198.51.100.7' })).status, REFUSED);
    assert.equal((await adminPost(nginxTrusted.url, { forwarded: 'for=198.51.100.7' })).status, REFUSED);
    assert.equal((await adminPost(nginxTrusted.url, { forwarded: 'for="[2001:db8::1]"' })).status, REFUSED);
  });

  it('refuses a cross-origin browser call (CSRF) even from loopback', async () => {
    assert.equal((await adminPost(plain.http, { origin: 'http://evil.example' })).status, REFUSED);
  });

  it('keeps reads (GET) open through any proxy', async () => {
    assert.equal((await fetch(`${nginxPlain.url}/api/subscriptions`)).status, 200);
  });
});

describe('admin calls with GATEWAY_ADMIN_TOKEN', () => {
  const TOKEN = 'admin-token-for-tests-0123456789abcdef';
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let nginx: NginxHandle;

  before(async () => {
    process.env.GATEWAY_ADMIN_TOKEN = TOKEN;
    try {
      gw = await startGateway({ exchanges: {} });
    } finally {
      delete process.env.GATEWAY_ADMIN_TOKEN;
    }
    nginx = await startNginx({ upstreams: [`127.0.0.1:${gw.kernel.port}`] });
  });

  after(async () => {
    await nginx?.close();
    await gw?.kernel.close();
  });

  it('refuses a call through nginx without the token or with a wrong one, and accepts it with the token', async () => {
    assert.equal((await adminPost(nginx.url)).status, REFUSED);
    assert.equal((await adminPost(nginx.url, { authorization: 'Bearer wrong' })).status, REFUSED);
    assert.equal((await adminPost(nginx.url, { authorization: `Bearer ${TOKEN}x` })).status, REFUSED);
    assert.equal((await adminPost(nginx.url, { authorization: `Bearer ${TOKEN}` })).status, REACHED);
    assert.equal((await adminPost(gw.http)).status, REFUSED, 'with a token set, loopback alone is not enough');
  });

  it('never puts the token in an answer or a metric', async () => {
    const r = await adminPost(nginx.url, { authorization: 'Bearer wrong' });
    assert.ok(!JSON.stringify(r.body).includes(TOKEN));
    assert.ok(!gw.kernel.metrics.render().includes(TOKEN));
  });
});
