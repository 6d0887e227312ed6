// The asset-alias rule (sdk/aliases.ts): one spelling of every asset across venues.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ASSET_ALIASES, unifyAsset, unifySymbol } from '../../sdk/index.ts';

describe('asset aliases', () => {
  it('upper-cases codes and maps legacy names to the common one', () => {
    assert.equal(unifyAsset('xbt'), 'BTC');
    assert.equal(unifyAsset('XDG'), 'DOGE');
    assert.equal(unifyAsset(' eth '), 'ETH');
    assert.equal(unifySymbol('XBT', 'usd'), 'BTC/USD');
  });
  it('never maps an asset onto a name that is itself an alias', () => {
    for (const target of Object.values(ASSET_ALIASES)) assert.equal(ASSET_ALIASES[target], undefined, target);
  });
});
