// The one worker entry: load a plugin, open its connections, map and encode records, post batches to main.

import { parentPort, workerData } from 'node:worker_threads';
import { BatchBuilder } from '../core/batch.ts';
import { encode } from '../core/codec.ts';
import { serializeError } from '../core/errors.ts';
import { checkPluginConfig, loadPlugin } from '../core/registry.ts';
import type { FromWorker, ToWorker, WorkerInit } from '../core/worker-protocol.ts';
import { ExchangeConnection } from './connection.ts';

const port = parentPort;
if (!port) throw new Error('workers/exchange.ts runs only as a worker thread');
const init = workerData as WorkerInit;
const post = (msg: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer ?? []);

const builder = new BatchBuilder();
let flushScheduled = false;

/** Records of one event-loop turn travel together: one postMessage, one transferred buffer. */
function flush(): void {
  flushScheduled = false;
  if (builder.length === 0) return;
  const batch = builder.take();
  post({ t: 'batch', batch }, [batch.buf.buffer as ArrayBuffer]);
}

const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) =>
  post({ t: 'log', level, msg, fields });

let connections: ExchangeConnection[] = [];
const reportStats = () => post({ t: 'stats', connections: connections.map((c) => c.stats) });

async function main(): Promise<void> {
  const plugin = await loadPlugin(init.plugin.id, init.pluginsDir);
  checkPluginConfig(plugin, init.plugin);
  const plans = plugin.connections(init.plugin);
  connections = plans.map(
    (plan) =>
      new ExchangeConnection(plan, init.plugin.depth, init.reconnect, {
        record(key, record) {
          builder.add(key, encode(record));
          if (!flushScheduled) {
            flushScheduled = true;
            setImmediate(flush);
          }
        },
        log,
        changed: reportStats,
      }),
  );
  const statsTimer = setInterval(reportStats, init.statsIntervalMs);
  port!.on('message', async (msg: ToWorker) => {
    if (msg.t !== 'close') return;
    clearInterval(statsTimer);
    await Promise.all(connections.map((c) => c.close()));
    flush();
    reportStats();
    // The main thread terminates the thread on `closed` (parentPort.close() does not exist under Deno).
    post({ t: 'closed' });
  });
  post({ t: 'ready' });
  for (const c of connections) c.start();
}

main().catch((err) => {
  post({ t: 'fatal', error: serializeError(err) });
});
