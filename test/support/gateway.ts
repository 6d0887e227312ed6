// Starts a gateway kernel in this process (real worker threads, real sockets) on a random port, for tests.

import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../kernel/config.ts';
import { Kernel } from '../../kernel/kernel.ts';
import { createLogger } from '../../kernel/log.ts';
import type { Logger } from '../../kernel/log.ts';

export const TEST_PLUGINS_DIR = fileURLToPath(new URL('./plugins/', import.meta.url));

/** `log`: a Logger to use instead of stderr (tests that read what the gateway logs) */
export async function startGateway(doc: Record<string, unknown>, opts: { pluginsDir?: string; log?: Logger } = {}) {
  const config = parseConfig({ server: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' }, ...doc });
  const kernel = new Kernel({
    config,
    log: opts.log ?? createLogger(process.env.TEST_LOG === '1' ? 'debug' : 'error'),
    pluginsDir: opts.pluginsDir,
    statsIntervalMs: 200,
  });
  await kernel.start();
  const base = `127.0.0.1:${kernel.port}`;
  return { kernel, http: `http://${base}`, ws: `ws://${base}/ws/exchange` };
}
