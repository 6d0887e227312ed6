// Command-line entry: `tsx kernel/main.ts [--config config.yaml]` runs the gateway until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { Kernel } from './kernel.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', default: 'config.yaml' }, 'reset-subscriptions': { type: 'boolean', default: false } },
    strict: true,
  });
  const boot = createLogger('info', 'main');
  let missing: string | undefined;
  const config = loadConfig(values.config!, (p) => (missing = p));
  const log = createLogger(config.log.level, 'main');
  if (missing) log.warn(`config file ${missing} not found: using built-in defaults`);
  const kernel = new Kernel({ config, log, resetSubscriptions: values['reset-subscriptions'] });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    boot.info(`${signal}: shutting down`);
    kernel.close().then(
      () => process.exit(0),
      (err) => {
        boot.error(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  // SIGHUP: re-read the file and apply exchange changes live (docs/configuration.md).
  process.on('SIGHUP', () => {
    try {
      void kernel.reload(loadConfig(values.config!)).catch((err) => log.error(`config reload failed: ${(err as Error).message}`));
    } catch (err) {
      log.error(`config reload refused, keeping the running configuration: ${(err as Error).message}`);
    }
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await kernel.start();
}

main().catch((err: Error & { code?: string }) => {
  process.stderr.write(`gateway: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
  process.exit(1);
});
