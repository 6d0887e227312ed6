// What the fan-out benchmark's runs share (bench/fanout.ts): the load client's report, a ramp step's figures, and
// the probes around the runs: RSS after GC, draining the clients, the memory of idle clients.

import { setTimeout as sleep } from 'node:timers/promises';
import { start } from './children.ts';
import type { Child } from './children.ts';
import { startGatewayFanout } from './fanout-servers.ts';

export interface Report {
  elapsedMs: number;
  frames: number;
  shapedFrames: number;
  latencies: number;
  hist: number[];
  maxMs: number;
  cpuPct: number;
  open: number;
  closeCodes: Record<string, number>;
}

export interface Step {
  rate: number;
  deliveriesPerS: number;
  expectedPerS: number;
  p50: number;
  p99: number;
  max: number;
  serverCpuPct: number;
  clientCpuPct: number;
  pass: boolean;
  /** mixed-shape runs: deliveries/s to the plain and to the shaped half */
  plainPerS?: number;
  shapedPerS?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function rss(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}


/** waits until the clients stop receiving (the server has drained), at most `maxMs` */
export async function drain(client: Child, maxMs = 5000): Promise<void> {
  const until = performance.now() + maxMs;
  for (;;) {
    client.proc.send({ t: 'measure' });
    await sleep(300);
    const rep = await client.ask<Report>({ t: 'report' }, 'report');
    if (rep.frames === 0 || performance.now() > until) return;
  }
}


export interface Run {
  server: string;
  clients: number;
  steps: Step[];
  best: Step | undefined;
}

/** memory of the gateway's process per connected, idle client: measured first, before any traffic */
export async function idleMemory(clients: number, maxBuffered: number): Promise<{ rssBytes: number; heapBytes: number }> {
  const js = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const server = await startGatewayFanout(maxBuffered);
  await sleep(200);
  const rss0 = rss();
  const js0 = js();
  const client = start('load-client.ts', ['--port', String(server.port), '--clients', String(clients)]);
  try {
    await client.next('ready');
    await sleep(1000);
    return { rssBytes: (rss() - rss0) / clients, heapBytes: (js() - js0) / clients };
  } finally {
    await client.stop();
    await server.close();
    await sleep(300);
  }
}

