// Client authentication on /ws/exchange and /api/*: static tokens (env and SHA-256), JWT HS256 and ES256, the
// per-credential exchange and type limits, authentication by first message, and auth off by default.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

const HS_SECRET = 'hs256-test-secret-that-is-long-enough-0123456789';
const ALICE = 'alice-token-9f8e7d6c5b4a';
const BOB = 'bob-token-limited-to-tickers';
const CAROL = 'carol-token-stored-as-a-digest';

function feedSection(feed: FeedServer) {
  return { feed: { url: feed.url, symbols: ['BTC/KRW', 'ETH/KRW'], channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } } };
}

async function httpStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

function refusal(url: string, opts: Parameters<typeof TestClient.connect>[1] = {}): Promise<{ status: number; body: string }> {
  return TestClient.connect(url, opts).then(
    (c) => {
      void c.close();
      throw new Error('expected the upgrade to be refused');
    },
    (err: { status?: number; body?: string }) => ({ status: err.status ?? 0, body: err.body ?? '' }),
  );
}

describe('client authentication with tokens and JWTs (auth.required)', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;

  before(async () => {
    process.env.TEST_AUTH_ALICE = ALICE;
    process.env.TEST_AUTH_BOB = BOB;
    process.env.TEST_AUTH_HS = HS_SECRET;
    feed = await startFeedServer();
    gw = await startGateway(
      {
        exchanges: feedSection(feed),
        auth: {
          required: true,
          tokens: [
            { id: 'alice', env: 'TEST_AUTH_ALICE' },
            { id: 'bob', env: 'TEST_AUTH_BOB', types: ['ticker'] },
            { id: 'carol', sha256: createHash('sha256').update(CAROL).digest('hex'), exchanges: ['feed'], types: ['trade'] },
          ],
          jwt: { algorithm: 'HS256', keyEnv: 'TEST_AUTH_HS', issuer: 'tests' },
        },
        limits: { authTimeoutMs: 500 },
      },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
  });

  after(async () => {
    await gw?.kernel.close();
    await feed?.close();
    delete process.env.TEST_AUTH_ALICE;
    delete process.env.TEST_AUTH_BOB;
    delete process.env.TEST_AUTH_HS;
  });

  const trade = (p: number) => feed.push(JSON.stringify({ sym: 'BTC/KRW', p, q: 1, ts: Date.now() }));

  it('accepts a token in the Authorization header, as a subprotocol or as access_token, and delivers records', async () => {
    const a = await TestClient.connect(`${gw.ws}?snapshot=false`, { headers: { authorization: `Bearer ${ALICE}` } });
    const b = await TestClient.connect(`${gw.ws}?snapshot=false`, { protocols: ['bearer', ALICE] });
    assert.equal(b.ws.protocol, 'bearer');
    const c = await TestClient.connect(`${gw.ws}?snapshot=false&access_token=${encodeURIComponent(CAROL)}`);
    trade(101);
    for (const client of [a, b, c]) await client.next((f) => f.tp === 101);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('refuses a wrong token with 401 and counts it', async () => {
    const r = await refusal(`${gw.ws}`, { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(r.status, 401);
    assert.equal(JSON.parse(r.body).error, 'UNAUTHORIZED');
    assert.ok(!r.body.includes('not-a-token'), 'the error never repeats the credential');
    assert.match(gw.kernel.metrics.render(), /gateway_security_refusals_total\{reason="unauthorized",where="ws"\} [1-9]/);
  });

  it('applies the per-token type limit: "all" narrows to the allowed types, an explicit other type is refused', async () => {
    const bob = await TestClient.connect(`${gw.ws}?snapshot=false`, { headers: { authorization: `Bearer ${BOB}` } });
    const alice = await TestClient.connect(`${gw.ws}?snapshot=false`, { headers: { authorization: `Bearer ${ALICE}` } });
    trade(102);
    await alice.next((f) => f.tp === 102);
    bob.send({ method: 'ping', id: 'after' });
    await bob.next((f) => f.event === 'pong');
    assert.ok(!bob.frames.some((f) => f.ty === 'trade'), 'a ticker-only token receives no trades');
    bob.send({ method: 'subscribe', type: 'trade', id: 3 });
    const err = await bob.next((f) => f.event === 'error');
    assert.equal(err.code, 'FORBIDDEN');
    assert.equal(err.id, 3);
    const r = await refusal(`${gw.ws}?type=trade`, { headers: { authorization: `Bearer ${BOB}` } });
    assert.equal(r.status, 403);
    await Promise.all([bob.close(), alice.close()]);
  });

  it('accepts an HS256 JWT and applies its exchanges and types claims; refuses a bad signature and an expired one', async () => {
    const key = new TextEncoder().encode(HS_SECRET);
    const good = await new SignJWT({ exchanges: ['feed'], types: ['trade'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('dave').setIssuer('tests').setExpirationTime('5m').sign(key);
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`, { protocols: ['bearer', good] });
    trade(103);
    await c.next((f) => f.tp === 103);
    await c.close();
    const other = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('eve').setIssuer('tests').setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(40)));
    assert.equal((await refusal(gw.ws, { protocols: ['bearer', other] })).status, 401);
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('dave').setIssuer('tests').setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(key);
    assert.equal((await refusal(gw.ws, { protocols: ['bearer', expired] })).status, 401);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('dave').setIssuer('tests').sign(key);
    assert.equal((await refusal(gw.ws, { protocols: ['bearer', noExp] })).status, 401);
    const limited = await new SignJWT({ exchanges: ['binance'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('dave').setIssuer('tests').setExpirationTime('5m').sign(key);
    assert.equal((await refusal(`${gw.ws}?exchange=feed`, { protocols: ['bearer', limited] })).status, 403);
  });

  it('lets a connection without a credential authenticate by its first message, and closes one that does not in time', async () => {
    const c = await TestClient.connect(`${gw.ws}?snapshot=false`);
    c.send({ method: 'auth', token: ALICE });
    const ok = await c.next((f) => f.event === 'authenticated');
    assert.equal(ok.subject, 'alice');
    trade(104);
    await c.next((f) => f.tp === 104);
    await c.close();

    const idle = await TestClient.connect(gw.ws);
    await idle.closed();
    assert.equal(idle.closeCode, 1008);
    assert.ok(idle.frames.some((f) => f.event === 'error' && f.code === 'UNAUTHORIZED'));
    assert.ok(!idle.frames.some((f) => f.ty !== undefined), 'nothing is delivered before authentication');
    assert.match(gw.kernel.metrics.render(), /gateway_security_refusals_total\{reason="auth_timeout",where="ws"\} [1-9]/);

    const wrong = await TestClient.connect(gw.ws);
    wrong.send({ method: 'subscribe' });
    await wrong.closed();
    assert.equal(wrong.closeCode, 1008);
  });

  it('requires a bearer token on /api/* and applies its limits there; /health stays open', async () => {
    assert.equal((await httpStatus(`${gw.http}/api/snapshot`)).status, 401);
    assert.equal((await httpStatus(`${gw.http}/api/snapshot`, { authorization: 'Bearer nope' })).status, 401);
    const ok = await httpStatus(`${gw.http}/api/snapshot`, { authorization: `Bearer ${ALICE}` });
    assert.equal(ok.status, 200);
    assert.ok((ok.body as unknown[]).length > 0);
    const bob = await httpStatus(`${gw.http}/api/snapshot`, { authorization: `Bearer ${BOB}` });
    assert.deepEqual(bob.body, [], 'a ticker-only token sees no trade snapshots');
    assert.equal((await httpStatus(`${gw.http}/api/snapshot?type=trade`, { authorization: `Bearer ${BOB}` })).status, 403);
    assert.equal((await httpStatus(`${gw.http}/health`)).status, 200);
  });
});

describe('client authentication with an ES256 JWT (auth optional)', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let es: Awaited<ReturnType<typeof generateKeyPair>>;

  before(async () => {
    es = await generateKeyPair('ES256', { extractable: true });
    process.env.TEST_AUTH_ES = await exportSPKI(es.publicKey);
    feed = await startFeedServer();
    gw = await startGateway({ exchanges: feedSection(feed), auth: { jwt: { algorithm: 'ES256', keyEnv: 'TEST_AUTH_ES' } } }, { pluginsDir: TEST_PLUGINS_DIR });
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
  });

  after(async () => {
    await gw?.kernel.close();
    await feed?.close();
    delete process.env.TEST_AUTH_ES;
  });

  it('serves anonymous clients public data, and verifies an ES256 token when one is given', async () => {
    const anon = await TestClient.connect(`${gw.ws}?snapshot=false`);
    const jwt = await new SignJWT({ types: ['ticker'] }).setProtectedHeader({ alg: 'ES256' }).setSubject('frank').setExpirationTime('5m').sign(es.privateKey);
    const limited = await TestClient.connect(`${gw.ws}?snapshot=false`, { headers: { authorization: `Bearer ${jwt}` } });
    feed.push(JSON.stringify({ sym: 'ETH/KRW', p: 7, q: 1, ts: Date.now() }));
    await anon.next((f) => f.tp === 7);
    limited.send({ method: 'ping' });
    await limited.next((f) => f.event === 'pong');
    assert.ok(!limited.frames.some((f) => f.ty === 'trade'));
    // signed by another key, or with HS256 against an ES256 configuration: refused
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('frank').setExpirationTime('5m').sign(other.privateKey);
    assert.equal((await refusal(gw.ws, { headers: { authorization: `Bearer ${forged}` } })).status, 401);
    const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('frank').setExpirationTime('5m').sign(new TextEncoder().encode('y'.repeat(40)));
    assert.equal((await refusal(gw.ws, { headers: { authorization: `Bearer ${hs}` } })).status, 401);
    assert.equal((await httpStatus(`${gw.http}/api/snapshot`)).status, 200, 'anonymous HTTP reads stay open');
    await Promise.all([anon.close(), limited.close()]);
  });
});
