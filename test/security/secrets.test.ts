// Secrets stay secret: client tokens, the JWT key and the admin token never appear in a log line (at debug level),
// a metric, an error answer or /api/subscriptions, whatever clients send.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { createLogger } from '../../kernel/log.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

const CLIENT_TOKEN = 'client-secret-Zq8Xv3Lp0Wm5';
const JWT_KEY = 'jwt-secret-key-Hn4Ty7Ue2Ri9Ow1Pq6As3Df8Gh5Jk0';
const ADMIN_TOKEN = 'admin-secret-Bv6Nc1Mx4Lz7';
const SECRETS = [CLIENT_TOKEN, JWT_KEY, ADMIN_TOKEN];

describe('secrets in logs, metrics and answers', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const lines: string[] = [];

  before(async () => {
    Object.assign(process.env, { TEST_SECRET_CLIENT: CLIENT_TOKEN, TEST_SECRET_JWT: JWT_KEY, GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN });
    feed = await startFeedServer();
    try {
      gw = await startGateway(
        {
          auth: { required: true, tokens: [{ id: 'client', env: 'TEST_SECRET_CLIENT' }], jwt: { algorithm: 'HS256', keyEnv: 'TEST_SECRET_JWT' } },
          exchanges: { feed: { url: feed.url, symbols: ['BTC/KRW'], channels: ['trade'] } },
        },
        { pluginsDir: TEST_PLUGINS_DIR, log: createLogger('debug', 'gateway', (line) => lines.push(line) > 0) },
      );
    } finally {
      for (const k of ['TEST_SECRET_CLIENT', 'TEST_SECRET_JWT', 'GATEWAY_ADMIN_TOKEN']) delete process.env[k];
    }
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
  });

  after(async () => {
    await gw?.kernel.close();
    await feed?.close();
  });

  it('never shows a secret, after good and bad credentials of every kind', async () => {
    const answers: string[] = [];
    const collect = async (res: Response) => answers.push(`${res.status} ${await res.text()}`);
    // near misses: the secret with a character more or less, in every place a credential goes
    for (const wrong of [CLIENT_TOKEN.slice(0, -1), `${CLIENT_TOKEN}x`, `${ADMIN_TOKEN}x`, JWT_KEY]) {
      await collect(await fetch(`${gw.http}/api/snapshot`, { headers: { authorization: `Bearer ${wrong}` } }));
      await collect(await fetch(`${gw.http}/api/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${wrong}` }, body: '{}' }));
      await TestClient.connect(`${gw.ws}?access_token=${encodeURIComponent(wrong)}`).then((c) => c.close(), (err: { body?: string }) => answers.push(err.body ?? ''));
      const c = await TestClient.connect(gw.ws);
      c.send({ method: 'auth', token: wrong });
      await c.closed();
      answers.push(JSON.stringify(c.frames));
    }
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('5m').sign(new TextEncoder().encode(`${JWT_KEY}!`));
    await TestClient.connect(gw.ws, { protocols: ['bearer', forged] }).catch((err: { body?: string }) => answers.push(err.body ?? ''));
    const good = await TestClient.connect(`${gw.ws}?snapshot=false`, { headers: { authorization: `Bearer ${CLIENT_TOKEN}` } });
    await good.close();
    await collect(await fetch(`${gw.http}/api/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: '{"exchange":"none"}' }));
    await collect(await fetch(`${gw.http}/api/subscriptions`, { headers: { authorization: `Bearer ${CLIENT_TOKEN}` } }));
    const adminRead = await fetch(`${gw.http}/api/subscriptions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(adminRead.status, 200, 'the admin token reads /api/* too');
    await collect(adminRead);
    await collect(await fetch(`${gw.http}/api/ws/infra-health`, { headers: { authorization: `Bearer ${CLIENT_TOKEN}` } }));
    const everything = [...lines, ...answers, gw.kernel.metrics.render()].join('\n');
    assert.ok(lines.length > 0, 'the gateway logged at debug level');
    for (const s of SECRETS) assert.ok(!everything.includes(s), `a secret appears: ${s.slice(0, 6)}…`);
    assert.ok(answers.some((a) => a.includes('UNAUTHORIZED')));
  });
});
