// Every simulator whose plugin has a market list serves it over REST, in the exchange's format, and lists and
// delists at run time; each list follows the symbol rule of docs/symbols.md (upper case BASE/QUOTE, no alias names,
// no duplicates, codes as the plugin writes them).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discoverSims } from '../../sim/index.ts';
import type { SimHandle } from '../../sim/index.ts';
import { loadPlugin } from '../../plugins/registry.ts';
import { EXCHANGE_KERNEL_KEYS } from '../../kernel/config.ts';
import { fixtureConfig } from '../../sdk/fixture/format.ts';
import { ASSET_ALIASES } from '../../sdk/index.ts';
import type { PluginConfig } from '../../sdk/index.ts';

const SYMBOL = /^[A-Z0-9]+\/[A-Z0-9]+$/;
/**
 * Simulators whose list is another API's: Bithumb's legacy API uses the v1 market list on the same REST host, so its
 * codes are the v1 API's (KRW-BTC, not the legacy BTC_KRW).
 */
const LIST_OPTIONS: Record<string, Record<string, unknown>> = { 'bithumb-legacy': { api: 'v1' } };
const sims = await discoverSims();
const handles: SimHandle[] = [];
after(() => Promise.all(handles.map((h) => h.close())));

for (const def of sims) {
  const plugin = await loadPlugin(def.exchange);
  const list = plugin.markets;
  if (!list) continue;

  describe(`the ${def.name} simulator's market list`, () => {
    let handle: SimHandle;
    let config: PluginConfig;
    const fetchList = async () => {
      const res = await fetch(list.url(config));
      assert.equal(res.status, 200, `GET ${list.url(config)}`);
      return list.parse(await res.text());
    };

    it('is served over REST, in the exchange format the plugin parses, a few tens of markets or more', async () => {
      handle = await def.start({});
      handles.push(handle);
      const section = def.config(handle);
      // the plugin's options are the keys the kernel does not read itself, as the gateway passes them
      const options = Object.fromEntries(Object.entries(section).filter(([k]) => !EXCHANGE_KERNEL_KEYS.has(k)));
      config = fixtureConfig(def.exchange, {
        url: section.url as string,
        restUrl: section.restUrl as string | undefined,
        symbols: section.symbols as string[],
        options,
      });
      const markets = await fetchList();
      assert.ok(markets.length >= 20, `${markets.length} markets`);
      for (const s of config.symbols as string[]) assert.ok(markets.some((m) => m.symbol === s), `the configured ${s} is listed`);
    });

    it('follows the symbol rule: upper case BASE/QUOTE, no aliased asset name, no duplicate, the plugin\'s own codes', async () => {
      const markets = await fetchList();
      const seen = new Set<string>();
      const codes = new Set<string>();
      for (const m of markets) {
        assert.match(m.symbol, SYMBOL);
        for (const asset of m.symbol.split('/')) assert.equal(ASSET_ALIASES[asset], undefined, `${m.symbol}: ${asset} is an alias`);
        assert.ok(!seen.has(m.symbol), `duplicate ${m.symbol}`);
        assert.ok(!codes.has(m.code), `duplicate code ${m.code}`);
        seen.add(m.symbol);
        codes.add(m.code);
        const codeConfig = { ...config, options: { ...config.options, ...LIST_OPTIONS[def.name] } };
        assert.equal(plugin.marketCode(m.symbol, codeConfig), m.code, `code of ${m.symbol}`);
      }
    });

    it('lists and delists at run time: the next answer has the new market and lacks the delisted one', async () => {
      assert.ok(handle.listMarket && handle.delistMarket, 'listMarket and delistMarket on the handle');
      const before = await fetchList();
      const quote = before[0]!.symbol.split('/')[1]!;
      const added = `NEWCOIN/${quote}`;
      const removed = before[1]!.symbol;
      assert.ok(!before.some((m) => m.symbol === added));
      handle.listMarket(added);
      handle.delistMarket(removed);
      const afterwards = (await fetchList()).map((m) => m.symbol);
      assert.ok(afterwards.includes(added), `${added} listed`);
      assert.ok(!afterwards.includes(removed), `${removed} delisted`);
      handle.listMarket(removed);
      assert.ok((await fetchList()).some((m) => m.symbol === removed), `${removed} listed again`);
    });
  });
}
