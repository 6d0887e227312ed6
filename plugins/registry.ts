// Finds exchange plugins under plugins/<id>/index.ts, loads them and checks them against the contract.

import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { GatewayError } from '../sdk/errors.ts';
import { RECORD_TYPES } from '../sdk/model.ts';
import type { ExchangePlugin, PluginConfig } from '../sdk/plugin.ts';
import { PLUGIN_API_VERSION } from '../sdk/plugin.ts';

export const PLUGINS_DIR = fileURLToPath(new URL('./', import.meta.url));

/** ids of every folder under plugins/ that has an index.ts */
export function listPluginIds(dir = PLUGINS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

export async function loadPlugin(id: string, dir = PLUGINS_DIR): Promise<ExchangePlugin> {
  const file = join(dir, id, 'index.ts');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id) || !existsSync(file)) {
    throw new GatewayError('PLUGIN_NOT_FOUND', `no plugin "${id}": expected ${file}`);
  }
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (cause) {
    throw new GatewayError('PLUGIN_INVALID', `plugin "${id}" failed to load: ${(cause as Error).message}`, { cause });
  }
  return checkPlugin(mod.default, id);
}

/** Checks the shape a plugin module exports; throws PLUGIN_INVALID or PLUGIN_API_MISMATCH. */
export function checkPlugin(value: unknown, id: string): ExchangePlugin {
  const p = value as Partial<ExchangePlugin> | undefined;
  const bad = (what: string) => new GatewayError('PLUGIN_INVALID', `plugin "${id}": ${what}`);
  if (!p || typeof p !== 'object') throw bad('index.ts must `export default definePlugin({...})`');
  if (p.id !== id) throw bad(`id is ${JSON.stringify(p.id)} but the folder is "${id}"`);
  if (p.apiVersion !== PLUGIN_API_VERSION) {
    throw new GatewayError(
      'PLUGIN_API_MISMATCH',
      `plugin "${id}" implements contract version ${String(p.apiVersion)}, this gateway version ${PLUGIN_API_VERSION}`,
    );
  }
  if (!Array.isArray(p.channels) || p.channels.length === 0 || !p.channels.every((c) => RECORD_TYPES.includes(c))) {
    throw bad(`channels must be a non-empty list of ${RECORD_TYPES.join(', ')}`);
  }
  if (typeof p.defaultUrls !== 'function') throw bad('defaultUrls(options) is missing');
  if (typeof p.marketCode !== 'function') throw bad('marketCode(symbol, config) is missing');
  if (typeof p.connections !== 'function') throw bad('connections(config) is missing');
  return p as ExchangePlugin;
}

/** Checks that a plugin can serve this configuration: channels it supports, symbols it can express. */
export function checkPluginConfig(plugin: ExchangePlugin, config: PluginConfig): void {
  for (const ch of config.channels) {
    if (!plugin.channels.includes(ch)) {
      throw new GatewayError(
        'PLUGIN_CHANNEL_UNSUPPORTED',
        `exchanges.${plugin.id}.channels: "${ch}" is not supported (supported: ${plugin.channels.join(', ')})`,
      );
    }
  }
  for (const s of config.symbols) {
    try {
      plugin.marketCode(s, config);
    } catch (cause) {
      throw new GatewayError(
        'PLUGIN_SYMBOL_INVALID',
        `exchanges.${plugin.id}.symbols: "${s}" cannot be served: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  // a whole-universe selection before its first market list: nothing to connect yet (worker/markets.ts)
  if (config.symbols.length === 0) return;
  const plans = plugin.connections(config);
  if (!Array.isArray(plans) || plans.length === 0) {
    throw new GatewayError('PLUGIN_INVALID', `plugin "${plugin.id}": connections() returned no connection`);
  }
  for (const plan of plans) {
    if (!/^wss?:\/\//.test(plan.url) || typeof plan.createMapper !== 'function' || !Array.isArray(plan.subscribe)) {
      throw new GatewayError('PLUGIN_INVALID', `plugin "${plugin.id}": connection "${plan.name}" is malformed`);
    }
  }
}
