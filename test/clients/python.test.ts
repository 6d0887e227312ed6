// The Python client (clients/python) against a live gateway: runs its unittest suites with Debian's /usr/bin/python3
// while this file serves the gateway, a cuttable proxy in front of it, and an HTTP control the Python tests call.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import type { TcpProxy } from '../support/tcp-proxy.ts';
import { isRecord } from '../support/streams.ts';

const PYTHON = '/usr/bin/python3';
const PY_DIR = fileURLToPath(new URL('../../clients/python/', import.meta.url));
const SYMBOLS = ['BTC/KRW', 'ETH/KRW'];
const PYTHON_SUITE_MS = 180_000;

function runPython(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { cwd: PY_DIR, env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => {
      out += d;
      if (process.env.TEST_LOG === '1') process.stderr.write(d);
    });
    // a suite that hangs is killed with a traceback of every thread (faulthandler) rather than holding up the run
    const timer = setTimeout(() => child.kill('SIGABRT'), PYTHON_SUITE_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('Python client', () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let proxy: TcpProxy;
  let direct: TestClient;
  let control: ReturnType<typeof createServer>;
  let controlUrl = '';
  let pump: ReturnType<typeof setInterval> | undefined;
  let nextId = 1;

  const exchanges = () => ({ feed: { url: feed.url, symbols: SYMBOLS, channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } } });
  const push = (n: number) => {
    for (let i = 0; i < n; i++) for (const sym of SYMBOLS) feed.push(JSON.stringify({ sym, p: 100 + (nextId % 50), q: 1, ts: Date.now(), id: String(nextId++) }));
    return nextId - 1;
  };
  const connectDirect = async () => {
    direct = await TestClient.connect(`${gw.ws}?snapshot=false&exchange=feed&type=trade`);
  };

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway({ nodeId: 'py', exchanges: exchanges() }, { pluginsDir: TEST_PLUGINS_DIR });
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
    proxy = await startTcpProxy(gw.kernel.port);
    await connectDirect();
    control = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const q = (k: string) => url.searchParams.get(k);
      let body: unknown = null;
      try {
        switch (url.pathname) {
          case '/push': body = { last: push(Number(q('n') ?? 1)) }; break;
          case '/pump':
            clearInterval(pump);
            pump = q('on') === '1' ? setInterval(() => push(1), 20) : undefined;
            break;
          case '/cut': {
            proxy.cut({ refuse: true });
            setTimeout(() => proxy.restore(), Number(q('ms') ?? 3000)); // the outage being simulated
            break;
          }
          case '/feed-reconnect': {
            const before = feed.connections;
            for (const s of feed.sockets) s.terminate();
            await waitFor(() => feed.connections > before && feed.sockets.size === 1, 10_000, 'worker reconnection');
            break;
          }
          case '/restart': {
            const port = gw.kernel.port;
            await direct.close();
            await gw.kernel.close();
            gw = await startGateway({ nodeId: 'py-2', server: { host: '127.0.0.1', port }, exchanges: exchanges() }, { pluginsDir: TEST_PLUGINS_DIR });
            await waitFor(() => feed.sockets.size === 1, 10_000, 'worker reconnection');
            await connectDirect();
            break;
          }
          case '/direct': {
            const from = Number(q('from')), to = Number(q('to'));
            await direct.next((f) => Number(f.sid) >= to, 10_000);
            body = direct.frames.filter(isRecord).filter((f) => Number(f.sid) >= from && Number(f.sid) <= to).map((f) => ({ cd: f.cd, ep: f.ep, sq: f.sq, sid: f.sid }));
            break;
          }
          default: res.writeHead(404).end(); return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } catch (err) {
        res.writeHead(500).end(JSON.stringify({ error: (err as Error).message }));
      }
    });
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));
    controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  });

  after(async () => {
    clearInterval(pump);
    await direct?.close();
    await new Promise((r) => control?.close(r));
    await proxy?.close();
    await gw?.kernel.close();
    await feed?.close();
  });

  it('passes its own unit tests (tracker, pool, backoff, frames, heartbeat, iterator queues) under Debian\'s python3', async () => {
    const { code, out } = await runPython(['-m', 'unittest', '-v', 'tests.test_tracker', 'tests.test_heartbeat', 'tests.test_queues'], {});
    assert.equal(code, 0, out);
  });

  it('receives, resumes without loss, reports gaps and follows a restarted gateway, live', async () => {
    const only = process.env.PY_TESTS ? process.env.PY_TESTS.split(',').map((t) => `tests.test_live.LiveGatewayTest.${t}`) : ['tests.test_live'];
    const { code, out } = await runPython(['-X', 'faulthandler', '-m', 'unittest', '-v', '-f', ...only], { MG_WS: `ws://127.0.0.1:${proxy.port}/ws/exchange`, MG_CONTROL: controlUrl });
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /skipped/, out);
    if (!process.env.PY_TESTS) assert.match(out, /Ran 5 tests/, out);
  });
});
