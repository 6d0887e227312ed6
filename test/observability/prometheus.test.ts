// A real Prometheus (Debian package) scrapes a real gateway: the stage latency histograms arrive, the alert rules
// load and evaluate without error, every dashboard query runs; promtool checks and unit-tests the rules.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startPrometheus } from '../../scripts/infra/prometheus.ts';
import type { PrometheusHandle } from '../../scripts/infra/prometheus.ts';
import { TestClient, waitFor } from '../support/client.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { TEST_PLUGINS_DIR, startGateway } from '../support/gateway.ts';

const run = promisify(execFile);
const ALERTS = fileURLToPath(new URL('../../ops/prometheus/alerts.yml', import.meta.url));
const ALERT_TESTS = fileURLToPath(new URL('../../ops/prometheus/alerts.test.yml', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../ops/grafana/gateway.json', import.meta.url));

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('alert rules with promtool', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', ALERTS]);
    assert.match(stdout, /SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests (stale exchange, no leader, fallback, consumer lag, slow-client cuts)', async () => {
    const { stdout, stderr } = await run('promtool', ['test', 'rules', ALERT_TESTS]);
    assert.match(stdout + stderr, /SUCCESS/);
  });
});

describe('Prometheus scraping a gateway', { timeout: 120_000 }, () => {
  let feed: FeedServer;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let prom: PrometheusHandle;
  let client: TestClient;
  let timer: ReturnType<typeof setInterval>;

  before(async () => {
    feed = await startFeedServer();
    gw = await startGateway(
      { exchanges: { feed: { url: feed.url, symbols: ['BTC/KRW'], channels: ['trade'], reconnect: { initialDelayMs: 50, maxDelayMs: 200 } } } },
      { pluginsDir: TEST_PLUGINS_DIR },
    );
    await waitFor(() => feed.sockets.size === 1, 10_000, 'worker connection');
    client = await TestClient.connect(`${gw.ws}?snapshot=false`);
    // a trade every 50 ms, 30 ms old when the exchange "sends" it
    let n = 0;
    timer = setInterval(() => feed.push(JSON.stringify({ sym: 'BTC/KRW', p: 100 + (n++ % 10), q: 1, ts: Date.now() - 30 })), 50);
    prom = await startPrometheus({ targets: [`127.0.0.1:${gw.kernel.port}`], ruleFiles: [ALERTS], scrapeIntervalSec: 1 });
  });

  after(async () => {
    clearInterval(timer);
    await client?.close();
    await prom?.close();
    await gw?.kernel.close();
    await feed?.close();
  });

  it('scrapes the gateway and reads the latency histogram of every stage', async (t) => {
    const samples = (await waitFor(async () => {
      const r = await prom.api<{ result: Sample[] }>(`query?query=${encodeURIComponent('sum by (stage) (gateway_stage_latency_seconds_count)')}`);
      return r.result.length === 3 && r.result.every((s) => Number(s.value[1]) > 0) ? r.result : undefined;
    }, 60_000, 'three stages in Prometheus'))!;
    assert.deepEqual(samples.map((s) => s.metric.stage).sort(), ['bus', 'client', 'exchange']);
    const targets = await prom.api<{ activeTargets: { health: string }[] }>('targets');
    assert.equal(targets.activeTargets[0]?.health, 'up');
    // the exchange stage holds the 30 ms the feed backdates its trades by
    const p50 = (await waitFor(async () => {
      const r = await prom.api<{ result: Sample[] }>(
        `query?query=${encodeURIComponent('histogram_quantile(0.5, sum by (le) (rate(gateway_stage_latency_seconds_bucket{stage="exchange"}[30s])))')}`,
      );
      const v = Number(r.result[0]?.value[1]);
      return Number.isFinite(v) ? v : undefined;
    }, 60_000, 'a p50 of the exchange stage'))!;
    assert.ok(p50 >= 0.025 && p50 <= 0.1, `exchange-stage p50 ${p50} s`);
    for (const q of [0.5, 0.99]) {
      const r = await prom.api<{ result: Sample[] }>(`query?query=${encodeURIComponent(`histogram_quantile(${q}, sum by (stage, le) (rate(gateway_stage_latency_seconds_bucket[1m])))`)}`);
      t.diagnostic(`p${q * 100}: ${r.result.map((s) => `${s.metric.stage} ${(Number(s.value[1]) * 1000).toFixed(2)} ms`).join(', ')}`);
    }
  });

  it('loads every alert rule and evaluates it without error, none firing on a healthy gateway', async () => {
    const rules = (await waitFor(async () => {
      const data = await prom.api<{ groups: { rules: { name: string; health: string; lastError?: string; state: string; lastEvaluation: string }[] }[] }>('rules');
      const all = data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : undefined;
    }, 60_000, 'rules evaluated'))!;
    const names = rules.map((r) => r.name);
    for (const n of ['GatewayExchangeStale', 'GatewayKafkaConsumerLag', 'GatewaySlowClientCuts', 'GatewayBusFallbackActive', 'GatewayNoLeader']) assert.ok(names.includes(n), n);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
    assert.ok(rules.every((r) => r.state === 'inactive'), rules.filter((r) => r.state !== 'inactive').map((r) => r.name).join(', '));
  });

  it('runs every query of the Grafana dashboard, and the main panels have data', async () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr.replaceAll('$__rate_interval', '30s').replaceAll('$instance', '.*') })));
    assert.ok(exprs.length >= 15);
    for (const { title, expr } of exprs) await prom.api(`query?query=${encodeURIComponent(expr)}`).catch((err) => assert.fail(`${title}: ${(err as Error).message}`));
    for (const title of ['Records per second, by exchange', 'Latency per stage, p50 and p99', 'Connected clients, by format']) {
      const { expr } = exprs.find((e) => e.title === title)!;
      await waitFor(async () => (await prom.api<{ result: Sample[] }>(`query?query=${encodeURIComponent(expr)}`)).result.length > 0, 60_000, `data for "${title}"`);
    }
  });
});
