// `npm run demo`: starts the exchange simulators (a child process) and the gateway pointed at them. No internet needed.
//
// Options: --config <file> (default config.demo.yaml). The simulators listen where that file's URLs point
// (sim/main.ts --config): the file is the one place the demo's ports are written.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../kernel/config.ts';
import { Kernel } from '../kernel/kernel.ts';
import { createLogger } from '../kernel/log.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: { config: { type: 'string', default: 'config.demo.yaml' } },
});
const log = createLogger('info', 'demo');
// The demo's private account (config.demo.yaml): made-up keys the simulators accept, and the client token that may
// read it. Set the variables yourself to use other values.
process.env.DEMO_ACCESS_KEY ??= 'demo-access-key';
process.env.DEMO_SECRET_KEY ??= 'demo-secret-key';
process.env.DEMO_CLIENT_TOKEN ??= 'demo-client-token';

const simArgs = ['--config', values.config!, '--account', `${process.env.DEMO_ACCESS_KEY}:${process.env.DEMO_SECRET_KEY}`];
const sim = spawn(process.execPath, [...process.execArgv, 'sim/main.ts', ...simArgs], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const simReady = new Promise<void>((resolve, reject) => {
  let servers = 0;
  createInterface({ input: sim.stdout! }).on('line', (line) => {
    log.info(`simulator: ${line}`);
    // sim/main.ts prints a line per server it started, then `ready <count>`: however many plugin folders have a sim.ts
    const ready = /^ready (\d+)$/.exec(line);
    if (!ready) servers++;
    else if (Number(ready[1]) === servers) resolve();
    else reject(new Error(`simulators announced ${ready[1]} servers but listed ${servers}`));
  });
  sim.once('exit', (code) => reject(new Error(`simulators exited with code ${code}`)));
});

let kernel: Kernel | undefined;
let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await kernel?.close();
  if (sim.exitCode === null) sim.kill('SIGTERM'); // by PID: the child we started
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  await simReady;
  const config = loadConfig(values.config!);
  kernel = new Kernel({ config, log: createLogger(config.log.level) });
  await kernel.start();
  const base = `http://${config.server.host}:${kernel.port}`;
  log.info(`demo running: monitor ${base}/  snapshot ${base}/api/snapshot  stream ws://${config.server.host}:${kernel.port}/ws/exchange`);
  log.info('press Ctrl-C to stop');
} catch (err) {
  log.error(`demo failed: ${(err as Error).message}`);
  await stop(1);
}
