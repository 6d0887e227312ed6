// The monitor page's scripts: its own ES modules from web/, and the client SDK bundled for the browser on first request.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const WEB_DIR = new URL('../../web/', import.meta.url);
const SDK_ENTRY = fileURLToPath(new URL('../../clients/typescript/src/index.ts', import.meta.url));
const JS = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' };

let sdk: Promise<string> | undefined;

/** The SDK with msgpackr as one ES module, built by esbuild (from node_modules; no CDN) once per process. */
export function sdkBundle(): Promise<string> {
  sdk ??= (async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [SDK_ENTRY],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      write: false,
      legalComments: 'inline',
      logLevel: 'silent',
    });
    return `// @market-gateway/client bundled for the browser by the gateway (kernel/fanout/web-assets.ts)\n${out.outputFiles[0]!.text}`;
  })();
  sdk.catch(() => (sdk = undefined)); // a failed build is tried again on the next request
  return sdk;
}

export function mountWebAssets(app: Hono): void {
  app.get('/web/sdk.js', async (c) => {
    try {
      return c.body(await sdkBundle(), 200, JS);
    } catch (err) {
      return c.json({ error: 'SDK_BUNDLE', message: `the client SDK could not be bundled: ${(err as Error).message}` }, 503);
    }
  });
  // only plain module names: no path can leave web/
  app.get('/web/:name{[a-z0-9-]+\\.js}', async (c) => {
    try {
      return c.body(await readFile(new URL(c.req.param('name'), WEB_DIR), 'utf8'), 200, JS);
    } catch {
      return c.json({ error: 'NOT_FOUND', message: `no module ${c.req.param('name')}` }, 404);
    }
  });
}
